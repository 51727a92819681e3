import type { TypeImports } from './emit-imports';
import type { FunctionModel, SourceLocation, TypeShape } from './model';
import { propertyKey, str, type Lines } from './text';

/**
 * The registered functions' part of the generated file: the table of their parameter and result
 * types (installed with installGeneratedSignatures) and the `FunctionSignatures` augmentation that
 * types `execute(name, args)` by name.
 */

/**
 * A TypeShape literal. Entity types name their class, its field names and its spec (`specOf`:
 * the spec const of the class declared there), which the runtime resolves the class by.
 */
export function typeShapeLiteral(t: TypeShape | null, specOf: (at: SourceLocation) => string | null): string {
  if (t === null) return 'null';
  const inner = (x: TypeShape): string => typeShapeLiteral(x, specOf);
  switch (t.kind) {
    case 'entity': {
      const parts = [`kind: 'entity'`, `className: ${str(t.className)}`];
      if (t.fields !== undefined) parts.push(`fields: [${t.fields.map(str).join(', ')}]`);
      const spec = t.declaredAt ? specOf(t.declaredAt) : null;
      if (spec !== null) parts.push(`spec: ${spec}`);
      return `{ ${parts.join(', ')} }`;
    }
    case 'array':
    case 'set':
    case 'optional':
    case 'map':
    case 'record':
      return `{ kind: '${t.kind}', of: ${inner(t.of)} }`;
    case 'tuple':
    case 'union':
      return `{ kind: '${t.kind}', of: [${t.of.map(inner).join(', ')}] }`;
    default:
      return `{ kind: '${t.kind}' }`;
  }
}

/** `signaturesModule`: the module declaring FunctionSignatures; `specOf`: see typeShapeLiteral. */
export function emitFunctions(
  out: Lines,
  functions: readonly FunctionModel[],
  imports: TypeImports,
  signaturesModule: string,
  specOf: (at: SourceLocation) => string | null,
): void {
  const typeShapeLiteral_ = (t: TypeShape | null): string => typeShapeLiteral(t, specOf);
  out.line('');
  out.line('/** Parameters and results of every registered function, by function name (see GeneratedSignature). */');
  out.open('export const generatedFunctionSignatures = {');
  for (const fn of functions) {
    out.open(`${propertyKey(fn.name)}: {`);
    if (fn.params.length === 0) out.line('params: [],');
    else {
      out.open('params: [');
      for (const p of fn.params) {
        out.line(
          `{ name: ${str(p.name)}, type: ${typeShapeLiteral_(p.type)}, optional: ${p.optional}, declaredType: ${str(p.declaredType)}, kind: '${p.kind}' },`,
        );
      }
      out.close('],');
    }
    out.line(`returns: ${typeShapeLiteral_(fn.result.type)},`);
    out.line(`async: ${fn.async},`);
    out.close('},');
  }
  out.close('} as const;');
  out.line('');
  out.line('installGeneratedSignatures(generatedFunctionSignatures);');
  out.line('');
  out.line(
    '/** Typed `execute(name, args)` / `aexecute(name, args)`: arguments and result of every registered function. */',
  );
  out.open(`declare module ${str(signaturesModule)} {`);
  out.open('interface FunctionSignatures {');
  for (const fn of functions) {
    const args = fn.argsType === null ? '{}' : imports.rewrite(fn.argsType);
    const result = imports.rewrite(fn.resultType);
    out.line(`${propertyKey(fn.name)}: { args: ${args}; result: ${fn.async ? `Promise<${result}>` : result} };`);
  }
  out.close();
  out.close();
}
