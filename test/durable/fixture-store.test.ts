/**
 * A store written by this version of the library (format 'abstractions-ts/store', schema 1) is
 * committed as a fixture and opened here: a later change that cannot read today's stores fails
 * this test instead of a user's data (SPEC §12: stored data is versioned, never silently broken).
 * The fixture: a 2x2 GridMap promoted, then one move_agent execution.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { moveAgent, type GridMap } from '../../examples/gridmap/model';
import { CallableRegistry, EntityRegistry, sqliteStore } from '../../src';

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'stores', 'format-1.db');
const LINEAGE = '5e425b04-aafa-4245-81ad-84e3c4065dd3';
const LATEST = 'fa7ee82e-9dab-46d3-b3f8-a4e425f6cd86';

test('a schema-1 store written by this version opens with its versions and records', async () => {
  // Opening writes (the WAL switch, the write lock): work on a copy, the fixture stays as committed.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'abs-fixture-'));
  const file = path.join(dir, 'store.db');
  fs.copyFileSync(FIXTURE, file);
  try {
    const registry = new EntityRegistry({ store: sqliteStore(file) });
    const calls = new CallableRegistry({ entities: registry });
    const lineage = registry.lineage(LINEAGE);
    expect(lineage).toHaveLength(2);
    expect(lineage[1]).toEqual({ ecsId: LATEST, parentEcsId: lineage[0].ecsId });
    const latest = registry.latest<GridMap>(LINEAGE)!;
    expect(latest.ecsId).toBe(LATEST);
    expect(latest.nodes.map((n) => n.agents.map((a) => a.name))).toEqual([
      ['agent-0-1'],
      ['agent-1-0', 'agent-1-1', 'agent-0-0'],
    ]);
    const [record] = calls.executions();
    expect(record.functionName).toBe('move_agent');
    expect(record.outputIds).toEqual([LATEST]);
    expect(record.semantics).toEqual(['mutation']);
    expect(calls.executionOf(latest)).toBe(record);
    // and it can go on
    calls.register('move_agent', moveAgent);
    const next = calls.execute<GridMap>('move_agent', {
      gridmap: latest,
      sourceIndex: 1,
      agentName: 'agent-0-0',
      targetIndex: 0,
    });
    expect(next.previousEcsId).toBe(LATEST);
    await registry.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
