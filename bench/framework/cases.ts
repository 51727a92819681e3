/**
 * The framework's benchmark cases: the reference operation (execute move_agent) with and without
 * an event subscriber, and its components on their own. Modules load lazily inside `setup`.
 */
import * as fs from 'fs';
import { databaseUrl, dropSchemas } from '../../test/support/postgres';
import * as os from 'os';
import * as path from 'path';
import type { BenchCase, CaseInstance } from '../harness/types';
import type { Size } from '../workload/sizes';
import type { Move } from '../workload/moves';

type Framework = typeof import('../../src');
type Model = typeof import('../../examples/gridmap/model');

interface World {
  fw: Framework;
  model: Model;
  callables: InstanceType<Framework['CallableRegistry']>;
  entities: InstanceType<Framework['EntityRegistry']>;
  bus: InstanceType<Framework['EventBus']>;
  root: import('../../examples/gridmap/model').GridMap;
}

type Mode = 'generated' | 'runtime';

/**
 * A world's history store: none (memory), an SQLite file in a temporary directory, or PostgreSQL
 * ($DATABASE_URL, default the local server) in a schema of its own, dropped when the world closes.
 */
type Store = 'memory' | 'sqlite' | 'postgres';

/**
 * A fresh, isolated world with the grid registered (version 1) and move_agent registered.
 * 'generated' imports the project's generated metadata first (as a user's build would);
 * 'runtime' does not, so every class is described by runtime inspection.
 */
function world(size: Size, mode: Mode, store: Store = 'memory'): World & { close(): void } {
  if (mode === 'generated') require('../../examples/generated/abstractions.generated');
  const fw = require('../../src') as Framework;
  const model = require('../../examples/gridmap/model') as Model;
  const bus = new fw.EventBus();
  const dir = store === 'sqlite' ? fs.mkdtempSync(path.join(os.tmpdir(), 'abstractions-bench-')) : null;
  const schema = store === 'postgres' ? `abs_bench_${process.pid}` : null;
  const entities = new fw.EntityRegistry({
    bus,
    store:
      dir !== null
        ? fw.sqliteStore(path.join(dir, 'bench.db'))
        : schema !== null
          ? fw.postgresStore(databaseUrl(), { schema })
          : undefined,
  });
  const callables = new fw.CallableRegistry({ entities, events: bus });
  callables.register('move_agent', model.moveAgent);
  const working = model.buildGridMap(size.nodes, size.agentsPerNode);
  const v1 = entities.promoteToRoot(working);
  const close = (): void => {
    if (dir !== null) void entities.close().finally(() => fs.rmSync(dir, { recursive: true, force: true }));
    if (schema !== null) void entities.close().finally(() => dropSchemas([schema]));
  };
  return { fw, model, callables, entities, bus, root: v1.root as unknown as World['root'], close };
}

const names = (g: World['root']) => () => g.nodes.map((n) => n.agents.map((a) => a.name));

function executeCase(
  name: string,
  description: string,
  subscribe: boolean,
  mode: Mode,
  store: Store = 'memory',
): BenchCase {
  return {
    name,
    description,
    framework: true,
    setup(size, moves) {
      const w = world(size, mode, store);
      const sub = subscribe ? w.bus.on('**', () => undefined) : null;
      let latest = w.root;
      const instance: CaseInstance = {
        op(i) {
          const m = moves[i];
          latest = w.callables.execute('move_agent', { gridmap: latest, ...m }) as World['root'];
        },
        retained: () => latest,
        names: () => names(latest)(),
        teardown: () => {
          sub?.unsubscribe();
          w.close();
        },
      };
      return instance;
    },
  };
}

/** Component cases are O(tree): cap their op counts at the large sizes. */
function componentLimits(size: Size) {
  if (size.entities > 20_000)
    return { warmup: 3, timed: 10, note: 'O(tree) component: 3 warm-up + 10 timed ops at this size' };
  if (size.entities > 2_000)
    return { warmup: 20, timed: 100, note: 'O(tree) component: 20 warm-up + 100 timed ops at this size' };
  return undefined;
}

/** Applies a move to a working tree (for the version component). */
function applyWorking(root: World['root'], m: Move): void {
  const src = root.nodes[m.sourceIndex].agents;
  const [agent] = src.splice(
    src.findIndex((a) => a.name === m.agentName),
    1,
  );
  root.nodes[m.targetIndex].agents.push(agent);
}

/** One O(tree) component, measured with generated and with runtime metadata. */
function componentCases(
  name: string,
  description: string,
  setup: (w: World, moves: readonly Move[]) => CaseInstance,
): BenchCase[] {
  return (['generated', 'runtime'] as const).map((mode) => ({
    name: mode === 'generated' ? name : `${name}/runtime-meta`,
    description: mode === 'generated' ? description : `${name} with runtime metadata (no generated file)`,
    limits: componentLimits,
    setup: (size: Size, moves: readonly Move[]) => setup(world(size, mode), moves),
  }));
}

export const frameworkCases: BenchCase[] = [
  executeCase(
    'execute',
    "CallableRegistry.execute('move_agent') on the latest version (generated metadata): copy-on-write, diff, versioning, provenance, execution record; no event subscriber",
    false,
    'generated',
  ),
  executeCase('execute+subscriber', "the same with one subscriber to every event ('**')", true, 'generated'),
  executeCase('execute/runtime-meta', 'execute with runtime metadata (no generated file)', false, 'runtime'),
  executeCase(
    'execute+sqlite',
    'execute with an SQLite history store (relaxed): the call queues its commit and record; every 100 calls one of them writes the batch (one transaction, fsync) on the calling thread',
    false,
    'generated',
    'sqlite',
  ),
  executeCase(
    'execute+postgres',
    'execute with the PostgreSQL store (relaxed, SPEC §13): the call queues its commit and record; a writer thread writes each batch (one transaction) to the local server',
    false,
    'generated',
    'postgres',
  ),
  ...componentCases('tree-build', 'buildEntityTree over the stored version (O(tree))', (w) => ({
    op: () => void w.fw.buildEntityTree(w.root),
  })),
  ...componentCases(
    'diff',
    'diffTrees of a working copy (one agent moved) against its stored version (O(tree))',
    (w, moves) => {
      const before = w.fw.buildEntityTree(w.root);
      const working = w.entities.checkout<World['root']>(w.root.ecsId);
      applyWorking(working, moves[0]);
      const after = w.fw.buildEntityTree(working);
      return { op: () => void w.fw.diffTrees(before, after) };
    },
  ),
  ...componentCases(
    'version',
    'EntityRegistry.version() of an edited working tree (full walk + diff + fork; O(tree))',
    (w, moves) => {
      const working = w.entities.checkout<World['root']>(w.root.ecsId);
      return {
        op(i) {
          applyWorking(working, moves[i]);
          w.entities.version(working);
        },
        names: names(working),
      };
    },
  ),
  ...componentCases(
    'working-copy',
    'EntityRegistry.checkout(): a full mutable working copy of the stored tree (O(tree))',
    (w) => ({
      op: () => void w.entities.checkout(w.root.ecsId),
    }),
  ),
];
