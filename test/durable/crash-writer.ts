/**
 * The child process of the crash test (sqlite-engine.test.ts): writes batches of BATCH rows of
 * each kind into the store at argv[2] until it is killed, and reports each committed batch to the
 * parent (`process.send(count)`). Run with `node -r tsx/cjs`.
 */
import { randomUUID } from 'node:crypto';
import { openSqliteEngine } from '../../src/durable/sqlite-engine';
import type { WriteBatch } from '../../src/durable/rows';
import { entityRow, versionRow } from '../support/rows';

export const BATCH = 100;
/** Lineages the versions are spread over (so lineage_head is moved many times per batch). */
export const LINEAGES = 7;

function batch(): WriteBatch {
  const filler = 'x'.repeat(400);
  const rows = Array.from({ length: BATCH }, (_, i) => ({ id: randomUUID(), lineage: `lineage-${i % LINEAGES}` }));
  return {
    entities: rows.map(({ id, lineage }) =>
      entityRow(id, lineage, { className: 'Crash', data: JSON.stringify({ filler }) }),
    ),
    versions: rows.map(({ id, lineage }) => versionRow(id, lineage, null, 'Crash')),
    executions: rows.map(({ id }) => ({
      id,
      functionName: 'crash',
      status: 'succeeded',
      startedAt: Date.now(),
      record: JSON.stringify({ filler }),
    })),
    withdrawn: [],
  };
}

if (require.main === module) {
  const engine = openSqliteEngine(process.argv[2]);
  let committed = 0;
  // argv[3] 'thread': batches go to the writer thread, two at a time, and each is reported once
  // settle() says it is written (as `durable` acknowledges); else written inline.
  const thread = process.argv[3] === 'thread';
  // setImmediate between batches lets each report reach the parent before the next write.
  const loop = async (): Promise<void> => {
    if (thread) {
      engine.submit(batch());
      engine.submit(batch());
      await engine.settle();
      committed += 2;
    } else {
      engine.write(batch());
      committed++;
    }
    process.send?.(committed);
    setImmediate(() => void loop());
  };
  void loop();
}
