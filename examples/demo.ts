/**
 * `npm start`: the whole framework on the reference workload (SPEC §10), in a few seconds.
 *
 *  1. register `move_agent` (plain TypeScript, examples/gridmap/model.ts) with CallableRegistry;
 *  2. build a 10x10 GridMap (10 nodes × 10 agents = 111 entities) and promote it: version 1;
 *  3. subscribe to every event and print it live, indented by nesting (parentId -> depth);
 *  4. run four moves, one of them from an older version (the lineage branches);
 *  5. print the lineage, a diff in words (matched by lineage), and read an old version back
 *     through its address;
 *  6. time 1,000 executes on a 50x50 grid (2,551 entities) with nobody listening;
 *  7. write demo-diagrams.md (Mermaid: a tree, a diff, the lineage) in the current directory.
 *
 * The history is kept in demo-history.db (SQLite, SPEC §12) in the current directory: a second run
 * finds the first run's versions and execution records there and continues its grid with a move.
 * `npm start -- --fresh` starts over.
 *
 * Run: `npm start` (or `npx tsx examples/demo.ts`). Colour only on a terminal (NO_COLOR disables it).
 */
// The generated metadata (npm run codegen) first: the classes below then use generated code.
import './generated/abstractions.generated';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  CallableRegistry,
  EntityRegistry,
  EventBus,
  ImmutableVersionError,
  diffByLineage,
  diffToMermaid,
  events,
  get,
  lineageToMermaid,
  toMarkdown,
  toMermaid,
  type Event,
  type EntityTree,
} from '../src';
import { Agent, GridMap, GridNode, buildGridMap, moveAgent } from './gridmap/model';

type Log = (line: string) => void;

// ---- presentation helpers ----------------------------------------------------------------------

interface Paint {
  dim(s: string): string;
  bold(s: string): string;
  cyan(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  red(s: string): string;
}

function painter(on: boolean): Paint {
  const sgr = (code: string) => (s: string) => (on ? `\x1b[${code}m${s}\x1b[0m` : s);
  return { dim: sgr('2'), bold: sgr('1'), cyan: sgr('36'), green: sgr('32'), yellow: sgr('33'), red: sgr('31') };
}

const short = (id: string | null | undefined): string => (id ? id.slice(0, 8) : '—');
const us = (ms: number): string => `${(ms * 1000).toFixed(ms < 0.1 ? 1 : 0)} µs`;
const count = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** `GridMap, GridNode ×2, Agent` from a list of class names, root to leaves. */
function tally(names: readonly string[]): string {
  const rank = (n: string): number => ['GridMap', 'GridNode', 'Agent'].indexOf(n);
  const counts = new Map<string, number>();
  for (const n of [...names].sort((a, b) => rank(a) - rank(b))) counts.set(n, (counts.get(n) ?? 0) + 1);
  return [...counts].map(([n, k]) => (k === 1 ? n : `${n} ×${k}`)).join(', ');
}

/** `agent-3-0 … agent-3-9, agent-7-2`: the first name, then the last two. */
function names(agents: readonly Agent[]): string {
  const all = agents.map((a) => a.name);
  return all.length <= 3 ? all.join(', ') : `${all[0]} … ${all.slice(-2).join(', ')}`;
}

// ---- the demo ----------------------------------------------------------------------------------

/**
 * Runs the demo. `outDir`: where demo-diagrams.md goes (default: the current directory).
 * Returns what the tests check.
 */
export async function main(
  log: Log = console.log,
  outDir: string = process.cwd(),
  fresh = process.argv.includes('--fresh'),
) {
  const p = painter(log === console.log && process.stdout.isTTY === true && !process.env.NO_COLOR);
  const heading = (s: string): void => log(`\n${p.bold(s)}`);

  // The history store (SQLite in the current directory) becomes the default registry: the static
  // API (CallableRegistry.execute, get, ...) and entity methods use it.
  const storeFile = path.join(outDir, 'demo-history.db');
  if (fresh) for (const suffix of ['', '-wal', '-shm']) fs.rmSync(storeFile + suffix, { force: true });
  const registry = EntityRegistry.open(storeFile);
  CallableRegistry.reset();

  log(p.bold('abstractions-ts') + p.dim(' · versioned, traceable entity trees · the GridMap demo'));

  // 1. A registered function: plain TypeScript. The explicit signature enables argument checks
  //    and describe() (the code generator can emit it instead, see examples/10).
  CallableRegistry.register('move_agent', moveAgent, {
    params: { gridmap: GridMap, sourceIndex: Number, agentName: String, targetIndex: Number },
    returns: GridMap,
  });
  const sig = CallableRegistry.describe('move_agent');
  const params = Object.entries(sig.parameters.properties ?? {}).map(([n, s]) => `${n}: ${schemaType(s)}`);
  log(`${p.dim('registered')}  move_agent(${params.join(', ')}) → GridMap`);
  log(`${p.dim('history')}     ${storeFile}: ${continueEarlierRun(registry)}`);

  // 2. Live events: every operation emits `started` and `completed` (or `failed`); events emitted
  //    inside an operation carry its start event as parentId, so depth = parent's depth + 1.
  const depth = new Map<string, number>();
  const printer = events.on('**', (e) => {
    const d = e.parentId === null ? 0 : (depth.get(e.parentId) ?? -1) + 1;
    depth.set(e.id, d);
    const indent = '  '.repeat(d + 1);
    const mark = e.phase === 'started' ? p.cyan('▸') : e.phase === 'failed' ? p.red('✗') : p.green('·');
    const label = `${e.type} ${e.phase}`.padEnd(30 - indent.length);
    log(`${indent}${mark} ${label} ${describeEvent(e, registry, p)}`);
  });

  const grid = buildGridMap(10, 10);
  heading(`GridMap 10x10: 10 nodes × 10 agents = ${grid.getTree().nodeCount} entities, promoted`);
  grid.promoteToRoot();
  const v1 = registry.getStoredEntity<GridMap>(grid.ecsId); // the stored (frozen) version 1
  const version = new Map<string, string>([[v1.ecsId, 'v1']]); // root ecsId -> v<n>, for printing
  const vName = (id: string): string => version.get(id) ?? short(id);

  // 3. Moves. `execute` takes a stored version (or a working tree, or an address) and returns the
  //    new stored version: only the changed entities and their ancestors are new objects.
  const move = (from: GridMap, agentName: string, sourceIndex: number, targetIndex: number, note = ''): GridMap => {
    log(
      `\n${p.bold('move')}  ${p.yellow(agentName)}  nodes[${sourceIndex}] → nodes[${targetIndex}]  ${p.dim(`on ${vName(from.ecsId)}${note}`)}`,
    );
    const next = CallableRegistry.execute<GridMap>('move_agent', {
      gridmap: from,
      sourceIndex,
      agentName,
      targetIndex,
    });
    version.set(next.ecsId, `v${version.size + 1}`);
    const lineage = registry.lineage(grid.lineageId);
    log(
      `  ${p.green('=')} ${vName(next.ecsId)} ${p.dim(short(next.ecsId))}  parent ${vName(next.previousEcsId!)}  ${p.dim(`· lineage: ${count(lineage.length, 'version')}`)}`,
    );
    return next;
  };
  let v5: GridMap;
  try {
    const v2 = move(v1, 'agent-0-0', 0, 3);
    const v3 = move(v2, 'agent-7-2', 7, 3);
    move(v2, 'agent-4-4', 4, 5, ' again: a second client still holding v2 → a branch');
    v5 = move(v3, 'agent-0-0', 3, 9);
  } finally {
    printer.unsubscribe(); // nobody listens any more: from here on, no event is even built
  }

  // 4. The lineage: every root version, oldest first, with its parent and its provenance.
  const entries = registry.lineage(grid.lineageId);
  const children = (id: string) => entries.filter((e) => e.parentEcsId === id).length;
  heading(
    `lineage ${short(grid.lineageId)}: ${count(entries.length, 'version')}, ${count(entries.filter((e) => children(e.ecsId) > 1).length, 'branch point')}`,
  );
  for (const e of entries) {
    const root = registry.getStoredEntity<GridMap>(e.ecsId);
    const exec = CallableRegistry.executionOf(root);
    const args = exec?.inputs.values as { agentName?: string; sourceIndex?: number; targetIndex?: number } | undefined;
    const what =
      exec && args
        ? `${exec.functionName}  ${args.agentName} ${args.sourceIndex}→${args.targetIndex}`
        : 'promoteToRoot';
    const parent = e.parentEcsId ? `← ${vName(e.parentEcsId)}` : '';
    const flags = [
      children(e.ecsId) > 1 ? p.yellow('branch point') : '',
      e === entries[entries.length - 1] ? p.green('latest') : '',
    ]
      .filter(Boolean)
      .join(' ');
    log(`  ${vName(e.ecsId)} ${p.dim(short(e.ecsId))}  ${parent.padEnd(4)}  ${what.padEnd(32)}${flags}`.trimEnd());
  }

  // 5. A diff in words, v1 → v5. Two versions of one entity have different ecsIds once forked,
  //    so match them by lineageId (diffByLineage) to see "moved" and "changed" rather than
  //    "removed + added".
  const oldTree = registry.getStoredTree(v1.ecsId);
  const newTree = registry.getStoredTree(v5.ecsId);
  const { diff, oldTree: oldL, newTree: newL } = diffByLineage(oldTree, newTree);
  log(`\n${p.bold('diff v1 → v5')} ${p.dim('(entities matched by lineage)')}`);
  const place = (tree: EntityTree, lineage: string): string => {
    const edge = tree.edgeTo.get(lineage)!; // Agent -> its GridNode; the GridNode's own edge gives its index
    return `nodes[${tree.edgeTo.get(edge.parent)!.path[1]}]`;
  };
  for (const l of [...diff.moved].sort((a, b) =>
    (newL.nodes.get(a) as unknown as Agent).name.localeCompare((newL.nodes.get(b) as unknown as Agent).name),
  )) {
    const agent = newL.nodes.get(l) as unknown as Agent;
    log(`  ${p.yellow('moved')}    ${agent.name.padEnd(10)} ${place(oldL, l)} → ${place(newL, l)}`);
  }
  const changed = [...diff.changed].map((l) => {
    const e = newL.nodes.get(l)!;
    const where = e instanceof GridNode ? `nodes[${newL.edgeTo.get(l)!.path[1]}]` : e.constructor.name;
    return `${where} (${diff.changedFields.get(l)!.join(', ')})`;
  });
  log(`  ${p.yellow('changed')}  GridNode ${changed.join(' · ')}`);
  const forked = [...diff.modified].map((l) => newL.nodes.get(l)!.constructor.name);
  let shared = 0; // structural sharing: unchanged entities are the very same objects in both versions
  for (const [l, e] of newL.nodes) if (oldL.nodes.get(l) === e) shared++;
  log(
    `  ${p.yellow('forked')}   ${forked.length} of ${newTree.nodeCount}: ${tally(forked)}  ${p.dim(`· the other ${shared} are the same objects in v1 and v5`)}`,
  );

  // 6. Old versions stay readable through addresses: `@<root ecsId>.field.index...`.
  heading('read back through addresses');
  const oldAddress = `@${v1.ecsId}.nodes.3.agents`;
  const latest = registry.latest<GridMap>(grid.lineageId)!;
  const before = get<Agent[]>(oldAddress);
  const now = get<Agent[]>(`@${latest.ecsId}.nodes.3.agents`);
  log(`  get('${oldAddress}')`);
  log(`    v1     → ${count(before.length, 'agent')}: ${names(before)}`);
  log(
    `    latest → ${count(now.length, 'agent')}: ${names(now)}   ${p.dim(`(${vName(latest.ecsId)}, via @${short(latest.ecsId)}….nodes.3.agents)`)}`,
  );
  let frozen = 'no error?!';
  try {
    (v1 as { width: number }).width = 0;
  } catch (error) {
    frozen = error instanceof ImmutableVersionError ? 'ImmutableVersionError' : String(error);
  }
  log(`  ${p.dim(`stored versions are frozen: v1.width = 0 → ${frozen}`)}`);

  // 7. Timing: an isolated world (own bus, registries), nobody listening, 50x50 = 2,551 entities.
  const timing = timeExecutes(50, 50, 1000);
  log(
    `\n${p.bold('timing')}    1,000 × execute('move_agent') on 50x50 (${timing.entities.toLocaleString('en-US')} entities), no subscriber: ` +
      `median ${p.bold(timing.medianUs.toFixed(1))} µs/op ${p.dim(`(p90 ${timing.p90Us.toFixed(1)}; npm run bench)`)}`,
  );

  // 8. Diagrams: a small tree, the diff of one move on it, and this run's lineage.
  const file = path.join(outDir, 'demo-diagrams.md');
  fs.writeFileSync(file, diagrams(grid.lineageId, registry));
  log(`${p.bold('diagrams')}  ${file}  ${p.dim('(Mermaid: a small tree, the diff of a move, the lineage above)')}`);

  await registry.close();
  log(`${p.bold('history')}   saved: run \`npm start\` again to continue it, \`npm start -- --fresh\` to start over`);

  return {
    v1,
    v5,
    latest,
    lineage: entries,
    moved: [...diff.moved].map((l) => (newL.nodes.get(l) as unknown as Agent).name),
    timing,
    file,
  };
}

/**
 * What the store holds from earlier runs, in words; an earlier run's grid (the most recent) is
 * continued with one move, to show its history is there and usable after a restart.
 */
function continueEarlierRun(registry: EntityRegistry): string {
  const grids = registry.rootsOfType(GridMap);
  if (grids.length === 0) return 'a new store';
  const versions = grids.reduce((n, g) => n + registry.lineage(g.lineageId).length, 0);
  const records = CallableRegistry.executions().length;
  const last = grids.reduce((a, b) =>
    registry.getVersion(a.ecsId).createdAt >= registry.getVersion(b.ecsId).createdAt ? a : b,
  );
  const from = last.nodes.findIndex((n) => n.agents.length > 0);
  const moved = CallableRegistry.execute<GridMap>('move_agent', {
    gridmap: last,
    sourceIndex: from,
    agentName: last.nodes[from].agents[0].name,
    targetIndex: (from + 1) % last.nodes.length,
  });
  return (
    `${count(grids.length, 'grid')}, ${count(versions, 'version')} and ${count(records, 'execution record')} from earlier runs; ` +
    `continued the last grid: version ${registry.lineage(moved.lineageId).length} of its lineage`
  );
}

/** One line of detail per event type: ids in short form, what changed, how long it took. */
function describeEvent(e: Event, registry: EntityRegistry, p: Paint): string {
  const m = e.metadata as Record<string, unknown>;
  const done = e.phase === 'completed';
  switch (e.type) {
    case 'function.execute':
      if (!done) return `${e.subjectId}`;
      return `${e.subjectId} ${(m.semantics as string[]).join(', ')} → ${short((m.outputIds as string[])[0])}  ${p.dim(us(e.durationMs ?? 0))}`;
    case 'entity.version': {
      if (!done) return `${e.subjectType} ${short(e.subjectId)}`;
      if (!m.created) return `${e.subjectType} ${short(e.subjectId)}  (no change)`;
      const idMap = m.idMap as Record<string, string>;
      const kinds = Object.values(idMap).map((id) => registry.findStoredEntity(id)?.constructor.name ?? '?');
      return `${e.subjectType} ${short(e.subjectId)} → ${short(m.rootEcsId as string)}  ${p.dim(`(${kinds.length} forked: ${tally(kinds)})`)}`;
    }
    case 'entity.register':
      return done
        ? `${m.entityCount} entities, lineage ${short(m.lineageId as string)}`
        : `${e.subjectType} ${short(e.subjectId)}`;
    case 'entity.promote':
      return done ? `v1 ${short(m.rootEcsId as string)}` : `${e.subjectType} ${short(e.subjectId)}`;
    default:
      return `${e.subjectType ?? ''} ${short(e.subjectId)}`;
  }
}

function schemaType(s: unknown): string {
  const o = s as { type?: string; title?: string; $ref?: string };
  return o.title ?? o.type ?? o.$ref?.split('/').pop() ?? '?'; // an entity parameter: its class (given as an entity or an address)
}

/**
 * Median and p90 of `ops` executes, each timed on its own, after 5,000 warm-up ops (V8 keeps
 * speeding the execute path up for several thousand calls; the benchmark warms up with 10,000).
 */
export function timeExecutes(nodes: number, agentsPerNode: number, ops: number) {
  const bus = new EventBus();
  const entities = new EntityRegistry({ bus });
  const calls = new CallableRegistry({ entities, events: bus });
  calls.register('move_agent', moveAgent);
  let latest = entities.promoteToRoot(buildGridMap(nodes, agentsPerNode)).root as unknown as GridMap;
  const where = latest.nodes.map((n) => n.agents.map((a) => a.name)); // plain mirror, to pick valid moves
  let seed = 42;
  const rand = (n: number): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) % n;
  const samples: number[] = [];
  const warmup = 5000;
  for (let i = 0; i < warmup + ops; i++) {
    let sourceIndex: number;
    do sourceIndex = rand(nodes);
    while (where[sourceIndex].length === 0);
    const targetIndex = (sourceIndex + 1 + rand(nodes - 1)) % nodes;
    const [agentName] = where[sourceIndex].splice(rand(where[sourceIndex].length), 1);
    where[targetIndex].push(agentName);
    const t0 = performance.now();
    latest = calls.execute<GridMap>('move_agent', { gridmap: latest, sourceIndex, agentName, targetIndex });
    if (i >= warmup) samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  const q = (f: number): number => samples[Math.min(samples.length - 1, Math.floor(f * samples.length))] * 1000;
  // Sanity: the framework's result agrees with the plain mirror.
  const ok = latest.nodes.every((n, i) => n.agents.map((a) => a.name).join() === where[i].join());
  if (!ok) throw new Error('timing run: the stored grid disagrees with the expected moves');
  return { entities: 1 + nodes + nodes * agentsPerNode, ops, medianUs: q(0.5), p90Us: q(0.9) };
}

/** The Markdown file: a small grid's tree and the diff of one move on it, and the demo's lineage. */
function diagrams(lineageId: string, registry: EntityRegistry): string {
  // A small world of its own (3 nodes × 2 agents = 10 entities), so the diagrams stay readable.
  const entities = new EntityRegistry({ bus: new EventBus() });
  const calls = new CallableRegistry({ entities, events: entities.bus });
  calls.register('move_agent', moveAgent);
  const small = entities.promoteToRoot(buildGridMap(3, 2)).root as unknown as GridMap;
  const moved = calls.execute<GridMap>('move_agent', {
    gridmap: small,
    sourceIndex: 0,
    agentName: 'agent-0-0',
    targetIndex: 2,
  });
  return toMarkdown(
    [
      {
        title: 'A small GridMap (3 nodes × 2 agents), version 1',
        description: 'One node per entity: class, short ecsId, a few data fields; edges name the position.',
        mermaid: toMermaid(small, { maxFields: 2 }),
      },
      {
        title: 'Diff after move_agent(agent-0-0: nodes[0] → nodes[2])',
        description:
          'Matched by lineage: yellow = changed (fields listed), blue = moved (dotted link from the old parent); `old → new` ids of forked entities.',
        mermaid: diffToMermaid(small.ecsId, moved.ecsId, entities, { maxFields: 1 }),
      },
      {
        title: 'Lineage of the demo’s 10x10 GridMap',
        description: 'Every stored root version with its parent; a version with two children is a branch point.',
        mermaid: lineageToMermaid(lineageId, registry),
      },
    ],
    { title: 'abstractions-ts demo diagrams' },
  );
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
