/**
 * The reopen check of the SQLite test modes (test/support/store-mode.ts; SPEC §12): a registry's
 * store file, opened again by a new registry, must hold exactly the registry's history. Kept apart
 * from the jest setup so test/durable/reopen-check.test.ts can show that it fails when it should.
 */
import { EntityRegistry } from '../../src/store/entity-registry';
import type { HistoryStore, RecordToStore } from '../../src/store/history-store';
import { versionToJSON } from '../../src/serialize';
import { encodeValue } from '../../src/serialize/codec';
import { errorText } from '../../src/errors';

/**
 * A part of a record the store names instead of writing it (README "Durable history"): not data,
 * or nested deeper than `JSON.stringify` goes.
 */
const NOT_DATA = Symbol('not data');

/** An execution record as the check remembers it: each part in the tagged form, taken when the store was given it. */
export interface KeptRecord {
  readonly id: string;
  readonly functionName: string;
  readonly parts: readonly (readonly [path: string, encoded: unknown])[];
}

/** A version as the check remembers it: taken when the store was given it. */
export interface KeptVersion {
  readonly ecsId: string;
  readonly parentEcsId: string | null;
  /** Its `versionToJSON` text; null when not kept (then the original registry is asked). */
  readonly json: string | null;
}

/** What the check knows of a registry besides the registry itself. */
export interface Kept {
  /** Every lineage the registry committed to, in order of its first commit. */
  readonly lineages: ReadonlySet<string>;
  /** Every record its store was given, in order. */
  readonly records: readonly KeptRecord[];
  /**
   * Per lineage, the versions the store was given, in order. A registry over a durable store
   * reads what it does not hold from the store: the check needs its own account of what was
   * committed to tell a store that lost something (without it, the original registry's word is taken).
   */
  readonly versions?: ReadonlyMap<string, readonly KeptVersion[]>;
}

/** The parts of a record's JSON (`toJSON()` / `toStoredJSON()`) the check compares one by one. */
function partsOf(json: Record<string, unknown>): [string, unknown][] {
  const parts: [string, unknown][] = [];
  for (const key of Object.keys(json)) if (key !== 'inputs') parts.push([key, json[key]]);
  const inputs = json.inputs as Record<string, unknown>;
  for (const key of ['entities', 'addresses', 'rootIds']) parts.push([`inputs.${key}`, inputs[key]]);
  const values = inputs.values as Record<string, unknown>;
  parts.push(['inputs.values (names)', Object.keys(values)]);
  for (const key of Object.keys(values)) parts.push([`inputs.values.${key}`, values[key]]);
  return parts;
}

function encoded(value: unknown, at: string): unknown {
  try {
    const json = encodeValue(value, at);
    JSON.stringify(json); // a RangeError beyond the engine's nesting limit
    return json;
  } catch {
    return NOT_DATA;
  }
}

/** A record as kept now (read with `toStoredJSON`, which keeps nothing on the record). */
export function keptRecord(record: RecordToStore): KeptRecord {
  const parts = partsOf(record.toStoredJSON() as Record<string, unknown>).map(
    ([at, v]) => [at, encoded(v, at)] as const,
  );
  return { id: record.id, functionName: record.functionName, parts };
}

/** The `N entity classes are registered under the name 'X'` of the codec, anywhere in an error's causes. */
export function collidingName(error: unknown): string | null {
  let e = error;
  for (let depth = 0; e !== null && e !== undefined && depth < 10; depth++) {
    const m = /\d+ entity classes are registered under the name '([^']*)'/.exec(String((e as Error).message ?? e));
    if (m !== null) return m[1];
    e = (e as { cause?: unknown }).cause;
  }
  return null;
}

/** Thrown when reopening fails because two registered classes share a type name (a known limitation). */
export class NameCollision extends Error {
  constructor(
    readonly className: string,
    readonly where: string,
  ) {
    super(`several entity classes are registered under the name '${className}' (${where})`);
  }
}

/**
 * Opens the store again (`reopen`) in a new registry and compares it with `original` (the registry
 * that wrote it, flushed; undefined when it was garbage-collected: then only what `kept` holds is
 * compared). Returns the differences, each naming the lineage, version or record and the first
 * differing path; empty when the reopened history is exactly the original's. Reads only: the
 * reopened registry loads its versions without events, and is closed again.
 */
export async function reopenDifferences(
  reopen: () => HistoryStore,
  original: EntityRegistry | undefined,
  kept: Kept,
): Promise<string[]> {
  let reopened: EntityRegistry;
  try {
    reopened = new EntityRegistry({ store: reopen() });
  } catch (error) {
    const name = collidingName(error);
    if (name !== null) throw new NameCollision(name, 'reopening failed');
    return [`reopening failed: ${errorText(error)}`];
  }
  try {
    return compare(original, reopened, kept);
  } catch (error) {
    const name = collidingName(error);
    if (name !== null) throw new NameCollision(name, 'comparing failed');
    throw error;
  } finally {
    await reopened.close();
  }
}

function compare(original: EntityRegistry | undefined, reopened: EntityRegistry, kept: Kept): string[] {
  const problems: string[] = [];
  for (const lineageId of kept.lineages) {
    const after = reopened.lineage(lineageId);
    if (original === undefined) {
      if (after.length === 0) problems.push(`lineage ${lineageId}: not in the reopened store`);
      continue;
    }
    const keptVersions = kept.versions?.get(lineageId);
    const before =
      keptVersions?.map((v) => ({ ecsId: v.ecsId, parentEcsId: v.parentEcsId })) ?? original.lineage(lineageId);
    const d = firstDifference(before, after);
    if (d !== null) {
      problems.push(`lineage ${lineageId}: its versions (ecsId, parentEcsId) differ at ${d}`);
      continue;
    }
    before.forEach(({ ecsId }, i) => {
      const json = keptVersions?.[i].json ?? null;
      const expected: unknown = json === null ? versionToJSON(original, ecsId) : JSON.parse(json);
      const v = firstDifference(expected, versionToJSON(reopened, ecsId));
      if (v !== null) problems.push(`version ${ecsId} (lineage ${lineageId}): versionToJSON differs at ${v}`);
    });
  }
  if (original !== undefined) {
    const stats = firstDifference(original.stats, reopened.stats, 'stats');
    if (stats !== null) problems.push(`the counts differ: ${stats}`);
  }
  const records = reopened.storedRecords() as readonly (RecordToStore & { toJSON(): Record<string, unknown> })[];
  for (let i = 0; i < Math.max(records.length, kept.records.length); i++) {
    const before = kept.records[i];
    const after = records[i];
    if (before === undefined || after === undefined || before.id !== after.id) {
      const name = (r: { id: string; functionName: string } | undefined) =>
        r === undefined ? 'none' : `${r.functionName} ${r.id}`;
      problems.push(`execution record #${i}: ${name(before)} was kept, ${name(after)} came back`);
      break;
    }
    const d = recordDifference(before, partsOf(after.toJSON()));
    if (d !== null) problems.push(`execution record ${before.id} (${before.functionName}): ${d}`);
  }
  return problems;
}

function recordDifference(before: KeptRecord, after: [string, unknown][]): string | null {
  const names = firstDifference(
    before.parts.map(([at]) => at),
    after.map(([at]) => at),
    'parts',
  );
  if (names !== null) return names;
  for (let i = 0; i < after.length; i++) {
    const [at, value] = after[i];
    const expected = before.parts[i][1];
    if (expected === NOT_DATA) {
      if (typeof value === 'string' && value.startsWith('(not stored: ')) continue;
      return `${at}: the value is not data, so it should come back named '(not stored: …)', got ${show(value)}`;
    }
    const d = firstDifference(expected, encoded(value, at), at);
    if (d !== null) return d;
  }
  return null;
}

function show(v: unknown): string {
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (typeof v === 'bigint') return `${v}n`;
  if (v === undefined) return 'undefined';
  let text: string;
  try {
    text = JSON.stringify(v) ?? String(v);
  } catch {
    text = String(v);
  }
  return text.length > 160 ? `${text.slice(0, 160)}…` : text;
}

/** A path into a value, as a linked list (values may be nested thousands of levels deep). */
interface At {
  readonly parent: At | null;
  readonly key: string | number;
}

function pathText(at: At | null, top: string): string {
  const keys: (string | number)[] = [];
  for (let a = at; a !== null; a = a.parent) keys.push(a.key);
  keys.reverse();
  let text = top;
  for (const k of keys) text += typeof k === 'number' ? `[${k}]` : text === '' ? k : `.${k}`;
  if (text === '') return '(top)';
  return text.length > 300 ? `${text.slice(0, 120)}…(${keys.length} levels)…${text.slice(-160)}` : text;
}

/**
 * The first path where two JSON-like values differ (key order counts), with both values there;
 * null when they are equal. Iterative: any depth.
 */
export function firstDifference(a: unknown, b: unknown, top = ''): string | null {
  const stack: [unknown, unknown, At | null][] = [[a, b, null]];
  while (stack.length > 0) {
    const [x, y, at] = stack.pop()!;
    if (Object.is(x, y)) continue;
    if (
      typeof x !== 'object' ||
      typeof y !== 'object' ||
      x === null ||
      y === null ||
      Array.isArray(x) !== Array.isArray(y)
    )
      return `${pathText(at, top)}: original ${show(x)}, reopened ${show(y)}`;
    if (Array.isArray(x)) {
      const ya = y as unknown[];
      if (x.length !== ya.length) return `${pathText(at, top)}: original has ${x.length} items, reopened ${ya.length}`;
      for (let i = x.length - 1; i >= 0; i--) stack.push([x[i], ya[i], { parent: at, key: i }]);
      continue;
    }
    const xo = x as Record<string, unknown>;
    const yo = y as Record<string, unknown>;
    const xk = Object.keys(xo);
    const yk = Object.keys(yo);
    if (xk.length !== yk.length || xk.some((k, i) => k !== yk[i]))
      return `${pathText(at, top)}: original has keys ${show(xk)}, reopened ${show(yk)}`;
    for (let i = xk.length - 1; i >= 0; i--) stack.push([xo[xk[i]], yo[xk[i]], { parent: at, key: xk[i] }]);
  }
  return null;
}
