/**
 * The examples and the demo cannot rot: each example's main() runs here with its output captured,
 * and the lines that carry its point are checked; the demo runs as `npm start` does (tsx, in a
 * child process) in a temporary directory, where it must write demo-diagrams.md.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { events } from '../../src';

jest.setTimeout(60_000);

const ROOT = path.resolve(__dirname, '..', '..');
const EXAMPLES = path.join(ROOT, 'examples');

type Main = (log: (line: string) => void) => Promise<unknown>;

/** Runs an example's main() and returns its output lines and result. */
async function run<R = unknown>(file: string): Promise<{ lines: string[]; text: string; result: R }> {
  const mod = (await import(path.join(EXAMPLES, file))) as { main: Main };
  const lines: string[] = [];
  const result = (await mod.main((line) => lines.push(...line.split('\n')))) as R;
  return { lines, text: lines.join('\n'), result };
}

const only = (lines: string[], prefix: string) => lines.filter((l) => l.startsWith(prefix));
const short = (id: string) => id.slice(0, 8);

afterEach(() => {
  // Every example removes its subscriptions: the default bus is left unobserved.
  expect(events.isObserved).toBe(false);
});

test('the numbered examples are the ones run-all runs', async () => {
  const { exampleFiles } = await import(path.join(EXAMPLES, 'run-all.ts'));
  expect(exampleFiles()).toEqual([
    '01-basic-transformation.ts',
    '02-addresses.ts',
    '03-multiple-outputs.ts',
    '04-pipeline.ts',
    '05-async-concurrent.ts',
    '06-events.ts',
    '07-reactive-cascade.ts',
    '08-config-entities.ts',
    '09-detachment.ts',
    '10-codegen-in-a-build.ts',
    '11-durable-history.ts',
  ]);
});

test('01 basic transformation: new versions chain by parent, the old one stays', async () => {
  const { lines, text, result } = await run<{ v1: { ecsId: string; gpa: number }; v2: { previousEcsId: string } }>(
    '01-basic-transformation.ts',
  );
  expect(result.v2.previousEcsId).toBe(result.v1.ecsId);
  expect(only(lines, 'v2 ')[0]).toMatch(
    new RegExp(`gpa 3\\.8  previousEcsId ${short(result.v1.ecsId)}  via update_gpa`),
  );
  expect(text).toContain("v1 still reads gpa 3.5; the caller's object too: 3.5; v3 is frozen: true");
  expect(text).toContain('created true, 1 entity forked');
  expect(lines[lines.length - 1]).toBe('lineage: v1  v2←v1  v3←v2  v4←v3');
});

test('02 addresses: get copies, put versions, stale put fails, composite records its sources', async () => {
  const { lines, text, result } = await run<{ v2: { ecsId: string; author: { ecsId: string } } }>('02-addresses.ts');
  expect(only(lines, 'put ')[0]).toMatch(/author\.country = USA → Book v2 .*; v1 still says US$/);
  expect(only(lines, 'get entity')[0]).toContain('author.name = Frank Herbert');
  expect(only(lines, 'stale put')[0]).toContain(
    `StaleVersionError: re-read from the latest version (${short(result.v2.ecsId)})`,
  );
  expect(text).toContain('"Dune" by Frank Herbert, shelf B-12');
  expect(only(lines, 'attributeSource')[0]).toContain(
    `heading ← Book ${short(result.v2.ecsId)}, writtenBy ← Author ${short(result.v2.author.ecsId)}, shelf ← null`,
  );
  expect(only(lines, 'typo')[0]).toContain("FieldPathError at 'autor'; fields there: title, author, tags");
});

test('03 multiple outputs: order, outputIndex, siblings, one execution', async () => {
  const { lines, result } = await run<{ low: { ecsId: string }; high: { ecsId: string } }>('03-multiple-outputs.ts');
  const [a, b] = only(lines, 'output');
  expect(a).toMatch(
    new RegExp(
      `^output  \\[0\\] Choir A-M  ${short(result.low.ecsId)}: Ada, Bob, Max .*siblings \\[${short(result.high.ecsId)}\\]$`,
    ),
  );
  expect(b).toMatch(
    new RegExp(
      `^output  \\[1\\] Choir N-Z  ${short(result.high.ecsId)}: Zoe, Nia, Tom .*siblings \\[${short(result.low.ecsId)}\\]$`,
    ),
  );
  expect(only(lines, 'record')[0]).toContain('status succeeded, semantics [creation, creation]');
  expect(lines.find((l) => l.includes('derivedFromExecutionId'))).toMatch(/: true; input was /);
  expect(lines[lines.length - 1]).toContain('Choir A-M 1, Choir N-Z 1, Choir 1');
});

test('04 pipeline: results of each stage and the provenance chain back to hand-entered sheets', async () => {
  const { text, result } = await run<{ chain: string[] }>('04-pipeline.ts');
  expect(text).toContain('curve_scores    Ada [93 100 95]  Ben [75 86 82]  Cy [95 89 91]');
  expect(text).toContain('summarize_term  3 students, mean 89.6, honours: Ada, Cy');
  expect(result.chain).toEqual([
    '0:TermSummary:summarize_term',
    ...Array.from({ length: 3 }, () => [
      '1:ReportCard:make_report',
      '2:GradeSheet:curve_scores',
      '3:GradeSheet:hand',
    ]).flat(),
  ]);
  expect(text).toMatch(/reports\[2\]: ReportCard \w{8} Cy A  ← make_report/);
  expect(text).toMatch(/sheet: GradeSheet \w{8} Cy \[90 84 86\]  \(entered by hand\)/);
});

test('05 async: two concurrent calls from one version both succeed, the lineage branches', async () => {
  const { lines, text, result } = await run<{ v1: { ecsId: string }; children: unknown[]; lineage: unknown[] }>(
    '05-async-concurrent.ts',
  );
  expect(lines[0]).toContain('AsyncFunctionError');
  expect(lines[0]).toContain('aexecute');
  expect(only(lines, '  A ')[0]).toMatch(
    new RegExp(`balance 150  history \\[\\+50\\]  parent ${short(result.v1.ecsId)}`),
  );
  expect(only(lines, '  B ')[0]).toMatch(
    new RegExp(`balance 120  history \\[\\+20\\]  parent ${short(result.v1.ecsId)}`),
  );
  expect(result.children).toHaveLength(2);
  expect(text).toContain('lineage: 3 versions; v1 has 2 children (a branch); v1 still has balance 100');
});

test('06 events: class, glob and predicate handlers, priority first, RxJS operators, settled, errors$', async () => {
  const { lines } = await run('06-events.ts');
  const labels = lines.map((l) => l.split(/\s{2,}/)[0]);
  const at = (label: string) => labels.indexOf(label);
  expect(lines.filter((l) => l.startsWith('glob ')).map((l) => l.replace(/\s+\(.*$/, ''))).toEqual([
    'glob         entity.* matched entity.register completed',
    'glob         entity.* matched entity.promote completed',
    'glob         entity.* matched entity.version completed',
    'glob         entity.* matched entity.version completed',
  ]);
  expect(only(lines, 'ofPattern')[0]).toContain('function.** → place_order completed, semantics ["mutation"]');
  // priority 10 first, then the others in subscription order; events$ after the handlers
  expect(at('priority 10')).toBeLessThan(at('class'));
  expect(at('class')).toBeLessThan(at('predicate'));
  expect(at('predicate')).toBeLessThan(at('errors$'));
  expect(at('errors$')).toBeLessThan(at('ofType'));
  expect(only(lines, 'errors$')[0]).toContain('auditLog failed on order.placed: audit store offline');
  // the async handler finishes after emit() returned, before settled() resolves
  expect(lines.findIndex((l) => l.startsWith('emit() returned'))).toBeLessThan(at('async'));
  expect(at('async')).toBeLessThan(at('history'));
});

test('07 reactive cascade: 7 events, 2 batches of 3, 2 reports, 1 summary', async () => {
  const { lines } = await run('07-reactive-cascade.ts');
  expect(only(lines, 'batch ')).toEqual([
    "batch      ready: Ada, Ben, Cy  (emitted while handling Cy's event)",
    "batch      ready: Dee, Eve, Fox  (emitted while handling Fox's event)",
  ]);
  expect(only(lines, 'report ')).toHaveLength(2);
  expect(only(lines, 'summary')).toEqual(['summary    2 batches, 6 learners, mean 79.2; waiting: Gus']);
  expect(only(lines, 'trace')[0]).toMatch(/^trace +2 report_batch executions have a batch\.ready event as parentId/);
});

test('08 config entities: instance, plain object, loose arguments and defaults; stored for provenance', async () => {
  const { lines } = await run('08-config-entities.ts');
  const configs = lines.filter((l) => l.trim().startsWith('config '));
  expect(configs).toHaveLength(4);
  expect(configs[0]).toContain("{ limit: 2, minPoints: 0, title: 'Top players' } root: true");
  expect(configs[1]).toContain("{ limit: 3, minPoints: 0, title: 'Podium' } root: true");
  expect(configs[2]).toContain("{ limit: 5, minPoints: 20, title: 'Top players' } root: true");
  expect(configs[3]).toContain("{ limit: 3, minPoints: 0, title: 'Top players' } root: true");
  expect(only(lines, 'instance')[0]).toContain('Top players: Ada 42, Cy 35');
  expect(only(lines, 'wrong type')[0]).toContain("ArgumentError: rank_players: argument 'limit'");
});

test('09 detachment: functions returning children, detach(), attach()', async () => {
  const { lines, text } = await run('09-detachment.ts');
  expect(lines[0]).toMatch(
    /inspect_engine → detachment: Engine \w{8} is a root \(true\), forked from (\w{8}) = v1\.engine \1$/,
  );
  expect(text).toContain('same lineage as in the car: true; the car is unchanged: 1 version');
  expect(text).toContain('take_wheel → detachment: Wheel RR is a root; the car got v2 with 3 wheels (v1 still has 4)');
  expect(text).toMatch(/detach\(\) +Wheel FL is a root \(true\), previous \w{8}; car v3 has FR, RL/);
  expect(text).toMatch(
    /attach\(\) +car v4 has FR, RL, SPARE; the spare forked \w{8} → \w{8}, root now (\w{8}) = car v4/,
  );
  expect(lines[lines.length - 1]).toMatch(/^car lineage +v1 \w{8} → v2 \w{8} → v3 \w{8} → v4 \w{8}$/);
});

test('11 durable history: versions and records survive a restart, and the history reads back', async () => {
  const { lines, text, result } = await run<{ balance: number; versions: number }>('11-durable-history.ts');
  expect(result).toEqual({ balance: 175, versions: 4 });
  expect(lines[0]).toBe('first run   alice has 150 after 3 versions');
  expect(lines[1]).toMatch(/^second run  found balance 150 \(version \w{8}\), credited 25: 175$/);
  expect(only(lines, '  ').map((l) => l.replace(/\w{8} ← (\w{8}|—)/, 'v ← p'))).toEqual([
    '  v ← p  balance   0  promoteToRoot',
    '  v ← p  balance 100  credit({"amount":100})',
    '  v ← p  balance 150  credit({"amount":50})',
    '  v ← p  balance 175  credit({"amount":25})',
  ]);
  expect(text).toContain('records     3 executions, 2 of them from the first run');
  expect(text).toContain(
    'imported    4 versions and 3 records into another store; again: 11 rows already there, 0 new',
  );
});

declare const __METADATA_MODE__: 'runtime' | 'generated';

test('10 codegen: the metadata in use, and what the generator reads', async () => {
  const { lines, text } = await run('10-codegen-in-a-build.ts');
  // The Jest project decides the mode: runtime inspection, or the generated file imported first.
  const generated = __METADATA_MODE__ === 'generated';
  expect(lines[0]).toBe(`usingGeneratedMetadata(): ${generated} · classMetaOf(GridMap).source: '${__METADATA_MODE__}'`);
  expect(text).toMatch(/3 entity classes, 1 registered function, 0 errors/);
  const kind = generated ? 'entities' : 'dynamic';
  expect(lines.find((l) => l.includes('GridMap.nodes'))).toMatch(
    new RegExp(`GridMap\\.nodes +${kind} +GridNode\\[\\] +entities +array<GridNode>`),
  );
  expect(lines.find((l) => l.includes('GridNode.position'))).toMatch(
    new RegExp(`${generated ? 'data' : 'dynamic'} +\\[number, number\\] +data +data`),
  );
  expect(text).toContain(
    'move_agent(gridmap: GridMap, sourceIndex: number, agentName: string, targetIndex: number): GridMap',
  );
  expect(text).toContain('parameter kinds: entity, data, data, data · result: entity');
});

test('run-all runs every example in one process', async () => {
  const { main } = await import(path.join(EXAMPLES, 'run-all.ts'));
  const lines: string[] = [];
  const { ran } = await main((l: string) => lines.push(l), ['01', '05', '07']);
  expect(ran).toEqual(['01-basic-transformation.ts', '05-async-concurrent.ts', '07-reactive-cascade.ts']);
  expect(lines.filter((l) => l.startsWith('\n── '))).toHaveLength(3);
  expect(lines[lines.length - 1]).toBe('\n3 examples ran.');
});

test('the demo (npm start) runs in a few seconds and writes demo-diagrams.md in the current directory', () => {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'abstractions-demo-'));
  try {
    const tsxCli = path.join(path.dirname(require.resolve('tsx/package.json')), 'dist', 'cli.mjs');
    const t0 = Date.now();
    const r = spawnSync(process.execPath, [tsxCli, path.join(EXAMPLES, 'demo.ts')], {
      cwd,
      encoding: 'utf8',
      timeout: 30_000,
      env: { ...process.env, TSX_TSCONFIG_PATH: path.join(ROOT, 'tsconfig.json'), FORCE_COLOR: '0' },
    });
    const seconds = (Date.now() - t0) / 1000;
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(seconds).toBeLessThan(20);
    const out = r.stdout;
    const lines = out.trimEnd().split('\n');
    expect(lines.length).toBeLessThanOrEqual(60);
    // eslint-disable-next-line no-control-regex -- ESC starts a colour sequence
    expect(out).not.toMatch(/\x1b\[/); // no colour when not on a terminal

    // live events, indented by nesting
    expect(out).toMatch(/^  ▸ entity\.promote started +GridMap \w{8}$/m);
    expect(out).toMatch(/^    · entity\.register completed +111 entities, lineage \w{8}$/m);
    expect(out).toMatch(/^  ▸ function\.execute started +move_agent$/m);
    expect(out).toMatch(
      /^    · entity\.version completed +GridMap \w{8} → \w{8}  \(4 forked: GridMap, GridNode ×2, Agent\)$/m,
    );
    expect(out).toMatch(/^  · function\.execute completed +move_agent mutation → \w{8}/m);
    expect(lines.filter((l) => l.startsWith('  ▸ function.execute started'))).toHaveLength(4);
    // the lineage: five versions, v2 is a branch point with children v3 and v4
    expect(out).toMatch(/^lineage \w{8}: 5 versions, 1 branch point$/m);
    expect(out).toMatch(/^  v2 \w{8}  ← v1  move_agent  agent-0-0 0→3 +branch point$/m);
    expect(out).toMatch(/^  v3 \w{8}  ← v2  move_agent  agent-7-2 7→3$/m);
    expect(out).toMatch(/^  v4 \w{8}  ← v2  move_agent  agent-4-4 4→5$/m);
    expect(out).toMatch(/^  v5 \w{8}  ← v3  move_agent  agent-0-0 3→9 +latest$/m);
    // the diff in words
    expect(out).toMatch(/^  moved +agent-0-0 +nodes\[0\] → nodes\[9\]$/m);
    expect(out).toMatch(/^  moved +agent-7-2 +nodes\[7\] → nodes\[3\]$/m);
    expect(out).toContain(
      'changed  GridNode nodes[0] (agents) · nodes[3] (agents) · nodes[7] (agents) · nodes[9] (agents)',
    );
    expect(out).toMatch(/forked +7 of 111: GridMap, GridNode ×4, Agent ×2 .*the other 104 are the same objects/);
    // reading the old version back through its address
    expect(out).toMatch(/^  get\('@[0-9a-f-]{36}\.nodes\.3\.agents'\)$/m);
    expect(out).toContain('v1     → 10 agents: agent-3-0 … agent-3-8, agent-3-9');
    expect(out).toContain('latest → 11 agents: agent-3-0 … agent-3-9, agent-7-2');
    expect(out).toContain('v1.width = 0 → ImmutableVersionError');
    // timing and the diagrams file
    expect(out).toMatch(
      /^timing +1,000 × execute\('move_agent'\) on 50x50 \(2,551 entities\), no subscriber: median \d+\.\d µs\/op/m,
    );
    const file = path.join(cwd, 'demo-diagrams.md');
    expect(out).toContain(`diagrams  ${file}`);
    const md = fs.readFileSync(file, 'utf8');
    expect(md.match(/^```mermaid$/gm)).toHaveLength(3);
    expect(md).toContain('classDef moved');
    expect(md).toMatch(/v1 GridMap.*v5 GridMap/s);
    expect(md).toContain('class v1 branchPoint');
    // the history store: new on the first run, continued on the second (SPEC §12)
    const store = path.join(cwd, 'demo-history.db');
    expect(out).toContain(`history     ${store}: a new store`);
    expect(out).toContain(
      'history   saved: run `npm start` again to continue it, `npm start -- --fresh` to start over',
    );
    const second = spawnSync(process.execPath, [tsxCli, path.join(EXAMPLES, 'demo.ts')], {
      cwd,
      encoding: 'utf8',
      timeout: 30_000,
      env: { ...process.env, TSX_TSCONFIG_PATH: path.join(ROOT, 'tsconfig.json'), FORCE_COLOR: '0' },
    });
    expect(second.stderr).toBe('');
    expect(second.status).toBe(0);
    expect(second.stdout).toContain(
      `history     ${store}: 1 grid, 5 versions and 4 execution records from earlier runs; continued the last grid: version 6 of its lineage`,
    );
    expect(second.stdout).toMatch(/^lineage \w{8}: 5 versions, 1 branch point$/m); // this run's own grid, as before
  } finally {
    fs.rmSync(cwd, { recursive: true, force: true });
  }
});
