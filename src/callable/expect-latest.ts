/**
 * `aexecute(name, args, { expect: 'latest' })` (SPEC §13): the compare-and-set of an execution.
 * Its input trees must be their lineages' latest versions when the call starts; the store holds
 * those heads locked until the call's result is written (`EntityRegistry.conditionally`).
 */
import { StaleVersionError } from '../address/errors';
import { describeValue } from '../metadata/describe-value';
import type { LockHeads } from '../store/history-store';
import type { RootVersion } from '../store/root-version';
import type { ExecuteOptions } from './callable-registry';
import { ArgumentError } from './errors';

/** True for `{ expect: 'latest' }`; an `ArgumentError` naming the option for anything but options. */
export function expectsLatest(functionName: string, options: ExecuteOptions | undefined): boolean {
  if (options === undefined) return false;
  if (typeof options !== 'object' || options === null)
    throw new ArgumentError(functionName, 'options', `expected { expect?: 'latest' }, got ${describeValue(options)}`);
  const { expect } = options;
  if (expect === undefined) return false;
  if (expect !== 'latest')
    throw new ArgumentError(functionName, 'options.expect', `expected 'latest', got ${describeValue(expect)}`);
  return true;
}

/**
 * Locks the heads of the input trees' lineages and checks each tree is its lineage's latest
 * version: the version itself, or (a working copy the call versioned first, not written yet) its
 * parent. Else `StaleVersionError` naming the input version and the current head.
 */
export function checkLatest(versions: readonly RootVersion[], lockHeads: LockHeads): void {
  const heads = lockHeads(versions.map((v) => v.lineageId));
  for (const v of versions) {
    const head = heads.get(v.lineageId);
    if (head !== v.ecsId && (head === undefined || head !== v.parentEcsId))
      throw new StaleVersionError(`@${v.ecsId}`, v.lineageId, head ?? '(none)');
  }
}
