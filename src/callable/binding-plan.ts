/**
 * Binding plans: per registered function, how each parameter is bound, compiled once from its
 * signature (at registration, again if generated signatures arrive later), so that binding a
 * stored entity plus scalars does no copying and no tree walk.
 */
import { classMetaOf, type AnyClass } from '../metadata/class-registry';
import { isConfigClass } from './config-entity';
import { templateValues } from './class-defaults';
import type { FunctionSignature } from './signatures';
import type { TypeShape } from './type-spec';

/**
 * How a parameter binds: `dynamic` (no type: recognised by value), `entity` (an entity class),
 * `scalar` (string, number, boolean, bigint), `config` (a ConfigEntity, also from loose
 * arguments), `typed` (any other declared type).
 */
export type ParamMode = 'dynamic' | 'entity' | 'scalar' | 'typed' | 'config';

export interface ParamPlan {
  readonly name: string;
  readonly mode: ParamMode;
  readonly optional: boolean;
  readonly type: TypeShape;
  /** 'scalar': the `typeof` expected. */
  readonly scalar: string;
  /** 'entity' / 'config': the class. */
  readonly ctor: AnyClass | null;
  /** 'config': field name -> declared type (lower-case scalar name or null). */
  readonly configFields: ReadonlyMap<string, string | null> | null;
}

export interface BindingPlan {
  readonly functionName: string;
  readonly signature: FunctionSignature | null;
  readonly params: readonly ParamPlan[];
  readonly byName: ReadonlyMap<string, ParamPlan>;
  /** Field name of a ConfigEntity parameter -> that parameter (for loose arguments). */
  readonly looseFields: ReadonlyMap<string, ParamPlan>;
  readonly paramList: string;
}

const SCALAR_KINDS = new Set(['string', 'number', 'boolean', 'bigint']);
const DECLARED_SCALARS: Record<string, string> = {
  string: 'string',
  String: 'string',
  number: 'number',
  Number: 'number',
  boolean: 'boolean',
  Boolean: 'boolean',
  bigint: 'bigint',
  BigInt: 'bigint',
};

/**
 * Per field of a config class, the scalar type its values must have: the declared type when
 * metadata knows it, else the type of the class-field default (a number default takes numbers).
 * null: unchecked. null and undefined values are never refused.
 */
function configFieldTypes(ctor: AnyClass): Map<string, string | null> {
  const meta = classMetaOf(ctor);
  let defaults: readonly unknown[] | null | undefined;
  const out = new Map<string, string | null>();
  for (const f of meta.fields) {
    let scalar: string | null = f.declaredType ? (DECLARED_SCALARS[f.declaredType] ?? null) : null;
    if (scalar === null && (f.declaredType === null || f.declaredType === 'Object')) {
      if (defaults === undefined) defaults = templateValues(ctor);
      const d = defaults?.[f.index];
      if (typeof d === 'number' || typeof d === 'string' || typeof d === 'boolean') scalar = typeof d;
    }
    out.set(f.name, scalar);
  }
  return out;
}

/** Compiles the binding plan of one function (null signature: arguments recognised by value). */
export function compileBindingPlan(functionName: string, signature: FunctionSignature | null): BindingPlan {
  const params: ParamPlan[] = [];
  const looseFields = new Map<string, ParamPlan>();
  for (const p of signature?.params ?? []) {
    let mode: ParamMode = 'typed';
    let ctor: AnyClass | null = null;
    let configFields: Map<string, string | null> | null = null;
    if (p.type.kind === 'entity' && p.type.ctor) {
      ctor = p.type.ctor;
      if (isConfigClass(ctor)) {
        mode = 'config';
        configFields = configFieldTypes(ctor);
      } else {
        mode = 'entity';
      }
    } else if (SCALAR_KINDS.has(p.type.kind)) {
      mode = 'scalar';
    } else if (p.type.kind === 'unknown') {
      mode = 'dynamic';
    }
    const plan: ParamPlan = Object.freeze({
      name: p.name,
      mode,
      optional: p.optional,
      type: p.type,
      scalar: mode === 'scalar' ? p.type.kind : '',
      ctor,
      configFields,
    });
    params.push(plan);
  }
  const byName = new Map(params.map((p) => [p.name, p]));
  for (const p of params) {
    if (!p.configFields) continue;
    for (const field of p.configFields.keys()) {
      if (!byName.has(field) && !looseFields.has(field)) looseFields.set(field, p);
    }
  }
  return {
    functionName,
    signature,
    params,
    byName,
    looseFields,
    paramList: params.length === 0 ? '(none)' : params.map((p) => p.name).join(', '),
  };
}
