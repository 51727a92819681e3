/**
 * The model-based fuzzer (issue 12): random trees of the fuzz classes, random operations through
 * the public API, and oracles that check every step against a naive model.
 *
 * A run is a sequence of episodes, each a fresh registry with `opsPerEpisode` operations drawn
 * from the episode's seed (`mixSeed(seed, episode)`), so a failure replays with
 * `npm run fuzz -- --seed S --episode E` (and the same feature switches).
 *
 * Operations: promoteToRoot (also of trees holding get() copies of stored entities), execute and
 * aexecute of registered functions that apply a random edit script (drawn before the call, applied
 * inside the function through ordinary property access; sync, async with awaits between edits,
 * one or two input trees, inputs as stored versions, addresses or edited working trees, bases
 * that are older versions (branches), results that are the root, several outputs, a child alone,
 * new entities, plain values; scripts that throw after their edits), several aexecute calls at
 * once, version() of edited working trees (kept and edited again), put/get through addresses,
 * detach() and attach().
 *
 * Oracles, after every operation:
 *  - the forked set of each new version equals a naive recomputation: the same script applied to
 *    checkouts of the base versions (the model), `naiveDiff` (test/support/naive.ts) of the stored
 *    base against it; the new version reads exactly like the model (data, order, classes), the
 *    entities the naive diff calls modified are forks of their stored versions, new entities are
 *    new, and every other entity is the identical stored object of the base version;
 *  - the registry changed by exactly the expected versions (registryDelta); after an error it is
 *    identical except one failed FunctionExecution record (none for put/version);
 *  - results, semantics (mutation / creation / detachment / unchanged), output ids, outputIndex,
 *    siblings and provenance match the model;
 *  - no two stored objects share an ecsId, the ecsId index returns the object of each tree, every
 *    stored entity is frozen;
 * and at the end of each episode every stored version still reads byte-identically to its exact
 * text taken when it was created (oracles.ts `exactText`).
 */
import { performance } from 'node:perf_hooks';
import {
  AbstractionsError,
  CallableRegistry,
  Entity,
  EntityRegistry,
  StaleVersionError,
  FieldPathError,
  formatAddress,
  get,
  metadataSourceOf,
  put,
  type RootVersion,
} from '../../src';
import { canonical, naiveDiff as naiveDiffOf, naiveIndex, type NaiveNode } from '../support/naive';
import { rootVersions } from '../callable/dump-registry';
import {
  FuzzThrow,
  ancestry,
  applyEdit,
  dataFieldsOf,
  drawEdit,
  drawPlacement,
  insert,
  isEntity,
  newEntity,
  newTree,
  positions,
  removeAt,
  runScript,
  runScriptAsync,
  type Edit,
  type EditKind,
  type ReturnMode,
  type Script,
  type ScriptContext,
} from './edits';
import { FzNode, type FzEntity } from './models';
import {
  canonicalContent,
  contentText,
  exactText,
  firstDifference,
  lineageProblems,
  registryDelta,
  registryShape,
  relativeText,
  strayEntities,
  valueText,
  type RegistryShape,
} from './oracles';
import { Rng, mixSeed } from './rng';
import { MAP_KEYS, REC_KEYS, allowMapKeyEdits, dataValue, edgeNumber, edgeString, mutateField } from './values';
import { NMap, NSet, NDate, isArray, keys, defineProperty, isFrozen, stringify } from './natives';

// ---- feature switches -------------------------------------------------------------------------

/**
 * Features (tags an operation exercises) that fail today because of a known defect
 * (/work/shared/repros/DEFECTS.md). An operation with one of these tags is drawn again unless the
 * run enables every feature (`--all`, `FUZZ_ALL=1`). Remove an entry once its defect is fixed.
 */
export const KNOWN_FAILING: Readonly<Record<string, string>> = {
  'share.resolved-later':
    'N6: an entity put into a second place, then one of its holders taken out of the tree (or moved to another input tree): a spurious TreeStructureError ("occurs twice"), though each tree holds it once',
};

/**
 * The stored version (before the call) an entity descends from: `previousEcsId` followed through
 * the versions the same call stored (a detached child forks from its new version in the tree).
 */
function originOf(
  previous: string | null,
  storedBefore: ReadonlyMap<string, object>,
  storedNow: ReadonlyMap<string, Entity>,
): string | null {
  let id = previous;
  while (id !== null && !storedBefore.has(id)) {
    const e = storedNow.get(id);
    if (e === undefined) return null;
    id = e.previousEcsId;
  }
  return id;
}

function metaEcsId(e: object): string {
  return (e as Entity).ecsId;
}

/** Path segments `put` never writes through (README, "Field values"). */
const FORBIDDEN_SEGMENTS = new NSet(['__proto__', 'constructor', 'prototype']);

/** Naive indexes of stored roots (immutable: a change to one is caught by the snapshots). */
const storedIndexes = new WeakMap<Entity, Map<string, NaiveNode>>();

function naiveDiff(stored: Entity, after: Entity): ReturnType<typeof naiveDiffOf> {
  return naiveDiffOf(stored, after, (root) => {
    let index = storedIndexes.get(root);
    if (index === undefined) storedIndexes.set(root, (index = naiveIndex(root)));
    return index;
  });
}

// ---- registered functions ---------------------------------------------------------------------

/** Scripts of the calls in flight, by operation number (the functions receive the number). */
const scripts = new NMap<number, Script>();

function scriptOf(op: number): Script {
  const s = scripts.get(op);
  if (s === undefined) throw new Error(`fuzz: no script for op ${op}`);
  return s;
}

/** FUZZ_TRACE=1: the trees after each edit, by call (the model's and the function's), to find where they part. */
let TRACE = process.env.FUZZ_TRACE === '1';
const traces = new NMap<string, string[]>();
(globalThis as { __fuzzTraces?: unknown }).__fuzzTraces = traces;

function tracer(op: number, side: 'model' | 'function'): ((roots: readonly FzEntity[]) => void) | undefined {
  if (!TRACE) return undefined;
  const steps: string[] = [];
  traces.set(`${side} ${op}`, steps);
  const registry = EntityRegistry.default;
  const label = (e: Entity): string => (registry.findStoredEntity(e.ecsId) !== undefined ? `id:${e.ecsId}` : 'new');
  return (roots) => steps.push(roots.map((r) => relativeText(r, label)).join('\n'));
}

function context(op: number): ScriptContext {
  return { op, trace: tracer(op, 'function') };
}

export function registerFuzzFunctions(): void {
  CallableRegistry.register('fz_edit', ({ root, op }: { root: FzEntity; op: number }): unknown =>
    runScript(scriptOf(op), [root], context(op)),
  );
  CallableRegistry.register('fz_edit2', ({ a, b, op }: { a: FzEntity; b: FzEntity; op: number }): unknown =>
    runScript(scriptOf(op), [a, b], context(op)),
  );
  CallableRegistry.register('fz_edit_async', async ({ root, op }: { root: FzEntity; op: number }): Promise<unknown> =>
    runScriptAsync(scriptOf(op), [root], context(op)),
  );
  CallableRegistry.register(
    'fz_edit2_async',
    async ({ a, b, op }: { a: FzEntity; b: FzEntity; op: number }): Promise<unknown> =>
      runScriptAsync(scriptOf(op), [a, b], context(op)),
  );
}

/** Where the model's steps and the function's parted (FUZZ_TRACE=1), for a failure's details. */
function traceDifference(op: number): string | null {
  const all = traces.get(`model ${op}`);
  const log = all?.filter((l) => l.startsWith('# ')).map((l) => `    ${l.slice(2)}`) ?? [];
  const model = all?.filter((l) => !l.startsWith('# '));
  const fn = traces.get(`function ${op}`);
  if (!model || !fn) return null;
  for (let i = 0; i < Math.max(model.length, fn.length); i++) {
    if (model[i] !== fn[i])
      return `  trace: the function parted from the model after edit ${i} ${firstDifference(model[i] ?? '', fn[i] ?? '')}\n${log.join('\n')}`;
  }
  return `  trace: the function applied the edits exactly like the model:\n${log.join('\n')}`;
}

// ---- options, report --------------------------------------------------------------------------

export interface FuzzOptions {
  readonly seed: number;
  /** Operations to run (the last episode is cut short). */
  readonly ops: number;
  readonly opsPerEpisode?: number;
  /** Run only this episode (replay). */
  readonly episode?: number;
  /** Enable the KNOWN_FAILING features too. */
  readonly all?: boolean;
  /** Enable these KNOWN_FAILING features (to check one defect, or its fix). */
  readonly enable?: readonly string[];
  /** Keep going after a failure (with the next episode) and report every failure. */
  readonly collect?: boolean;
  /** Replay `episode` with one call reduced (see shrink). */
  readonly override?: Override;
  /** Log what every edit of the model did, and compare the function's steps with the model's (FUZZ_TRACE=1). */
  readonly trace?: boolean;
  readonly log?: (line: string) => void;
}

export interface FuzzFailure {
  readonly seed: number;
  readonly episode: number;
  readonly op: number;
  readonly kind: string;
  readonly tags: readonly string[];
  readonly problems: readonly string[];
  readonly detail: string;
  /** The failing registered-function call of the operation, if it was one. */
  readonly call: {
    readonly call: number;
    readonly edits: number;
    readonly ret: ReturnMode;
    readonly throwAfter: boolean;
  } | null;
}

/** Shrinking: replay an episode with one call of one operation reduced. */
export interface Override {
  readonly op: number;
  readonly call: number;
  /** Indices of the edits kept. */
  readonly keep: readonly number[];
  readonly ret?: ReturnMode;
  readonly keepThrow: boolean;
}

export interface FuzzReport {
  readonly seed: number;
  readonly mode: string;
  ops: number;
  episodes: number;
  versionsChecked: number;
  edits: number;
  redraws: number;
  readonly opsByKind: Record<string, number>;
  /** Milliseconds spent per kind of operation (checks included, drawing not). */
  readonly msByKind: Record<string, number>;
  readonly tagCounts: Record<string, number>;
  readonly failures: FuzzFailure[];
}

export class FuzzError extends Error {
  constructor(readonly failure: FuzzFailure) {
    super(describeFailure(failure));
    this.name = 'FuzzError';
  }
}

export function describeFailure(f: FuzzFailure, switches = ''): string {
  return [
    `fuzz failure: seed ${f.seed}, episode ${f.episode}, op ${f.op} (${f.kind}); replay: npm run fuzz -- --seed ${f.seed} --episode ${f.episode}${switches}`,
    `tags: ${f.tags.join(' ')}`,
    ...f.problems.map((p) => `- ${p}`),
    f.detail,
  ].join('\n');
}

// ---- the run ------------------------------------------------------------------------------------

type OpKind =
  | 'promote'
  | 'promoteCopy'
  | 'exec'
  | 'aexec'
  | 'exec2'
  | 'aexec2'
  | 'exec2same'
  | 'execWorking'
  | 'concurrent'
  | 'version'
  | 'put'
  | 'putStale'
  | 'get'
  | 'detach'
  | 'attach';

const OP_WEIGHTS: ReadonlyArray<readonly [OpKind, number]> = [
  ['promote', 5],
  ['promoteCopy', 1],
  ['exec', 20],
  ['aexec', 7],
  ['exec2', 7],
  ['aexec2', 3],
  ['exec2same', 3],
  ['execWorking', 5],
  ['concurrent', 4],
  ['version', 10],
  ['put', 6],
  ['putStale', 2],
  ['get', 4],
  ['detach', 4],
  ['attach', 3],
];

/** Runs the fuzzer; throws FuzzError on the first failure unless `collect`. */
export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const perEpisode = options.opsPerEpisode ?? 100;
  const report: FuzzReport = {
    seed: options.seed,
    mode: metadataSourceOf(FzNode),
    ops: 0,
    episodes: 0,
    versionsChecked: 0,
    edits: 0,
    redraws: 0,
    opsByKind: {},
    msByKind: {},
    tagCounts: {},
    failures: [],
  };
  const disabled = new NSet(options.all ? [] : keys(KNOWN_FAILING).filter((t) => !options.enable?.includes(t)));
  if (options.trace) TRACE = true;
  allowMapKeyEdits(!disabled.has('inplace.map-key-object'));
  const first = options.episode ?? 0;
  const last = options.episode ?? Number.MAX_SAFE_INTEGER;
  for (let e = first; e <= last && (options.episode !== undefined || report.ops < options.ops); e++) {
    const budget = options.episode !== undefined ? perEpisode : Math.min(perEpisode, options.ops - report.ops);
    const episode = new Episode(options.seed, e, disabled, report, options.override);
    try {
      await episode.run(budget);
    } catch (error) {
      if (!(error instanceof FuzzError)) throw error;
      report.failures.push(error.failure);
      options.log?.(
        describeFailure(
          error.failure,
          options.all ? ' --all' : options.enable?.length ? ` --enable ${options.enable.join(',')}` : '',
        ),
      );
      if (!options.collect) throw error;
    } finally {
      scripts.clear();
    }
    report.episodes++;
  }
  return report;
}

/**
 * Reduces the failing call of `failure` (found with `options`): drops edits one at a time, then
 * tries a plain result, while the replayed episode still fails at the same operation with the
 * same kind of problem. Returns the reduced failure, replayed with a trace of the edits.
 */
export async function shrink(options: FuzzOptions, failure: FuzzFailure): Promise<FuzzFailure> {
  const call = failure.call;
  if (call === null) return failure;
  const kind = (f: FuzzFailure): string =>
    f.problems[0]
      .replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, '#')
      .replace(/\(.*$/, '')
      .slice(0, 60);
  const wanted = kind(failure);
  const attempt = async (o: Override, trace = false): Promise<FuzzFailure | null> => {
    try {
      await runFuzz({ ...options, episode: failure.episode, override: o, collect: false, log: undefined, trace });
      return null;
    } catch (error) {
      if (!(error instanceof FuzzError)) throw error;
      const f = error.failure;
      return f.op === failure.op && f.call?.call === call.call && kind(f) === wanted ? f : null;
    }
  };
  let best: Override = {
    op: failure.op,
    call: call.call,
    keep: Array.from({ length: call.edits }, (_, i) => i),
    keepThrow: true,
  };
  for (let changed = true; changed;) {
    changed = false;
    for (let i = 0; i < best.keep.length; i++) {
      const next = { ...best, keep: best.keep.filter((_, j) => j !== i) };
      if (await attempt(next)) {
        best = next;
        changed = true;
        break;
      }
    }
  }
  if (call.throwAfter && (await attempt({ ...best, keepThrow: false }))) best = { ...best, keepThrow: false };
  for (const ret of ['root', 'value'] as const) {
    if (ret !== call.ret && (await attempt({ ...best, ret }))) {
      best = { ...best, ret };
      break;
    }
  }
  return (await attempt(best, true)) ?? failure;
}

// ---- one episode --------------------------------------------------------------------------------

interface InputPlan {
  readonly base: RootVersion;
  readonly form: 'stored' | 'address' | 'working';
  /** The caller's own edits to the working tree before the call. */
  readonly pre: readonly Edit[];
  readonly working: FzEntity | null;
}

type Outcome = 'ok' | 'throw' | 'invalid' | 'okOrInvalid';

interface CallPlan {
  readonly op: number;
  readonly fn: string;
  readonly async: boolean;
  readonly inputs: readonly InputPlan[];
  readonly script: Script;
  readonly outcome: Outcome;
  /** Why the model's trees are invalid (outcome 'invalid'). */
  readonly invalid: string | null;
  /** The model, computed before the call. */
  readonly model: Model | null;
  readonly tags: readonly string[];
}

interface Model {
  readonly roots: FzEntity[];
  readonly result: unknown;
  readonly threw: boolean;
}

class Episode {
  private readonly reg: EntityRegistry;
  private readonly rng: Rng;
  /** Exact text of every stored version, taken when it was created. */
  private readonly snapshots = new NMap<string, string>();
  /** Exact texts of stored entities when first seen (a change after that shows at the end of the episode). */
  private readonly texts = new WeakMap<Entity, string>();
  /** ecsId -> the stored object, over every version seen. */
  private readonly ids = new NMap<string, Entity>();
  /** Working trees kept between operations (edited and versioned again). */
  private pool: FzEntity[] = [];
  private opIndex = 0;
  /** Calls drawn (their numbers key the scripts). */
  private calls = 0;
  /** Edits drawn for the operation being prepared. */
  private pendingEdits = 0;
  private opKind = '';
  private tags = new NSet<string>();
  private problems: string[] = [];
  private detail: string[] = [];
  /** The first call of the operation whose check failed (for shrinking). */
  private failedCall: FuzzFailure['call'] = null;

  constructor(
    private readonly seed: number,
    private readonly episode: number,
    private readonly disabled: ReadonlySet<string>,
    private readonly report: FuzzReport,
    private readonly override?: Override,
  ) {
    this.reg = EntityRegistry.reset();
    CallableRegistry.reset();
    registerFuzzFunctions();
    this.rng = new Rng(mixSeed(seed, episode));
  }

  async run(budget: number): Promise<void> {
    let done = 0;
    while (done < budget) done += await this.runOp(budget - done);
    this.endOfEpisode();
  }

  // ---- operation frame ---------------------------------------------------------------------

  private drawKind(): OpKind {
    if (this.lineageIds().length < 3) return 'promote';
    return this.rng.weighted(
      OP_WEIGHTS.filter(([k]) => !(k === 'exec2same' && this.disabled.has('inputs.same-lineage'))),
    );
  }

  /** Runs one operation (drawn again while it is impossible or uses a disabled feature); returns how many calls it made. */
  private async runOp(room: number): Promise<number> {
    for (;;) {
      const kind = this.drawKind();
      this.tags = new NSet([`op.${kind}`]);
      this.problems = [];
      this.detail = [];
      this.failedCall = null;
      this.opKind = kind;
      this.pendingEdits = 0;
      const prepared = this.prepare(kind, room);
      if (prepared === null || [...this.tags].some((t) => this.disabled.has(t))) {
        this.report.redraws++;
        continue;
      }
      this.opIndex++;
      const t0 = performance.now();
      // A full capture (every stored object) where nothing may change: operations that may fail.
      const full =
        kind === 'putStale' ||
        [...this.tags].some((t) => t === 'outcome.throw' || t === 'outcome.invalid' || t === 'outcome.okOrInvalid');
      const before = registryShape(this.reg, full);
      const calls = await prepared(before);
      this.finishOp();
      this.report.ops += calls;
      this.report.edits += this.pendingEdits;
      this.report.opsByKind[kind] = (this.report.opsByKind[kind] ?? 0) + calls;
      this.report.msByKind[kind] = (this.report.msByKind[kind] ?? 0) + performance.now() - t0;
      for (const t of this.tags) this.report.tagCounts[t] = (this.report.tagCounts[t] ?? 0) + 1;
      return calls;
    }
  }

  private fail(problem: string): void {
    this.problems.push(problem);
  }

  private finishOp(): void {
    if (this.problems.length === 0) return;
    throw new FuzzError({
      seed: this.seed,
      episode: this.episode,
      op: this.opIndex,
      kind: this.opKind,
      tags: [...this.tags].sort(),
      problems: this.problems,
      detail: this.detail.join('\n'),
      call: this.failedCall,
    });
  }

  /** Draws an operation; returns the function that performs and checks it (null: not possible now). */
  private prepare(kind: OpKind, room: number): ((before: RegistryShape) => Promise<number>) | null {
    switch (kind) {
      case 'promote':
      case 'promoteCopy':
        return this.preparePromote(kind === 'promoteCopy');
      case 'exec':
      case 'aexec':
      case 'exec2':
      case 'aexec2':
      case 'exec2same':
      case 'execWorking': {
        const plan = this.drawCall(kind);
        return plan && (async (before) => this.performCalls([plan], before));
      }
      case 'concurrent': {
        const n = Math.min(room, 2 + this.rng.int(3));
        const plans: CallPlan[] = [];
        for (let i = 0; i < n; i++) {
          const plan = this.drawCall(this.rng.chance(0.7) ? 'aexec' : 'aexec2');
          if (plan) plans.push(plan);
        }
        if (plans.length < 2) return null;
        const bases = plans.map((p) => p.inputs[0].base.ecsId);
        if (new NSet(bases).size < bases.length) this.tags.add('concurrent.same-base');
        return async (before) => this.performCalls(plans, before);
      }
      case 'version':
        return this.prepareVersion();
      case 'put':
        return this.preparePut();
      case 'putStale':
        return this.preparePutStale();
      case 'get':
        return this.prepareGet();
      case 'detach':
        return this.prepareDetach();
      case 'attach':
        return this.prepareAttach();
    }
  }

  // ---- choosing -----------------------------------------------------------------------------

  private lineageIds(): string[] {
    const out: string[] = [];
    const seen = new NSet<string>();
    for (const v of rootVersions(this.reg)) {
      if (!seen.has(v.lineageId)) {
        seen.add(v.lineageId);
        out.push(v.lineageId);
      }
    }
    return out;
  }

  /** A version to start from: mostly a lineage's latest, sometimes an older one (a branch). */
  private pickBase(except?: string, tags: Set<string> = this.tags): RootVersion | null {
    const lineages = this.lineageIds().filter((l) => l !== except);
    if (lineages.length === 0) return null;
    const lineage = this.rng.pick(lineages);
    const entries = this.reg.lineage(lineage);
    const latest = this.rng.chance(0.7);
    const entry = latest ? entries[entries.length - 1] : this.rng.pick(entries);
    if (entry !== entries[entries.length - 1]) tags.add('input.branch');
    return this.reg.getVersion(entry.ecsId);
  }

  /**
   * A working tree to edit: one kept from an earlier operation (tag working.kept), or a checkout
   * of `fallback` (or of a random base). The model of an edit is a checkout of the tree's version.
   */
  private pickWorking(fallback?: RootVersion): { working: FzEntity; base: RootVersion } | null {
    if (this.pool.length > 0 && this.rng.chance(0.5)) {
      // taken out: the operation keeps it again if it still reads exactly like its version
      const working = this.pool.splice(this.rng.int(this.pool.length), 1)[0];
      const base = this.reg.getVersion(working.rootEcsId!);
      this.tags.add('working.kept');
      if (base !== this.reg.latestVersion(base.lineageId)) this.tags.add('input.branch');
      return { working, base };
    }
    const base = fallback ?? this.pickBase();
    return base === null ? null : { working: this.checkout(base), base };
  }

  /** Keeps a working tree for later operations if it reads exactly like its stored version (`exact`: known to). */
  private keep(working: FzEntity, exact = false): void {
    const id = working.rootEcsId;
    if (
      id === null ||
      !this.reg.hasVersion(id) ||
      (!exact && contentText(working) !== contentText(this.reg.getVersion(id).root as unknown as Entity))
    ) {
      this.pool = this.pool.filter((w) => w !== working);
      return;
    }
    if (this.pool.includes(working)) return;
    if (this.pool.length >= 4) this.pool.shift();
    this.pool.push(working);
  }

  private checkout(base: RootVersion): FzEntity {
    return this.reg.checkout<FzEntity>(base.ecsId);
  }

  private sizeOf(root: FzEntity): number {
    return positions([root]).length;
  }

  private drawEdits(r: Rng, size: number, max = 6): Edit[] {
    const big = size > 40;
    const weights: ReadonlyArray<readonly [EditKind, number]> = [
      ['write', 10],
      ['same', 2],
      ['inplace', 6],
      ['add', big ? 0 : 6],
      ['remove', big ? 10 : 3],
      ['move', 8],
      ['reorder', 4],
      ['swap', 2],
      ['detachReturn', 2],
      ['replace', big ? 0 : 2],
      ['share', 1],
      ['cycle', 1],
    ];
    const n = r.int(max + 1);
    this.pendingEdits += n;
    const out: Edit[] = [];
    for (let i = 0; i < n; i++) out.push(drawEdit(r, r.weighted(weights)));
    return out;
  }

  private drawScript(r: Rng, inputs: number, async: boolean, size: number): Script {
    const modes: ReadonlyArray<readonly [ReturnMode, number]> = [
      ['root', 12],
      ['roots', inputs > 1 ? 6 : 0],
      ['value', 2],
      ['child', 3],
      ['removed', 2],
      ['rootAndChild', 2],
      ['new', 2],
      ['newWrap', 1],
      ['rootAndNew', 2],
      ['nested', 1],
    ];
    const edits = this.drawEdits(r, size);
    return {
      edits,
      ret: r.weighted(modes),
      retPick: r.next(),
      retSeed: r.next(),
      retAt: drawPlacement(r),
      throwAfter: r.chance(0.07),
      // mostly microtasks; a macrotask now and then (other calls in flight run in between either way)
      awaits: async
        ? Array.from({ length: edits.length + 1 }, () =>
            r.weighted([
              [0, 3],
              [1, 4],
              [2, 1],
            ] as const),
          )
        : [],
    };
  }

  // ---- registered-function calls ------------------------------------------------------------

  private drawCall(kind: OpKind): CallPlan | null {
    const r = this.rng;
    const tags = new NSet<string>();
    const two = kind === 'exec2' || kind === 'aexec2' || kind === 'exec2same';
    const async = kind === 'aexec' || kind === 'aexec2';
    const base = this.pickBase(undefined, tags);
    if (base === null) return null;
    let second: RootVersion | null = null;
    if (two) {
      if (kind === 'exec2same') {
        const entries = this.reg.lineage(base.lineageId).filter((e) => e.ecsId !== base.ecsId);
        if (entries.length === 0) return null;
        second = this.reg.getVersion(r.pick(entries).ecsId);
        tags.add('inputs.same-lineage');
      } else {
        second = this.pickBase(base.lineageId, tags);
        if (second === null) return null;
      }
    }
    const form = (): InputPlan['form'] => (r.chance(0.3) ? 'address' : 'stored');
    const inputs: InputPlan[] = [];
    if (kind === 'execWorking') {
      const { working, base: wBase } = this.pickWorking(base)!;
      // The caller's own edits: valid trees only (an invalid one fails before the call, leaving nothing).
      const pre = this.drawEdits(r, this.sizeOf(working), 3).filter((e) => e.k !== 'share' && e.k !== 'cycle');
      inputs.push({ base: wBase, form: 'working', pre, working });
    } else {
      inputs.push({ base, form: form(), pre: [], working: null });
      if (second) inputs.push({ base: second, form: form(), pre: [], working: null });
    }
    for (const i of inputs) tags.add(`input.${i.form}`);
    const size = inputs.reduce((n, i) => n + this.sizeOf(i.base.root as unknown as FzEntity), 0);
    const script = this.drawScript(r, inputs.length, async, size);
    const plan: CallPlan = {
      op: ++this.calls,
      fn: two ? (async ? 'fz_edit2_async' : 'fz_edit2') : async ? 'fz_edit_async' : 'fz_edit',
      async,
      inputs,
      script,
      outcome: 'ok',
      invalid: null,
      model: null,
      tags: [],
    };
    const planned = this.plan(plan, tags);
    for (const t of tags) this.tags.add(t);
    return planned;
  }

  /** The model of a call and what it exercises: its expected outcome and its tags. */
  private plan(plan: CallPlan, tags: Set<string>): CallPlan {
    const { inputs } = plan;
    for (const i of inputs) tags.add(`input.${i.form}`);
    const model = this.modelOf(
      plan,
      inputs.map((i) => i.base),
      tags,
    );
    const invalid = model.threw ? null : this.invalidReason(model.roots, tags, outputsOf(model.result) ?? []);
    if (
      invalid === null &&
      !model.threw &&
      (tags.has('edit.share') || tags.has('edit.cycle-reachable')) &&
      this.sharedOnTheWay(plan)
    )
      tags.add('share.resolved-later');
    // A cycle the script made that no root reaches any more (taken out first, or its way in removed later) is an island.
    if (invalid === null && tags.has('edit.cycle-reachable')) tags.add('edit.cycle-island');
    if (
      invalid !== null &&
      this.twiceBelowGone(
        model.roots,
        inputs.map((i) => i.base),
      )
    )
      tags.add('twice.old-ancestor-gone');
    const outcome: Outcome = model.threw
      ? 'throw'
      : invalid !== null
        ? 'invalid'
        : tags.has('edit.cycle-island')
          ? 'okOrInvalid'
          : 'ok';
    tags.add(`outcome.${outcome}`);
    if (outcome === 'ok' || outcome === 'okOrInvalid') {
      // what the function starts from: the stored bases, with the caller's own edits (its pre-call version)
      const starts = inputs.map((i) => {
        if (i.pre.length === 0) return i.base.root as unknown as Entity;
        const w = this.checkout(i.base);
        for (const ed of i.pre) applyEdit([w], ed);
        return w;
      });
      this.tagResult(model, starts, tags);
    }
    return { ...plan, outcome, invalid, model, tags: [...tags].sort() };
  }

  /** An entity twice in a tree (shared or a cycle), and an entity that was above it in the stored version is no longer in that tree. */
  private twiceBelowGone(roots: readonly FzEntity[], bases: readonly RootVersion[]): boolean {
    return roots.some((root, t) => {
      const repeated: FzEntity[] = [];
      const now = new NSet(positions([root], (e) => repeated.push(e)).map((q) => q.e.ecsId));
      if (repeated.length === 0) return false;
      const before = positions([bases[t].root as unknown as FzEntity]);
      const parentOf = new NMap(before.map((q) => [q.e.ecsId, q.parent?.ecsId ?? null]));
      return repeated.some((x) => {
        for (let id = parentOf.get(x.ecsId) ?? null; id !== null; id = parentOf.get(id) ?? null)
          if (!now.has(id)) return true;
        return false;
      });
    });
  }

  /** An entity was in more places of one input tree after some edit of the script than at the end. */
  private sharedOnTheWay(plan: CallPlan): boolean {
    const roots = plan.inputs.map((i) => this.checkout(i.base));
    const most = new NMap<string, number>();
    const count = (): Map<string, number> => {
      const n = new NMap<string, number>();
      roots.forEach((r, t) => {
        const add = (e: Entity): void => void n.set(`${t} ${e.liveId}`, (n.get(`${t} ${e.liveId}`) ?? 0) + 1);
        for (const q of positions([r], add)) add(q.e);
      });
      return n;
    };
    const step = (): void => {
      for (const [e, k] of count()) if (k > (most.get(e) ?? 1)) most.set(e, k);
    };
    try {
      runScript(plan.script, roots, { op: plan.op, trace: step });
    } catch (error) {
      if (!(error instanceof FuzzThrow)) throw error;
    }
    const end = count();
    return [...most].some(([e, k]) => k > (end.get(e) ?? 0));
  }

  /** The model: the caller's edits and the script applied to checkouts of `bases`. */
  private modelOf(plan: CallPlan, bases: readonly RootVersion[], tags?: Set<string>): Model {
    const roots = bases.map((b) => this.checkout(b));
    plan.inputs.forEach((input, i) => {
      for (const ed of input.pre) applyEdit([roots[i]], ed, tags);
    });
    try {
      const log = TRACE && tags ? (line: string) => traces.get(`model ${plan.op}`)?.push(`# ${line}`) : undefined;
      return {
        roots,
        result: runScript(plan.script, roots, {
          op: plan.op,
          tags,
          trace: tags ? tracer(plan.op, 'model') : undefined,
          log,
        }),
        threw: false,
      };
    } catch (error) {
      if (error instanceof FuzzThrow) return { roots, result: undefined, threw: true };
      throw error;
    }
  }

  /** Tags for result shapes that meet known defects (they depend on what the model changed). */
  private tagResult(model: Model, starts: readonly Entity[], tags: Set<string>): void {
    const s = model.result;
    model.roots.forEach((root, i) => {
      // another stored version of an entity the base holds, put in its place (from another input tree)
      const byLineage = new NMap(positions([starts[i] as FzEntity]).map((q) => [q.e.lineageId, q.e.ecsId]));
      for (const q of positions([root])) {
        const there = byLineage.get(q.e.lineageId);
        if (there !== undefined && there !== q.e.ecsId && this.reg.findStoredEntity(q.e.ecsId) !== undefined)
          tags.add('edit.other-version');
      }
    });
    if (model.roots.length > 1) {
      // a stored entity in two input trees with something modified below it
      const trees = model.roots.map((r) => positions([r]));
      const inFirst = new NSet(trees[0].map((q) => q.e));
      const shared = trees[1].filter((q) => inFirst.has(q.e)).map((q) => q.e);
      if (shared.length > 0) {
        const modified = new NSet(model.roots.flatMap((r, i) => naiveDiff(starts[i], r).modified));
        const within = ancestry(trees[1]);
        if (trees[1].some((q) => modified.has(q.e.ecsId) && shared.some((x) => x !== q.e && within(q.e, x))))
          tags.add('share.cross-tree.changed-below');
      }
    }
    const stored = (e: Entity): boolean => this.reg.findStoredEntity(e.ecsId) !== undefined;
    if (tags.has('ret.child') || tags.has('ret.rootAndChild')) {
      // a child returned that stays in its tree
      const child = (tags.has('ret.child') ? s : (s as unknown[])[1]) as FzEntity;
      const below = positions([child]).slice(1);
      if (below.some((p) => !stored(p.e))) tags.add('ret.child.new-below');
      const modified = new NSet(naiveDiff(starts[0], model.roots[0]).modified);
      if (below.some((p) => stored(p.e) && modified.has(p.e.ecsId))) tags.add('ret.child.modified-below');
      // with several outputs, a child that forks in any input tree (changed in its own, or added to another)
      if (
        tags.has('ret.rootAndChild') &&
        model.roots.some((r, i) => (i === 0 ? modified : new NSet(naiveDiff(starts[i], r).modified)).has(child.ecsId))
      )
        tags.add('ret.rootAndChild.modified');
    }
  }

  /**
   * Why the model's trees cannot be stored (a typed error is expected), or null: an entity twice
   * in a tree (shared or a cycle), two entities of one lineage in a tree, or an entity in two
   * trees (except the root of one of them: attached to the other).
   */
  private invalidReason(roots: readonly FzEntity[], tags: Set<string>, outputs: readonly Entity[] = []): string | null {
    // Returned entities outside the input trees become roots of their own: their trees must be valid too.
    const inTrees = new NSet(positions(roots).map((q) => q.e));
    for (const o of outputs) {
      if (inTrees.has(o as FzEntity)) continue;
      let problem: string | null = null;
      const all = positions(
        [o as FzEntity],
        (e) =>
          (problem ??= `returned ${o.constructor.name}: ${e.constructor.name} ${e.ecsId} occurs twice (shared or a cycle)`),
      );
      if (problem !== null) {
        tags.add('ret.cycle-or-shared');
        return problem;
      }
      if (new NSet(all.map((q) => q.e.lineageId)).size !== all.length)
        return `returned ${o.constructor.name}: two entities of one lineage`;
      if (all.some((q) => inTrees.has(q.e))) tags.add('ret.new.holds-tree-entity');
    }
    const owner = new NMap<Entity, number>();
    for (let t = 0; t < roots.length; t++) {
      let problem: string | null = null;
      const all = positions(
        [roots[t]],
        (e) => (problem ??= `tree ${t}: ${e.constructor.name} ${e.ecsId} occurs twice (shared or a cycle)`),
      );
      if (problem !== null) return problem;
      const lineages = new NSet<string>();
      for (const { e } of all) {
        if (lineages.has(e.lineageId)) return `tree ${t}: two entities of lineage ${e.lineageId}`;
        lineages.add(e.lineageId);
        const o = owner.get(e);
        // An entity in two input trees is a shared reference, unless it is the root of one of them
        // (an input's root put into another tree is attached there; its own tree stays as it was).
        if (o !== undefined && e !== roots[o] && e !== roots[t]) {
          tags.add(
            this.reg.findStoredEntity(e.ecsId) === undefined ? 'share.cross-tree.new' : 'share.cross-tree.stored',
          );
          return `${e.constructor.name} ${e.ecsId} is in trees ${o} and ${t}`;
        }
        owner.set(e, t);
      }
    }
    return null;
  }

  private async performCalls(drawn: readonly CallPlan[], before: RegistryShape): Promise<number> {
    const plans = drawn.map((p, k) => {
      const o = this.override;
      if (o === undefined || o.op !== this.opIndex || o.call !== k) return p;
      // Shrinking: the same call with fewer edits (and maybe a simpler result).
      const script: Script = {
        ...p.script,
        edits: o.keep.map((i) => p.script.edits[i]),
        ret: o.ret ?? p.script.ret,
        throwAfter: o.keepThrow && p.script.throwAfter,
      };
      return this.plan({ ...p, script }, new NSet());
    });
    const recordsBefore = CallableRegistry.executions().length;
    for (const p of plans) scripts.set(p.op, p.script);
    // The caller's own edits to working inputs, then the calls (all started before any is awaited).
    for (const p of plans) for (const i of p.inputs) if (i.working) for (const ed of i.pre) applyEdit([i.working], ed);
    const settled: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
    if (plans.length === 1 && !plans[0].async) {
      try {
        settled.push({ ok: true, value: CallableRegistry.execute(plans[0].fn, this.argsOf(plans[0])) });
      } catch (error) {
        settled.push({ ok: false, error });
      }
    } else {
      const promises = plans.map((p) => CallableRegistry.aexecute(p.fn, this.argsOf(p)));
      for (const r of await Promise.allSettled(promises))
        settled.push(r.status === 'fulfilled' ? { ok: true, value: r.value } : { ok: false, error: r.reason });
    }
    for (const p of plans) scripts.delete(p.op);

    const records = CallableRegistry.executions().slice(recordsBefore);
    if (records.length !== plans.length) this.fail(`${records.length} new execution records for ${plans.length} calls`);
    const allowed: RootVersion[] = [];
    plans.forEach((p, k) => {
      this.detail.push(
        `call ${k}: ${p.fn} op ${p.op} outcome ${p.outcome}${p.invalid ? ` (${p.invalid})` : ''} tags ${p.tags.join(' ')}`,
      );
      this.detail.push(
        `  inputs: ${p.inputs.map((i) => `${i.form} ${i.base.ecsId}${i.pre.length ? ` pre ${stringify(i.pre)}` : ''}`).join(', ')}`,
      );
      this.detail.push(`  script: ${stringify(p.script)}`);
      const trace = traceDifference(p.op);
      if (trace !== null) this.detail.push(trace);
      const record = records.find((rec) => (rec.inputs.values as { op?: number }).op === p.op);
      if (!record) {
        this.fail(`call ${k}: no execution record`);
        return;
      }
      const problems = this.problems.length;
      allowed.push(...this.checkCall(p, settled[k], record));
      if (this.problems.length > problems && this.failedCall === null)
        this.failedCall = { call: k, edits: p.script.edits.length, ret: p.script.ret, throwAfter: p.script.throwAfter };
    });
    this.checkDelta(before, allowed);
    return plans.length;
  }

  private argsOf(p: CallPlan): Record<string, unknown> {
    const arg = (i: InputPlan): unknown =>
      i.form === 'working' ? i.working : i.form === 'address' ? `@${i.base.ecsId}` : i.base.root;
    return p.inputs.length === 1
      ? { root: arg(p.inputs[0]), op: p.op }
      : { a: arg(p.inputs[0]), b: arg(p.inputs[1]), op: p.op };
  }

  /** Checks one call against its model; returns the versions it may have added. */
  private checkCall(
    p: CallPlan,
    outcome: { ok: true; value: unknown } | { ok: false; error: unknown },
    record: ReturnType<typeof CallableRegistry.executions>[number],
  ): RootVersion[] {
    const allowed: RootVersion[] = [];
    // The caller's edited working tree was versioned before the call (kept even if the call fails).
    const bases = p.inputs.map((input, i) => {
      if (!input.working) return input.base;
      const now = input.working.rootEcsId!;
      if (now === input.base.ecsId) {
        const model = this.checkout(input.base);
        for (const ed of input.pre) applyEdit([model], ed);
        if (naiveDiff(input.base.root as unknown as Entity, model).modified.length > 0)
          this.fail(`input ${i}: the edited working tree was not versioned before the call`);
        this.keep(input.working); // dropped if the caller's edits left it unlike its version (a reordered Set)
        return input.base;
      }
      const v1 = this.reg.getVersion(now);
      allowed.push(v1);
      const model = this.checkout(input.base);
      for (const ed of input.pre) applyEdit([model], ed);
      this.checkTreeVersion(`input ${i} (pre-call version)`, input.base, model, [v1], this.ids);
      if (canonicalContent(input.working) !== canonicalContent(v1.root as unknown as FzEntity))
        this.fail(`input ${i}: the working tree does not read like its pre-call version`);
      this.keep(input.working);
      return v1;
    });
    const storedBefore: Map<string, Entity> = allowed.length === 0 ? this.ids : new NMap(this.ids);
    for (const v of allowed)
      for (const q of positions([v.root as unknown as FzEntity]))
        if (!storedBefore.has(q.e.ecsId)) storedBefore.set(q.e.ecsId, q.e);

    if (!outcome.ok) {
      const error = outcome.error;
      const name = error instanceof Error ? `${error.constructor.name}: ${error.message.slice(0, 300)}` : String(error);
      if (record.status !== 'failed') this.fail(`the call threw (${name}) but its record says ${record.status}`);
      if (p.outcome === 'ok') this.fail(`unexpected error: ${name}`);
      else if (p.outcome === 'throw' && !(error instanceof FuzzThrow && error.op === p.op))
        this.fail(`expected the script's own FuzzThrow, got ${name}`);
      else if ((p.outcome === 'invalid' || p.outcome === 'okOrInvalid') && !(error instanceof AbstractionsError))
        this.fail(`expected a typed error (${p.invalid ?? 'island cycle'}), got ${name}`);
      if (record.versionIds.length > 0) this.fail(`a failed record lists versions ${record.versionIds.join(', ')}`);
      return allowed;
    }
    if (p.outcome === 'throw' || p.outcome === 'invalid') {
      this.fail(
        `expected ${p.outcome === 'throw' ? 'the FuzzThrow' : `a TreeStructureError (${p.invalid})`}, the call succeeded`,
      );
      return allowed;
    }
    if (record.status !== 'succeeded') this.fail(`record status ${record.status} for a call that returned`);

    // The model from the bases the function really started from (a working input: its pre-call
    // version, or its stored version when the caller's edits changed nothing, like a reordered Map).
    const model = p.inputs.some((i) => i.working)
      ? this.modelOf({ ...p, inputs: p.inputs.map((i) => ({ ...i, pre: [] })) }, bases)
      : p.model!;
    if (model.threw) {
      this.fail('the model threw on the second application');
      return allowed;
    }
    const fresh = record.versionIds.map((id) => this.reg.getVersion(id));
    // Everything this call stored, by ecsId: a detached child forks from the version the call left
    // in its tree (README, "Registered functions"), so its origin is found through these.
    const storedNow = new NMap<string, Entity>();
    for (const v of fresh) for (const q of positions([v.root as unknown as FzEntity])) storedNow.set(q.e.ecsId, q.e);
    allowed.push(...fresh);
    const used = new NSet<RootVersion>();
    const result = outcome.value;

    // Input trees: versioned exactly when the model changed them.
    const treeResult: Array<{ version: RootVersion | null; changed: boolean }> = bases.map((base, i) => {
      const mine = fresh.filter((v) => v.lineageId === base.lineageId && v.parentEcsId === base.ecsId);
      mine.forEach((v) => used.add(v));
      const { changed } = this.checkTreeVersion(`input ${i}`, base, model.roots[i], mine, storedBefore);
      return { version: mine[0] ?? null, changed };
    });

    // The result against the model's result.
    const modelOuts = outputsOf(model.result);
    const actualOuts = outputsOf(result);
    if (modelOuts === null || actualOuts === null) {
      if (valueText(result, () => 'E') !== valueText(model.result, () => 'E'))
        this.fail(`result ${valueText(result, () => 'E')}, model ${valueText(model.result, () => 'E')}`);
    } else if (!sameShape(model.result, result) || modelOuts.length !== actualOuts.length) {
      this.fail(`result shape differs from the model's: ${describeShape(result)} vs ${describeShape(model.result)}`);
    } else {
      const semantics: string[] = [];
      const multiple = !(model.result instanceof Entity);
      modelOuts.forEach((mo, k) => {
        const ao = actualOuts[k];
        const tree = model.roots.indexOf(mo as FzEntity);
        if (tree >= 0) {
          const t = treeResult[tree];
          const expected = t.changed ? t.version?.root : bases[tree].root;
          if (expected !== undefined && ao !== (expected as unknown))
            this.fail(`output ${k}: not the ${t.changed ? 'new version' : 'stored version'} of input ${tree}`);
          semantics.push(t.changed ? 'mutation' : 'unchanged');
          if (t.changed && multiple) this.checkOutputIdentity(k, ao, actualOuts);
          return;
        }
        const detachment = storedBefore.has(mo.ecsId);
        semantics.push(detachment ? 'detachment' : 'creation');
        const holder = detachment ? -1 : model.roots.findIndex((root) => positions([root]).some((q) => q.e === mo));
        if (holder >= 0) {
          // A new entity returned that the function also put into an input tree: the result is
          // its stored version inside that tree's new version (no lineage of its own).
          const v = treeResult[holder].version;
          if (
            !v ||
            !positions([v.root as unknown as FzEntity]).some((q) => (q.e as Entity) === ao) ||
            ao.rootEcsId !== v.ecsId
          )
            this.fail(`output ${k}: a new entity inside input ${holder} is not the stored entity of its new version`);
          if (multiple) this.checkOutputIdentity(k, ao, actualOuts);
          return;
        }
        const v = fresh.find((x) => (x.root as unknown) === ao);
        if (!v) {
          this.fail(
            `output ${k} (${detachment ? 'detachment' : 'creation'}) is not the root of a new version of this call`,
          );
          return;
        }
        used.add(v);
        if (v.parentEcsId !== null) this.fail(`output ${k}: new root version has parent ${v.parentEcsId}`);
        if (v.lineageId !== ao.lineageId)
          this.fail(`output ${k}: version lineage ${v.lineageId} is not its root's lineage ${ao.lineageId}`);
        if (detachment) {
          if (ao.lineageId !== mo.lineageId)
            this.fail(`output ${k}: the detached root has lineage ${ao.lineageId}, not the child's ${mo.lineageId}`);
          if (originOf(ao.previousEcsId, storedBefore, storedNow) !== mo.ecsId) {
            this.fail(
              `output ${k}: the detached root's previousEcsId is ${ao.previousEcsId}, neither the child's id ${mo.ecsId} nor its new version in the tree`,
            );
          }
          // The child's version in its tree as the call left it (forked or not) is what it forks from.
          const home = model.roots.findIndex((root) => positions([root]).some((q) => q.e === mo));
          const inTree = home < 0 ? undefined : treeResult[home].version?.index.get(mo.lineageId);
          if (inTree !== undefined && metaEcsId(inTree) !== ao.previousEcsId) {
            this.fail(
              `output ${k}: the detached root's previousEcsId is ${ao.previousEcsId}, not the child's version in its tree ${metaEcsId(inTree)}`,
            );
          }
        }
        this.checkNewRoot(`output ${k}`, ao as FzEntity, mo as FzEntity, storedBefore, storedNow);
        if (multiple) this.checkOutputIdentity(k, ao, actualOuts);
      });
      if (record.semantics.join() !== semantics.join())
        this.fail(`record semantics [${record.semantics.join()}], expected [${semantics.join()}]`);
      if (record.outputIds.join() !== actualOuts.map((o) => o.ecsId).join())
        this.fail(`record outputIds ${record.outputIds.join()} are not the result's ids`);
    }
    for (const v of fresh)
      if (!used.has(v))
        this.fail(`the call made an unexpected version ${v.ecsId} (lineage ${v.lineageId}, parent ${v.parentEcsId})`);
    // Provenance of everything this call stored.
    for (const v of fresh) {
      for (const q of positions([v.root as unknown as FzEntity])) {
        if (storedBefore.has(q.e.ecsId)) continue;
        if (q.e.derivedFromExecutionId !== record.id || q.e.derivedFromFunction !== p.fn) {
          this.fail(
            `${q.e.ecsId} in version ${v.ecsId}: provenance ${q.e.derivedFromFunction}/${q.e.derivedFromExecutionId}, expected ${p.fn}/${record.id}`,
          );
          break;
        }
      }
    }
    return allowed;
  }

  private checkOutputIdentity(k: number, ao: Entity, outs: readonly Entity[]): void {
    if (ao.outputIndex !== k) this.fail(`output ${k}: outputIndex ${ao.outputIndex}`);
    const siblings = outs.filter((_, j) => j !== k).map((o) => o.ecsId);
    if (ao.siblingOutputEntities.join() !== siblings.join())
      this.fail(
        `output ${k}: siblingOutputEntities [${ao.siblingOutputEntities.join()}], expected [${siblings.join()}]`,
      );
  }

  /**
   * One input tree: `fresh` (its new versions) must be exactly one version iff the naive diff of
   * the stored base against the model is not empty, and read like the model. Returns whether it changed.
   */
  private checkTreeVersion(
    what: string,
    base: RootVersion,
    model: FzEntity,
    fresh: readonly RootVersion[],
    storedBefore: ReadonlyMap<string, object>,
  ): { changed: boolean; forks: string[] } {
    const diff = naiveDiff(base.root as unknown as Entity, model);
    const forks = diff.modified.filter((id) => storedBefore.has(id));
    const changed = diff.modified.length > 0;
    if (!changed) {
      if (fresh.length > 0)
        this.fail(
          `${what}: the model did not change the tree, but version(s) ${fresh.map((v) => v.ecsId).join(', ')} were made`,
        );
    } else if (fresh.length !== 1) {
      this.fail(
        `${what}: expected one new version of ${base.ecsId} (modified ${diff.modified.length}), found ${fresh.length}`,
      );
    } else {
      this.checkTree(what, fresh[0].root as unknown as FzEntity, model, new NSet(forks), storedBefore);
    }
    return { changed, forks };
  }

  /** A new root version (creation, detachment, promotion): every stored entity in it forks. */
  private checkNewRoot(
    what: string,
    actual: FzEntity,
    model: FzEntity,
    storedBefore: ReadonlyMap<string, object>,
    storedNow?: ReadonlyMap<string, Entity>,
  ): void {
    const forks = new NSet(
      positions([model])
        .map((q) => q.e.ecsId)
        .filter((id) => storedBefore.has(id)),
    );
    this.checkTree(what, actual, model, forks, storedBefore, storedNow);
  }

  /** The stored tree reads like the model: same data and order, exactly `forks` forked, new entities new, the rest the same stored objects. */
  private checkTree(
    what: string,
    actual: FzEntity,
    model: FzEntity,
    forks: ReadonlySet<string>,
    storedBefore: ReadonlyMap<string, object>,
    storedNow: ReadonlyMap<string, Entity> = new NMap(),
  ): void {
    const actualLabel = (e: Entity): string => {
      if (storedBefore.has(e.ecsId)) return `old:${e.ecsId}`;
      const origin = originOf(e.previousEcsId, storedBefore, storedNow);
      return origin !== null ? `fork:${origin}` : 'new';
    };
    const modelLabel = (e: Entity): string =>
      storedBefore.has(e.ecsId) ? `${forks.has(e.ecsId) ? 'fork' : 'old'}:${e.ecsId}` : 'new';
    // A fork keeps the stored value of a field the naive diff calls unchanged (-0 written over 0,
    // another key order of a record), unless a child in it forked or a Map or Set in it has a new
    // iteration order (README: "a version that is written anyway stores the working tree's
    // order"): then the new value. Its entities are the model's (by lineage: the structure is the same).
    const modelByLineage = new NMap(positions([model]).map((q) => [q.e.lineageId, q.e as Entity]));
    const modelField = (e: Entity, f: string): unknown => {
      const now = (e as unknown as Record<string, unknown>)[f];
      const source = forks.has(e.ecsId) ? storedBefore.get(e.ecsId) : undefined;
      if (source === undefined) return now;
      const was = (source as Record<string, unknown>)[f];
      if (canonical(was) !== canonical(now)) return now;
      return entitiesIn(now).some((c) => forks.has(c.ecsId)) || !sameOrder(was, now) ? now : was;
    };
    const a = relativeText(actual, actualLabel);
    const m = relativeText(model, modelLabel, modelField, (e) => modelByLineage.get(e.lineageId) ?? e);
    if (a !== m) {
      this.fail(
        `${what}: the stored version does not read like the model (forks expected: ${[...forks].join(' ')}) ${firstDifference(m, a)}`,
      );
      return;
    }
    for (const q of positions([actual])) {
      const e = q.e;
      const old = storedBefore.get(e.ecsId);
      if (old !== undefined && old !== e) this.fail(`${what}: ${e.ecsId} is a second object under a stored ecsId`);
      if (old === undefined && e.previousEcsId !== null && storedBefore.has(e.previousEcsId)) {
        const source = storedBefore.get(e.previousEcsId) as Entity;
        if (source.lineageId !== e.lineageId)
          this.fail(`${what}: fork ${e.ecsId} of ${e.previousEcsId} changed lineage`);
      }
    }
  }

  // ---- promote ------------------------------------------------------------------------------

  private preparePromote(withCopy: boolean): ((before: RegistryShape) => Promise<number>) | null {
    const seed = this.rng.next();
    const size = 1 + this.rng.int(24);
    const build = (tags?: Set<string>): FzEntity => newTree(new Rng(seed), size, tags);
    this.tags.add(`promote.size${size < 8 ? '<8' : size < 16 ? '<16' : '<25'}`);
    let copyOf: Entity | null = null;
    const at = drawPlacement(this.rng);
    const into = this.rng.next();
    if (withCopy) {
      const base = this.pickBase();
      if (base === null) return null;
      const all = positions([base.root as unknown as FzEntity]);
      copyOf = all[this.rng.int(all.length)].e;
      this.tags.add('promote.get-copy');
    }
    const tree = build(this.tags);
    const model = build();
    if (copyOf) {
      for (const t of [tree, model]) {
        const all = positions([t]);
        insert(all[into % all.length].e, at, get<FzEntity>(`@${copyOf.ecsId}`));
      }
    }
    return async (before) => {
      this.detail.push(`promote seed ${seed} size ${size}${copyOf ? ` with a get() copy of ${copyOf.ecsId}` : ''}`);
      try {
        this.reg.promoteToRoot(tree);
      } catch (error) {
        this.fail(`promoteToRoot threw ${String(error)}`);
        return 1;
      }
      const v = this.reg.hasVersion(tree.ecsId) ? this.reg.getVersion(tree.ecsId) : null;
      if (!v) {
        this.fail('no version for the promoted root');
        return 1;
      }
      if (v.parentEcsId !== null || v.lineageId !== tree.lineageId)
        this.fail(`promoted version: parent ${v.parentEcsId}, lineage ${v.lineageId}`);
      this.checkNewRoot('promoted tree', v.root as unknown as FzEntity, model, this.ids);
      if (contentText(tree) !== contentText(v.root as unknown as Entity))
        this.fail(
          `the promoted working tree does not read like its stored version ${firstDifference(contentText(v.root as unknown as Entity), contentText(tree))}`,
        );
      this.checkDelta(before, [v]);
      this.keep(tree, true);
      return 1;
    };
  }

  // ---- version ------------------------------------------------------------------------------

  private prepareVersion(): ((before: RegistryShape) => Promise<number>) | null {
    const picked = this.pickWorking();
    if (picked === null) return null;
    const { working, base } = picked;
    const edits = this.drawEdits(this.rng, this.sizeOf(working));
    const model = this.checkout(base);
    for (const ed of edits) applyEdit([model], ed, this.tags);
    const invalid = this.invalidReason([model], this.tags);
    if (invalid !== null) this.tags.add('outcome.invalid');
    return async (before) => {
      this.detail.push(`version of a working tree of ${base.ecsId}: edits ${stringify(edits)}`);
      for (const ed of edits) applyEdit([working], ed);
      let result: ReturnType<EntityRegistry['version']>;
      try {
        result = this.reg.version(working);
      } catch (error) {
        if (invalid === null) this.fail(`version() threw ${describeError(error)}`);
        else if (!(error instanceof AbstractionsError))
          this.fail(`version() of an invalid tree (${invalid}) threw an untyped ${describeError(error)}`);
        this.pool = this.pool.filter((w) => w !== working);
        this.checkDelta(before, []);
        return 1;
      }
      if (invalid !== null) {
        this.fail(`version() of an invalid tree (${invalid}) succeeded`);
        return 1;
      }
      const fresh = result.created ? [this.reg.getVersion(result.rootEcsId)] : [];
      const { changed, forks } = this.checkTreeVersion('version()', base, model, fresh, this.ids);
      if (changed !== result.created) this.fail(`version() created ${result.created}, the naive diff says ${changed}`);
      forks.sort();
      if ([...result.idMap.keys()].sort().join() !== forks.join())
        this.fail(`version() idMap keys ${[...result.idMap.keys()].sort().join()} != naive forks ${forks.join()}`);
      if (result.rootEcsId !== working.ecsId)
        this.fail(`version() rootEcsId ${result.rootEcsId}, the working root is ${working.ecsId}`);
      const stored = this.reg.getVersion(working.ecsId).root as unknown as FzEntity;
      if (canonicalContent(working) !== canonicalContent(stored))
        this.fail(
          `the working tree does not read like its version ${firstDifference(canonicalContent(stored), canonicalContent(working))}`,
        );
      this.checkDelta(before, fresh);
      this.keep(working);
      return 1;
    };
  }

  // ---- addresses ----------------------------------------------------------------------------

  private preparePut(): ((before: RegistryShape) => Promise<number>) | null {
    const r = this.rng;
    const lineages = this.lineageIds();
    const latest = this.reg.latestVersion(r.pick(lineages))!;
    const all = positions([latest.root as unknown as FzEntity]);
    const index = r.int(all.length);
    const x = all[index].e;
    const seed = r.next();
    const target = drawPut(x, r);
    this.tags.add(`put.${target.kind}`);
    const value = (): unknown => target.value(new Rng(seed));
    const address = formatAddress(x.ecsId, target.path);
    if (target.path.some((seg) => FORBIDDEN_SEGMENTS.has(seg as string))) {
      // put never writes through these (they could reach a prototype): a FieldPathError, nothing written.
      this.tags.add('put.forbidden-segment');
      return async (before) => {
        this.detail.push(`put ${address}: a forbidden segment`);
        try {
          put(address, value());
          this.fail(`put through ${address} succeeded`);
        } catch (error) {
          if (!(error instanceof FieldPathError))
            this.fail(`put through ${address} threw ${describeError(error)}, expected FieldPathError`);
        }
        this.checkDelta(before, []);
        return 1;
      };
    }
    const model = this.checkout(latest);
    assignPath(positions([model])[index].e, target.path, value());
    return async (before) => {
      this.detail.push(`put ${address} (${target.kind}) into latest ${latest.ecsId}`);
      let out: Entity;
      try {
        out = put<Entity>(address, value());
      } catch (error) {
        this.fail(`put threw ${describeError(error)}`);
        return 1;
      }
      const fresh = rootVersions(this.reg).slice(before.versions.length);
      const { changed } = this.checkTreeVersion('put', latest, model, fresh, this.ids);
      const expected = changed && fresh.length === 1 ? fresh[0].index.get(x.lineageId) : x;
      if ((out as unknown) !== expected)
        this.fail(`put returned ${out?.ecsId}, not the ${changed ? 'new' : 'stored'} version of the addressed entity`);
      this.checkDelta(before, fresh);
      return 1;
    };
  }

  private preparePutStale(): ((before: RegistryShape) => Promise<number>) | null {
    const r = this.rng;
    const candidates: Array<{ e: FzEntity; v: RootVersion }> = [];
    for (const lineage of this.lineageIds()) {
      const entries = this.reg.lineage(lineage);
      if (entries.length < 2) continue;
      const latest = new NSet(
        positions([this.reg.getVersion(entries[entries.length - 1].ecsId).root as unknown as FzEntity]).map((q) => q.e),
      );
      const older = this.reg.getVersion(entries[r.int(entries.length - 1)].ecsId);
      for (const q of positions([older.root as unknown as FzEntity])) {
        if (latest.has(q.e)) continue;
        // put names the tree by the version that first stored the entity; stale if that lineage's latest lacks it
        const home = this.reg.latestVersion(this.reg.getVersion(q.e.rootEcsId!).lineageId)!;
        if (!positions([home.root as unknown as FzEntity]).some((h) => h.e === q.e))
          candidates.push({ e: q.e, v: older });
      }
    }
    if (candidates.length === 0) return null;
    const { e } = r.pick(candidates);
    const target = drawPut(e, r);
    const address = formatAddress(e.ecsId, target.path);
    const value = target.value(new Rng(r.next()));
    return async (before) => {
      this.detail.push(`stale put ${address}`);
      const records = CallableRegistry.executions().length;
      try {
        put(address, value);
        this.fail('put through a stale address succeeded');
      } catch (error) {
        if (!(error instanceof StaleVersionError))
          this.fail(`stale put threw ${describeError(error)}, expected StaleVersionError`);
      }
      if (CallableRegistry.executions().length !== records) this.fail('a failed put left an execution record');
      this.checkDelta(before, []);
      return 1;
    };
  }

  private prepareGet(): ((before: RegistryShape) => Promise<number>) | null {
    const r = this.rng;
    const base = this.pickBase();
    if (base === null) return null;
    const all = positions([base.root as unknown as FzEntity]);
    const x = all[r.int(all.length)].e;
    const edits = this.drawEdits(r, all.length, 3);
    const fieldSeed = r.next();
    this.tags.add('get.entity');
    const model = this.reg.checkout<FzEntity>(x.ecsId); // what the edits of the copy exercise
    for (const ed of edits) applyEdit([model], ed, this.tags);
    return async (before) => {
      this.detail.push(`get @${x.ecsId} of version ${base.ecsId}, then edits ${stringify(edits)}`);
      const copy = get<FzEntity>(`@${x.ecsId}`);
      if ((copy as unknown) === x || isFrozen(copy)) this.fail('get() returned a stored object');
      if (!copy.isOrphan()) this.fail(`get() copy has root ${copy.rootEcsId}`);
      if (contentText(copy) !== contentText(x))
        this.fail(`get() copy differs ${firstDifference(contentText(x), contentText(copy))}`);
      for (const q of positions([copy]))
        if (isFrozen(q.e) || this.reg.findStoredEntity(q.e.ecsId) === (q.e as unknown))
          this.fail('get() copy holds a stored entity');
      try {
        for (const ed of edits) applyEdit([copy], ed);
      } catch (error) {
        this.fail(`editing a get() copy threw ${describeError(error)}`);
      }
      // a value inside the entity
      const fr = new Rng(fieldSeed);
      const fields = dataFieldsOf(x);
      const f = fields[fr.int(fields.length)];
      const value = get(formatAddress(x.ecsId, [f]));
      const storedValue = (x as unknown as Record<string, unknown>)[f];
      if (valueText(value, (e) => e.ecsId) !== valueText(storedValue, (e) => e.ecsId))
        this.fail(`get(@x.${f}) reads ${valueText(value, (e) => e.ecsId)}`);
      if (typeof value === 'object' && value !== null) {
        if (value === storedValue) this.fail(`get(@x.${f}) returned the stored value itself`);
        else mutateField(f, value, fr, undefined, isEntity);
      }
      this.recheck(base);
      this.checkDelta(before, []);
      return 1;
    };
  }

  // ---- detach / attach -----------------------------------------------------------------------

  private prepareDetach(): ((before: RegistryShape) => Promise<number>) | null {
    const r = this.rng;
    const picked = this.pickWorking();
    if (picked === null) return null;
    const { working, base } = picked;
    const pre = this.drawEdits(r, this.sizeOf(working), 2).filter((e) => e.k !== 'share' && e.k !== 'cycle');
    const model = this.checkout(base);
    for (const ed of pre) applyEdit([model], ed, this.tags);
    const children = positions([model]).filter((q) => q.slot !== null);
    // Only stored children: one added since the checkout has no root ids yet (detach() calls it an orphan).
    const candidates = children
      .map((q, i) => i)
      .filter((i) => this.reg.findStoredEntity(children[i].e.ecsId) !== undefined);
    if (candidates.length === 0) return null;
    const index = r.pick(candidates);
    const removeFirst = r.chance(0.5);
    this.tags.add(removeFirst ? 'detach.removed-first' : 'detach.in-place');
    const mx = children[index];
    if (!removeFirst && mx.slot!.inSet) this.tags.add('detach.in-set');
    if (!removeFirst && mx.slot!.kind === 'tuple') this.tags.add('detach.tuple');
    // detach() itself empties a single field with null, and removes an array element (a tuple's
    // too: runtime metadata cannot tell a tuple from an array, and both modes behave the same)
    if (!removeFirst && mx.slot!.kind === 'field')
      (mx.parent as unknown as Record<string, unknown>)[mx.slot!.key as string] = null;
    else if (!removeFirst && mx.slot!.kind === 'tuple')
      (mx.slot!.container as unknown[]).splice(mx.slot!.key as number, 1);
    else removeAt(mx.slot!);
    if (this.invalidReason([model, mx.e], this.tags) !== null) return null;
    return async (before) => {
      for (const ed of pre) applyEdit([working], ed);
      const wx = positions([working]).filter((q) => q.slot !== null)[index];
      this.detail.push(
        `detach child ${index} (${wx.e.ecsId}) of a working tree of ${base.ecsId}, pre-edits ${stringify(pre)}, removed first ${removeFirst}`,
      );
      if (removeFirst) removeAt(wx.slot!);
      const wxId = wx.e.ecsId;
      const wxLineage = wx.e.lineageId;
      try {
        wx.e.detach();
      } catch (error) {
        this.fail(`detach() threw ${describeError(error)}`);
        return 1;
      }
      const fresh = rootVersions(this.reg).slice(before.versions.length);
      const treeVersions = fresh.filter((v) => v.lineageId === base.lineageId && v.parentEcsId === base.ecsId);
      this.checkTreeVersion('detach: parent tree', base, model, treeVersions, this.ids);
      const own = fresh.filter((v) => v.ecsId === wx.e.ecsId);
      if (own.length !== 1)
        this.fail(
          `detach: the detached entity is not the root of one new version (${fresh.map((v) => v.ecsId).join(', ')})`,
        );
      else {
        const v = own[0];
        if (v.lineageId !== wxLineage || v.parentEcsId !== null)
          this.fail(`detach: new version lineage ${v.lineageId} parent ${v.parentEcsId}`);
        const prev = this.ids.has(wxId) ? wxId : null; // an entity never stored keeps its id
        if ((v.root as unknown as Entity).previousEcsId !== prev)
          this.fail(`detach: previousEcsId ${(v.root as unknown as Entity).previousEcsId}, expected ${prev}`);
        this.checkNewRoot('detach: detached root', v.root as unknown as FzEntity, mx.e, this.ids);
        if (canonicalContent(wx.e) !== canonicalContent(v.root as unknown as FzEntity))
          this.fail('detach: the detached working entity does not read like its version');
      }
      if (
        canonicalContent(working) !== canonicalContent(this.reg.getVersion(working.ecsId).root as unknown as FzEntity)
      )
        this.fail('detach: the working parent does not read like its version');
      this.checkDelta(before, fresh);
      this.keep(working);
      this.keep(wx.e);
      return 1;
    };
  }

  private prepareAttach(): ((before: RegistryShape) => Promise<number>) | null {
    const r = this.rng;
    const picked = this.pickWorking();
    if (picked === null) return null;
    const { working, base } = picked;
    const other = this.pickBase(base.lineageId);
    if (other === null) return null;
    const at = drawPlacement(r);
    const into = r.next();
    const model = this.checkout(base);
    const mAll = positions([model]);
    insert(mAll[into % mAll.length].e, at, this.checkout(other), this.tags);
    const invalid = this.invalidReason([model], this.tags);
    if (invalid !== null) this.tags.add('outcome.invalid');
    return async (before) => {
      const child = this.checkout(other);
      const all = positions([working]);
      insert(all[into % all.length].e, at, child);
      this.detail.push(
        `attach a checkout of ${other.ecsId} into a working tree of ${base.ecsId}${invalid ? ` (invalid: ${invalid})` : ''}`,
      );
      try {
        child.attach(working as unknown as Entity);
      } catch (error) {
        if (invalid === null) this.fail(`attach() threw ${describeError(error)}`);
        else if (!(error instanceof AbstractionsError))
          this.fail(`attach() of an invalid tree threw an untyped ${describeError(error)}`);
        this.pool = this.pool.filter((w) => w !== working);
        this.checkDelta(before, []);
        return 1;
      }
      if (invalid !== null) this.fail(`attach() into an invalid tree (${invalid}) succeeded`);
      const fresh = rootVersions(this.reg).slice(before.versions.length);
      this.checkTreeVersion('attach', base, model, fresh, this.ids);
      this.checkDelta(before, fresh);
      this.keep(working);
      return 1;
    };
  }

  // ---- registry-wide oracles -----------------------------------------------------------------

  /** The registry changed by exactly `allowed`; each new version is admitted (snapshot, ids, frozen). */
  private checkDelta(before: RegistryShape, allowed: readonly RootVersion[]): void {
    for (const p of registryDelta(this.reg, before, allowed, (id) => this.ids.has(id))) this.fail(p);
    for (const v of allowed) this.admit(v);
  }

  private admit(v: RootVersion): void {
    if (this.snapshots.has(v.ecsId)) return;
    this.snapshots.set(v.ecsId, exactText(v.root as unknown as Entity, this.texts));
    this.report.versionsChecked++;
    if (this.reg.getVersion(v.ecsId) !== v) this.fail(`getVersion(${v.ecsId}) is another record`);
    for (const q of positions([v.root as unknown as FzEntity])) {
      const e = q.e;
      const known = this.ids.get(e.ecsId);
      if (known !== undefined && known !== e) {
        this.fail(
          `two stored objects share ecsId ${e.ecsId} (${known.constructor.name} in version ${known.rootEcsId}, ${e.constructor.name} in version ${v.ecsId})`,
        );
        continue;
      }
      if (known === undefined) {
        this.ids.set(e.ecsId, e);
        if (e.rootEcsId !== v.ecsId) this.fail(`${e.ecsId} first stored in ${v.ecsId} has rootEcsId ${e.rootEcsId}`);
      }
      if (!isFrozen(e)) this.fail(`stored entity ${e.ecsId} is not frozen`);
      if (this.reg.findStoredEntity(e.ecsId) !== (e as unknown))
        this.fail(`getStoredEntity(${e.ecsId}) is not the object in version ${v.ecsId}`);
    }
  }

  private recheck(v: RootVersion): void {
    const text = exactText(v.root as unknown as Entity);
    const snap = this.snapshots.get(v.ecsId);
    if (snap !== undefined && snap !== text)
      this.fail(`stored version ${v.ecsId} changed ${firstDifference(snap, text)}`);
  }

  /** Every stored version reads as when it was created; no ecsId names two objects. */
  private endOfEpisode(): void {
    this.tags = new NSet(['end-of-episode']);
    this.problems = [];
    this.detail = [];
    this.opKind = 'end of episode';
    const ids = new NMap<string, Entity>();
    for (const v of rootVersions(this.reg)) {
      if (!this.snapshots.has(v.ecsId)) this.fail(`version ${v.ecsId} was never checked`);
      this.recheck(v);
      for (const q of positions([v.root as unknown as FzEntity])) {
        const known = ids.get(q.e.ecsId);
        if (known !== undefined && known !== q.e) this.fail(`two stored objects share ecsId ${q.e.ecsId}`);
        ids.set(q.e.ecsId, q.e);
        if (this.reg.findStoredEntity(q.e.ecsId) !== (q.e as unknown))
          this.fail(`getStoredEntity(${q.e.ecsId}) is not the object in version ${v.ecsId}`);
      }
    }
    for (const p of strayEntities(this.reg)) this.fail(p);
    for (const p of lineageProblems(this.reg)) this.fail(p);
    this.finishOp();
  }
}

// ---- helpers ------------------------------------------------------------------------------------

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.constructor.name}: ${error.message.slice(0, 300)}` : String(error);
}

/** Two canonically equal values iterate their Maps and Sets in the same order (at any depth). */
function sameOrder(a: unknown, b: unknown): boolean {
  if (typeof a !== 'object' || a === null || a instanceof Entity || a instanceof NDate) return true;
  if (isArray(a)) return a.every((x, i) => sameOrder(x, (b as unknown[])[i]));
  if (a instanceof NMap || a instanceof NSet) {
    const x = [...a.entries()];
    const y = [...(b as Map<unknown, unknown>).entries()];
    return x.every(
      ([k, v], i) =>
        canonical(k) === canonical(y[i][0]) && canonical(v) === canonical(y[i][1]) && sameOrder(v, y[i][1]),
    );
  }
  return keys(a).every((k) => sameOrder((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** The entities directly inside a field value. */
function entitiesIn(v: unknown, out: Entity[] = []): Entity[] {
  if (typeof v !== 'object' || v === null || v instanceof NDate) return out;
  if (v instanceof Entity) out.push(v);
  else if (isArray(v) || v instanceof NSet) for (const x of v) entitiesIn(x, out);
  else if (v instanceof NMap) for (const x of v.values()) entitiesIn(x, out);
  else for (const k of keys(v)) entitiesIn((v as Record<string, unknown>)[k], out);
  return out;
}

/** The entities a result returns, in the order execute reports them; null for a result without entities. */
function outputsOf(result: unknown): Entity[] | null {
  if (result instanceof Entity) return [result];
  if (isArray(result) && result.some((x) => x instanceof Entity))
    return result.filter((x): x is Entity => x instanceof Entity);
  if (typeof result === 'object' && result !== null && 'main' in result) {
    const r = result as { main: Entity; more: Entity[] };
    return [r.main, ...r.more];
  }
  return null;
}

function describeShape(v: unknown): string {
  if (v instanceof Entity) return `${v.constructor.name}`;
  if (isArray(v)) return `[${v.map(describeShape).join(',')}]`;
  if (typeof v === 'object' && v !== null) return `{${keys(v).join(',')}}`;
  return typeof v;
}

function sameShape(a: unknown, b: unknown): boolean {
  return describeShape(a) === describeShape(b);
}

interface PutTarget {
  readonly kind: string;
  readonly path: Array<string | number>;
  value(r: Rng): unknown;
}

/** A path inside `x` and a value for put (data fields, nested data, entity slots). */
function drawPut(x: FzEntity, r: Rng): PutTarget {
  const which = r.int(6);
  if (x instanceof FzNode && which === 0) {
    const slot = r.pick(['one', 'list', 'byKey', 'rec']);
    const path: Array<string | number> =
      slot === 'one'
        ? ['one']
        : slot === 'list'
          ? ['list', r.int(x.list.length + 1)]
          : slot === 'byKey'
            ? ['byKey', r.pick(MAP_KEYS)]
            : ['rec', r.pick(REC_KEYS)];
    return { kind: 'entity', path, value: (vr) => newEntity(vr, 1 + vr.int(2)) };
  }
  if (which === 1) {
    if (x instanceof FzNode) return { kind: 'nested', path: ['info', 'k'], value: (vr) => edgeNumber(vr) };
    const tags = (x as unknown as { tags: string[] }).tags;
    return r.chance(0.5)
      ? { kind: 'nested', path: ['tags', r.int(tags.length + 1)], value: (vr) => edgeString(vr) }
      : {
          kind: 'nested',
          path: ['data', 'notes', r.pick(REC_KEYS)],
          value: (vr) => (vr.chance(0.2) ? null : edgeString(vr)),
        };
  }
  const fields = dataFieldsOf(x).filter((f) => f !== 'loose');
  const f = fields[r.int(fields.length)];
  return { kind: 'field', path: [f], value: (vr) => dataValue(f, vr) };
}

/** What put does, on a working model: the last step replaces or appends (arrays), sets (Map), defines (record) or writes (field). */
function assignPath(x: FzEntity, path: ReadonlyArray<string | number>, value: unknown): void {
  let c: unknown = x;
  for (let i = 0; i < path.length - 1; i++)
    c = c instanceof NMap ? c.get(path[i]) : (c as Record<string | number, unknown>)[path[i]];
  const last = path[path.length - 1];
  if (c instanceof NMap) c.set(last, value);
  else if (isArray(c)) c[last as number] = value;
  else if (isEntity(c)) (c as unknown as Record<string, unknown>)[last as string] = value;
  else defineProperty(c, String(last), { value, enumerable: true, writable: true, configurable: true });
}
