/**
 * Binding plans: per registered function, how each parameter is bound, compiled once from its
 * signature (at registration, again if generated signatures arrive later), so that binding a
 * stored entity plus scalars does no copying and no tree walk.
 */
import { classMetaOf, type AnyClass } from '../metadata/class-registry';
import { isConfigClass } from './config-entity';
import type { FunctionSignature } from './signatures';
import type { TypeShape } from '../metadata/type-spec';

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
  /** 'config': the config class's field names (each may be given as a loose argument). */
  readonly configFields: readonly string[] | null;
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

/** Compiles the binding plan of one function (null signature: arguments recognised by value). */
export function compileBindingPlan(functionName: string, signature: FunctionSignature | null): BindingPlan {
  const params: ParamPlan[] = [];
  const looseFields = new Map<string, ParamPlan>();
  for (const p of signature?.params ?? []) {
    let mode: ParamMode = 'typed';
    let ctor: AnyClass | null = null;
    let configFields: string[] | null = null;
    if (p.type.kind === 'entity' && p.type.ctor) {
      ctor = p.type.ctor;
      if (isConfigClass(ctor)) {
        mode = 'config';
        configFields = classMetaOf(ctor).fields.map((f) => f.name);
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
    for (const field of p.configFields) {
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
