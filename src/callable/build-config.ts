/**
 * `ConfigEntity` parameters built from loose arguments or a plain object (SPEC §5).
 */
import { classMetaOf, type AnyClass } from '../metadata/class-registry';
import { fieldTypesOf } from '../metadata/field-types';
import { mismatch } from '../metadata/type-check';
import { typeText } from '../metadata/type-spec';
import { metaOf, type EntityMeta, type EntityObject } from '../metadata/object-model';
import { describeValue } from '../metadata/describe-value';
import { copyOut } from '../address/copy';
import { looksLikeAddress } from '../address/parse';
import { excerpt } from '../util/excerpt';
import { argError, resolveArg, resolvesAddresses, takeEntity, type BindingContext } from './bound-call';

/**
 * Builds a ConfigEntity from fields (loose arguments or a plain object): addresses resolved
 * (copied, with `attributeSource`), field types checked (`fieldTypesOf`), class defaults for the rest.
 * The result is a new working entity, promoted in phase 2.
 */
export function buildConfig(
  ctx: BindingContext,
  ctor: AnyClass,
  fields: Record<string, unknown>,
  at: string,
  looseNames = false,
): EntityObject {
  const meta = classMetaOf(ctor);
  const types = fieldTypesOf(ctor);
  const init: Record<string, unknown> = {};
  const sources: Record<string, string | null> = {};
  for (const name of Object.keys(fields)) {
    const fieldAt = looseNames ? name : `${at}.${name}`;
    const index = meta.fieldIndex.get(name);
    if (index === undefined) {
      throw argError(
        ctx,
        fieldAt,
        `${ctor.name} has no field '${excerpt(name)}' (fields: ${meta.fields.map((f) => f.name).join(', ') || '(none)'})`,
      );
    }
    let v = fields[name];
    if (
      typeof v === 'string' &&
      v.charCodeAt(0) === 64 &&
      resolvesAddresses(types[index].type) &&
      looksLikeAddress(v)
    ) {
      const r = resolveArg(ctx, v, fieldAt);
      v = copyOut(r.value);
      sources[name] = metaOf(r.holder).ecsId;
    }
    // A config field takes null and undefined, whatever its type.
    const m = v === null || v === undefined ? null : mismatch(types[index].type, v);
    if (m)
      throw argError(
        ctx,
        fieldAt + m.at,
        `${ctor.name}.${name}${m.at} expects ${typeText(m.expected)}, got ${describeValue(m.found)}`,
      );
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
