/**
 * Setup of the `sqlite` and `sqlite-generated` jest projects (jest.config.js; SPEC §12, issue 14):
 * the suite runs again with every registry created without a `store` option (`new
 * EntityRegistry()`, `EntityRegistry.reset()`, the default registry) over an SQLite store in a
 * fresh file, and after every test each such registry passes the reopen check
 * (test/support/reopen-check.ts): its store is flushed, a new registry is opened over the same
 * file, and the reopened history must be exactly what the store was given (lineages with their
 * versions in order, every version's `versionToJSON` as it was when committed, every execution
 * record). A difference fails the test, naming the file, the lineage, version or record and the
 * first differing path. The check only reads: it subscribes to nothing, and the reopened registry
 * loads its versions without events.
 *
 * The store is `sqliteStore(file)` as a program gets it (relaxed: batches written by a writer
 * thread), or with the inline writer (`WRITER` below). A registry created during a test (its
 * `beforeEach` included) is closed after it (its writer thread ends) and its files deleted; one
 * created outside a test (module scope, `beforeAll`) is checked after every test and closed after
 * the file. Registries are held weakly
 * (a test of memory checks that a dropped registry is collected; a store that was written to
 * keeps its registry until it is closed), except those `EntityRegistry.reset()` made the default,
 * which a test drops by resetting again: a registry collected before the check is compared in
 * part (its lineages are there, its records are the same), which one line on stderr says.
 *
 * A registry whose store went into fail-stop fails the test with the write error, except for the
 * one known limitation: two registered entity classes with one type name (test files declare
 * local classes freely, and test/viz/fixtures.ts shares `GridMap` with the gridmap example on
 * purpose), which the rows cannot tell apart. That registry alone is not compared, and one line
 * on stderr names the class name.
 *
 * Reads through the rows in the middle of a test: in `sqlite-generated` a registry keeps no cache
 * (`CACHE_BYTES` below), so whatever the test does not hold is read back from the rows whenever
 * it asks for it. (A literal close and reopen between steps would detach every object the test
 * holds, which no program sees: objects stay the registry's while they are referenced.)
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  installDefaultStore,
  type RecordToStore,
  type StoredHistory,
  type WithdrawnVersion,
} from '../../src/store/history-store';
import type { PruneKeep, PruneReport, WriteBatch } from '../../src/durable/rows';
import { toJSON } from '../../src/serialize';
import type { RootVersion } from '../../src/store/root-version';
import { EntityRegistry } from '../../src/store/entity-registry';
import type { CommitResult } from '../../src/store/commit';
import { EngineHistoryStore, sqliteStore } from '../../src/durable/engine-store';
import { openSqliteEngine } from '../../src/durable/sqlite-engine';
import { openPostgresEngine } from '../../src/durable/postgres-engine';
import { postgresStore } from '../../src/durable/postgres-store';
import type { StorageEngine } from '../../src/durable/rows';
import { databaseUrl, dropSchemas } from './postgres';
import { errorText } from '../../src/errors';
import {
  NameCollision,
  collidingName,
  keptRecord,
  reopenDifferences,
  type KeptRecord,
  type KeptVersion,
} from './reopen-check';

/** One registry the factory made a store for. */
interface Tracked {
  readonly file: string;
  /**
   * The registry, weakly: the check must not keep alive what a test dropped (a test of memory
   * checks that a dropped registry is collected).
   */
  registry: WeakRef<EntityRegistry> | null;
  /** Created while a test ran (closed after it), or outside one (closed after the file). */
  readonly testScoped: boolean;
  /** Lineages it committed to, in order of their first commit. */
  readonly lineages: Set<string>;
  /** Every record the store was given, in order. */
  readonly records: KeptRecord[];
  /** Per lineage, the versions the store was given (`Kept.versions`). */
  readonly versions: Map<string, KeptVersion[]>;
  /** How many of them were kept with their JSON (the first `VERSIONS_KEPT_WHOLE`). */
  whole: number;
  /** The write failure that put its store in fail-stop, if any. */
  failure: unknown;
  /** Set when the test closed it: settles when the close did. */
  closed: Promise<unknown> | null;
  done: boolean;
}

const testPath = expect.getState().testPath ?? '(unknown test file)';
/**
 * Where the store files go: $SQLITE_MODE_DIR, else /dev/shm where there is one (memory: an fsync
 * costs nothing there, and this mode checks what the rows hold, not what survives a power loss;
 * on disk the SQLite modes take about twice as long), else the system's temporary directory.
 */
function baseDir(): string {
  const chosen = process.env.SQLITE_MODE_DIR;
  if (chosen !== undefined && chosen !== '') return chosen;
  try {
    fs.accessSync('/dev/shm', fs.constants.W_OK);
    return '/dev/shm';
  } catch {
    return os.tmpdir();
  }
}
const dir = fs.mkdtempSync(path.join(baseDir(), 'abs-sqlite-mode-'));

/**
 * Which writer the stores use: `thread` (what `sqliteStore` gives a program: batches written on a
 * writer thread) in the `sqlite` project, `inline` (on the calling thread, as in the `strict`
 * mode; the same write transaction) in `sqlite-generated` (jest.config.js), so the suite runs
 * over both. The property tests (test/property/) write inline in both: each makes a registry per
 * case, hundreds per test, and a writer thread takes about 100 ms to start (their four files took
 * 146 s over threads, 28 s inline). $SQLITE_MODE_WRITER overrides.
 */
const WRITER =
  process.env.SQLITE_MODE_WRITER ??
  ((globalThis as { __SQLITE_WRITER__?: unknown }).__SQLITE_WRITER__ === 'thread' &&
  !testPath.includes(`${path.sep}test${path.sep}property${path.sep}`)
    ? 'thread'
    : 'inline');
if (WRITER !== 'thread' && WRITER !== 'inline')
  throw new Error(`SQLITE_MODE_WRITER: 'thread' or 'inline', not '${WRITER}'`);
/**
 * How many bytes of stored versions a registry keeps in memory: the default in `sqlite`, none in
 * `sqlite-generated` (`__SQLITE_CACHE__`), where every commit leaves the cache at once, so every
 * version, entity and record nothing in the test holds is read back from the rows when asked
 * for (the store's own reads are tested under load, not only after a reopen).
 * $SQLITE_MODE_CACHE overrides (a number of bytes).
 */
const CACHE_BYTES = Number(
  process.env.SQLITE_MODE_CACHE ?? (globalThis as { __SQLITE_CACHE__?: unknown }).__SQLITE_CACHE__ ?? 64 * 1024 * 1024,
);
if (!Number.isFinite(CACHE_BYTES) || CACHE_BYTES < 0) throw new Error(`SQLITE_MODE_CACHE: a number of bytes`);
/**
 * Which engine the stores use: SQLite (`sqlite`, `sqlite-generated`) or PostgreSQL (`postgres`:
 * each store in a schema of its own, `abs_mode_<pid>_<n>`, in $DATABASE_URL's database, dropped
 * after its check; jest.config.js leaves the project out, saying so, when no server answers).
 */
const ENGINE = (globalThis as { __STORE_ENGINE__?: unknown }).__STORE_ENGINE__ === 'postgres' ? 'postgres' : 'sqlite';
const PG_URL = databaseUrl();

/** Where a store keeps its rows, by engine: a file, or a schema. */
const places = {
  sqlite: {
    name: (n: number) => path.join(dir, `registry-${n}.db`),
    open: (place: string): StorageEngine => openSqliteEngine(place, { writerThread: WRITER === 'thread' }),
    reopen: (place: string) => sqliteStore(place),
    remove: async (place: string) => {
      for (const suffix of ['', '-wal', '-shm', '-journal']) fs.rmSync(place + suffix, { force: true });
    },
  },
  postgres: {
    name: (n: number) => `abs_mode_${process.pid}_${n}`,
    open: (place: string): StorageEngine => openPostgresEngine(PG_URL, { schema: place }),
    reopen: (place: string) => postgresStore(PG_URL, { schema: place }),
    remove: (place: string) => dropSchemas([place]),
  },
}[ENGINE];

const tracked: Tracked[] = [];
let inTest = false;
let count = 0;

/**
 * The store of a registry created without one: `sqliteStore(file)` as it is (relaxed; the writer
 * `WRITER` says), noting what the check needs when the registry is attached, commits, keeps a record or
 * closes. Not a wrapper: every other member (flush, withdrawn, imported, acknowledged, ...) is the
 * engine store's own, so none can be missed. It refers to its `Tracked` only: the check keeps no
 * store, and so no registry, alive.
 */
class TrackedStore extends EngineHistoryStore {
  constructor(private readonly noted: Tracked) {
    super(ENGINE, noted.file, places.open(noted.file), { cacheBytes: CACHE_BYTES });
    this.errors$.subscribe((e) => (noted.failure ??= e));
  }

  /** What the store holds (its rows, read directly: the registry's memory may be behind). */
  private stored: StoredHistory | null = null;

  override attach(registry: EntityRegistry): StoredHistory {
    this.noted.registry = new WeakRef(registry);
    this.stored = super.attach(registry);
    return this.stored;
  }

  override committed(commit: CommitResult): void {
    const { version } = commit;
    const noted = this.noted;
    noted.lineages.add(version.lineageId);
    const json = noted.whole++ < VERSIONS_KEPT_WHOLE ? jsonText(version) : null;
    versionsOf(noted, version.lineageId).push({ ecsId: version.ecsId, parentEcsId: version.parentEcsId, json });
    super.committed(commit);
  }

  override withdrawn(version: WithdrawnVersion): void {
    const list = versionsOf(this.noted, version.lineageId);
    const at = list.findIndex((v) => v.ecsId === version.ecsId);
    if (at >= 0) list.splice(at, 1);
    super.withdrawn(version);
  }

  override prune(keep: PruneKeep): PruneReport {
    const report = super.prune(keep);
    // What the store removed is no longer what the check expects back.
    const stored = this.stored!;
    for (const [lineageId, list] of this.noted.versions)
      this.noted.versions.set(
        lineageId,
        list.filter((v) => stored.version(v.ecsId) !== undefined),
      );
    const records = new Set(this.records().map((r) => r.id));
    const kept = this.noted.records.filter((r) => records.has(r.id));
    this.noted.records.length = 0;
    this.noted.records.push(...kept);
    return report;
  }

  override imported(rows: unknown): void {
    super.imported(rows);
    for (const v of (rows as WriteBatch).versions)
      versionsOf(this.noted, v.lineageId).push({ ecsId: v.ecsId, parentEcsId: v.parentEcsId, json: null });
  }

  override recorded(record: RecordToStore): void {
    this.noted.records.push(keptRecord(record));
    super.recorded(record);
  }

  override close(): Promise<void> {
    const closing = super.close();
    this.noted.closed = closing.catch(() => undefined);
    return closing;
  }
}

/**
 * A registry's first versions are kept with their JSON (the check's own account of them); later
 * ones by id only, their content taken from the registry (tests that commit thousands of versions
 * would otherwise keep a tree's JSON for each).
 */
const VERSIONS_KEPT_WHOLE = 2000;

/**
 * A version's JSON text, or null where it has none here: deeper than `JSON.stringify` goes, or a
 * class name two classes share (the check names that registry instead: see `NameCollision`).
 */
function jsonText(version: RootVersion): string | null {
  try {
    return JSON.stringify(toJSON(version));
  } catch {
    return null;
  }
}

function versionsOf(noted: Tracked, lineageId: string): KeptVersion[] {
  let list = noted.versions.get(lineageId);
  if (list === undefined) noted.versions.set(lineageId, (list = []));
  return list;
}

function trackedStore(): TrackedStore {
  const t: Tracked = {
    file: places.name(++count),
    registry: null,
    testScoped: inTest,
    lineages: new Set(),
    records: [],
    versions: new Map(),
    whole: 0,
    failure: null,
    closed: null,
    done: false,
  };
  tracked.push(t);
  return new TrackedStore(t);
}

installDefaultStore(trackedStore);

/**
 * The property tests (test/property/) make a registry per run, and here each one is an SQLite file
 * reopened and compared after the test: 150 runs per property (in memory: 400 to 1,000), unless
 * PROP_RUNS says otherwise. `process.env` is this test file's copy.
 */
process.env.PROP_RUNS ??= '150';

/**
 * Registries that became the default through `EntityRegistry.reset()`, kept alive until they are
 * checked: a test that resets the default registry (the fuzz test, once per episode) drops the
 * old one, which the check must still compare in full. Other registries are held weakly.
 */
const defaults = new Set<EntityRegistry>();
const reset = EntityRegistry.reset.bind(EntityRegistry);
EntityRegistry.reset = () => {
  const registry = reset();
  defaults.add(registry);
  return registry;
};
EntityRegistry.reset(); // the default registry, created when src/ was loaded, over SQLite too

beforeEach(() => {
  inTest = true;
});

/**
 * How long the check of one test may take: it reopens every registry the test made (the fuzz
 * test makes one per episode, hundreds), far beyond jest's 5 s for a hook.
 */
const CHECK_TIMEOUT_MS = 300_000;

afterEach(async () => {
  inTest = false;
  await checkAll((t) => t.testScoped);
}, CHECK_TIMEOUT_MS);

afterAll(async () => {
  await checkAll(() => true);
  installDefaultStore(null);
  fs.rmSync(dir, { recursive: true, force: true });
}, CHECK_TIMEOUT_MS);

/** One line on stderr (console.warn would print a stack under it). */
function note(text: string): void {
  process.stderr.write(
    `sqlite mode: ${path.basename(testPath)} › ${expect.getState().currentTestName ?? '(after the file)'}: ${text}\n`,
  );
}

/**
 * Checks every registry still open; closes those `closing` selects (their writer threads end) and
 * deletes their files, also when the check failed.
 */
async function checkAll(closing: (t: Tracked) => boolean): Promise<void> {
  const problems: string[] = [];
  let partly = 0;
  for (const t of tracked) {
    if (t.done) continue;
    if (t.registry === null) {
      t.done = true; // its creation failed: the store released the file
      continue;
    }
    const registry = t.registry.deref();
    const where = `${path.basename(t.file)} (created ${t.testScoped ? 'in the test' : 'outside a test'})`;
    try {
      if (registry === undefined && t.lineages.size + t.records.length > 0) partly++;
      const found = await check(t, registry);
      if (found.length > 0) problems.push(`${where}:\n  ${found.join('\n  ')}`);
    } catch (error) {
      if (error instanceof NameCollision)
        note(
          `${path.basename(t.file)} not compared: ${error.message}; rows name classes by their type name (a known limitation, README "Durable history")`,
        );
      else problems.push(`${where}: the check failed: ${errorText(error)}`);
    } finally {
      if (closing(t)) {
        t.done = true;
        if (registry !== undefined) defaults.delete(registry);
        // A registry that was collected was closed, or never wrote (an open store keeps its registry).
        if (t.closed === null && registry !== undefined) await registry.close().catch(() => undefined);
        await places.remove(t.file);
      }
    }
  }
  if (partly > 0)
    note(
      `${partly} registr${partly === 1 ? 'y' : 'ies'} compared in part: the test dropped ${partly === 1 ? 'it' : 'them'}, ` +
        `so only ${partly === 1 ? 'its' : 'their'} lineages (present) and execution records were checked`,
    );
  if (problems.length > 0) {
    throw new Error(`sqlite mode: a reopened store differs from its registry\n${problems.join('\n')}`);
  }
}

/** The reopen check of one registry: the differences found (empty: exactly its history). */
async function check(t: Tracked, original: EntityRegistry | undefined): Promise<string[]> {
  if (t.closed !== null) {
    await t.closed; // closing flushed it (a failure is in t.failure)
  } else if (t.failure === null && original !== undefined) {
    await original.flush().catch((e: unknown) => (t.failure ??= e));
  }
  if (t.failure !== null) {
    const name = collidingName(t.failure);
    if (name !== null) throw new NameCollision(name, 'its write failed');
    return [`its store is in fail-stop: ${errorText(t.failure)}`];
  }
  return reopenDifferences(() => places.reopen(t.file), original, t);
}
