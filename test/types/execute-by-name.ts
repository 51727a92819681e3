/**
 * Type tests (checked by `tsc -p tsconfig.json --noEmit`, not run): `execute` / `aexecute` by
 * name with generated signatures. The generated file (examples/generated/abstractions.generated.ts,
 * part of this type check) augments `FunctionSignatures` with the repository's functions, among
 * them examples/gridmap's `move_agent`.
 */
import { CallableRegistry, type FunctionSignatures } from '../../src';
import type { UntypedName } from '../../src/callable/signatures';
import type { GridMap } from '../../examples/gridmap/model';

export async function byName(map: GridMap, name: string): Promise<void> {
  const args = { gridmap: map, sourceIndex: 0, agentName: 'ada', targetIndex: 1 };
  const next: GridMap = CallableRegistry.execute('move_agent', args);
  const later: GridMap = await CallableRegistry.aexecute('move_agent', { ...args, gridmap: `@${next.ecsId}` });
  // @ts-expect-error a misspelled name is not a function the signatures declare
  CallableRegistry.execute('move_agnt', args);
  // @ts-expect-error aexecute too
  void CallableRegistry.aexecute('move_agnt', args);
  // @ts-expect-error a declared name with a wrong argument
  CallableRegistry.execute('move_agent', { ...args, targetIndex: 'north' });
  // @ts-expect-error a declared name with a misspelled argument
  CallableRegistry.execute('move_agent', { gridmap: map, sourceIndex: 0, agentName: 'ada', targetIdx: 1 });
  // @ts-expect-error the same on a registry instance
  new CallableRegistry().execute('move_agnt', args);

  // Opting out: an explicit result type calls any name, with unchecked arguments.
  const other: GridMap = CallableRegistry.execute<GridMap>('registered_elsewhere', { anything: 1 });
  void (await CallableRegistry.aexecute<GridMap>('registered_elsewhere', {}));
  // A name that is not a literal cannot be checked: it is accepted, its result unknown.
  const unknownResult: unknown = CallableRegistry.execute(name, {});
  void [later, other, unknownResult];
}

/** Without generated signatures (no function declared), every name is accepted untyped. */
type Accepts<T> = unknown extends T ? true : false;
export const withoutGeneratedSignatures: Accepts<UntypedName<'move_agnt', Record<never, never>>> = true;
export const withGeneratedSignatures: Accepts<UntypedName<'move_agnt', FunctionSignatures>> = false;
export const declaredNamesTakeTheTypedOverload: Accepts<UntypedName<'move_agent', FunctionSignatures>> = false;
export const explicitResultType: Accepts<UntypedName<string, FunctionSignatures>> = true;
