/**
 * `ConfigEntity` parameters built from loose arguments or a plain object (SPEC §5).
 */
import { classMetaOf, type AnyClass } from '../metadata/class-registry';
import { metaOf, type EntityMeta, type EntityObject } from '../metadata/object-model';
import { describeValue } from '../metadata/describe-value';
import { copyOut } from '../address/copy';
import { looksLikeAddress } from '../address/parse';
import { excerpt } from '../util/excerpt';
import { argError, resolveArg, takeEntity, type BindingContext } from './bound-call';

/**
 * Builds a ConfigEntity from fields (loose arguments or a plain object): addresses resolved
 * (copied, with `attributeSource`), scalar field types checked, class defaults for the rest.
 * The result is a new working entity, promoted in phase 2.
 */
export function buildConfig(
  ctx: BindingContext,
  ctor: AnyClass,
  fields: Record<string, unknown>,
  at: string,
  looseNames = false,
): EntityObject {
  const plan = ctx.plan.byName.get(ctx.param);
  const declared =
    plan?.configFields ?? new Map(classMetaOf(ctor).fields.map((f) => [f.name, null] as [string, string | null]));
  const init: Record<string, unknown> = {};
  const sources: Record<string, string | null> = {};
  for (const name of Object.keys(fields)) {
    const fieldAt = looseNames ? name : `${at}.${name}`;
    if (!declared.has(name)) {
      throw argError(
        ctx,
        fieldAt,
        `${ctor.name} has no field '${excerpt(name)}' (fields: ${[...declared.keys()].join(', ') || '(none)'})`,
      );
    }
    let v = fields[name];
    if (typeof v === 'string' && v.charCodeAt(0) === 64 && declared.get(name) !== 'string' && looksLikeAddress(v)) {
      const r = resolveArg(ctx, v, fieldAt);
      v = copyOut(r.value);
      sources[name] = metaOf(r.holder).ecsId;
    }
    const scalar = declared.get(name);
    if (scalar && v !== undefined && v !== null && typeof v !== scalar) {
      throw argError(ctx, fieldAt, `${ctor.name}.${name} expects ${scalar}, got ${describeValue(v)}`);
    }
    init[name] = v;
  }
  let config: EntityObject;
  try {
    config = new (ctor as unknown as new (init: object) => EntityObject)(init);
  } catch (e) {
    throw argError(ctx, at, `cannot build ${ctor.name}: ${(e as Error).message}`, e);
  }
  if (Object.keys(sources).length > 0) {
    const m = metaOf(config) as EntityMeta;
    m.attributeSource = { ...m.attributeSource, ...sources };
  }
  (ctx.builtConfigs ??= []).push(config);
  return takeEntity(ctx, config, at);
}
