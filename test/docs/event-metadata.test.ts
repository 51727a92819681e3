/**
 * The framework's own events carry exactly the metadata keys their types declare
 * (src/events/framework-events.ts, docs/guide/events.md), in every phase, and selecting one by its
 * type name types the handler's event without a cast (checked by `tsc --noEmit`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { map, type Observable } from 'rxjs';
import {
  CallableRegistry,
  Entity,
  EntityRegistry,
  Event,
  EventBus,
  entity,
  ofPattern,
  type FrameworkEvent,
  type FrameworkEventPhase,
  type FrameworkEventPhases,
  type FrameworkEventType,
  type FunctionExecuteMetadata,
} from '../../src';

@entity()
class Card extends Entity {
  title = '';
}

@entity()
class Column extends Entity {
  name = '';
  cards: Card[] = [];
}

/** Every key of `M`, each exactly once: the table below cannot miss or invent a key. */
type KeysOf<M> = { readonly [K in keyof M]-?: true };

const DECLARED: { [T in FrameworkEventType]: { [P in FrameworkEventPhase<T>]: KeysOf<FrameworkEventPhases[T][P]> } } = {
  'entity.promote': { started: {}, completed: { rootEcsId: true, lineageId: true }, failed: {} },
  'entity.register': { started: {}, completed: { rootEcsId: true, lineageId: true, entityCount: true } },
  'entity.version': {
    started: {},
    completed: { created: true, rootEcsId: true, idMap: true, changedFields: true },
    failed: {},
  },
  'entity.detach': { started: {}, completed: { rootEcsId: true, previousEcsId: true }, failed: {} },
  'entity.attach': {
    started: { parentEcsId: true },
    completed: { parentEcsId: true, rootEcsId: true, created: true },
    failed: { parentEcsId: true },
  },
  'function.execute': {
    started: { executionId: true, functionName: true },
    completed: {
      executionId: true,
      functionName: true,
      inputs: true,
      inputRootIds: true,
      outputIds: true,
      semantics: true,
      versionIds: true,
      durationMs: true,
    },
    failed: { executionId: true, functionName: true },
  },
  'lineage.branch': { emitted: { lineageId: true, ecsId: true, parentEcsId: true, replacedHead: true } },
};

const declaredKeys = (type: string, phase: string): string[] | undefined => {
  const phases = (DECLARED as Record<string, Record<string, object> | undefined>)[type];
  const keys = phases?.[phase];
  return keys === undefined ? undefined : Object.keys(keys).sort();
};

function world() {
  const bus = new EventBus();
  const entities = new EntityRegistry({ bus });
  const callables = new CallableRegistry({ entities, events: bus });
  const seen: Event[] = [];
  bus.on('**', (e) => {
    seen.push(e);
  });
  return { bus, entities, callables, seen };
}

/** Runs every framework operation, succeeding and failing, and returns what they emitted. */
function everyOperation() {
  const w = world();
  const { entities, callables } = w;
  const rename = callables.register('rename_card', ({ card, title }: { card: Card; title: string }): Card => {
    card.title = title;
    return card;
  });
  callables.register('fail', (): Card => {
    throw new Error('no');
  });

  const column = Column.create({ name: 'todo', cards: [Card.create({ title: 'a' }), Card.create({ title: 'b' })] });
  const v1 = entities.promoteToRoot(column); // entity.promote, entity.register
  expect(() => entities.promoteToRoot(v1.root)).toThrow(); // a stored version: entity.promote failed

  const copy = entities.checkout<Column>(v1.ecsId);
  copy.name = 'doing';
  entities.version(copy); // entity.version (created)
  expect(() => entities.version(Card.create({ title: 'orphan' }))).toThrow(); // entity.version failed

  const stored = entities.latest<Column>(v1.lineageId)!;
  const renamed = rename.execute({ card: stored.cards[0], title: 'A' }); // function.execute, entity.version
  expect(() => callables.execute<unknown>('fail', {})).toThrow('no'); // function.execute failed

  const working = entities.checkout<Column>(entities.latestVersion(v1.lineageId)!.ecsId);
  const card = working.cards[1];
  entities.detach(card); // entity.detach (+ the column's entity.version, the card's entity.register)
  expect(() => entities.detach(working)).toThrow(); // a root: entity.detach failed

  const other = Column.create({ name: 'done' });
  entities.promoteToRoot(other);
  const moved = entities.checkout<Card>(entities.latest<Card>(card.lineageId)!.ecsId);
  expect(() => entities.attach(moved, other)).toThrow(); // not inside it yet: entity.attach failed
  other.cards.push(moved);
  entities.attach(moved, other); // entity.attach

  entities.announceBranch({ lineageId: v1.lineageId, ecsId: renamed.ecsId, parentEcsId: v1.ecsId, replacedHead: 'x' });
  return { ...w, renamed };
}

describe('framework event metadata', () => {
  it('every framework event carries exactly the keys its type declares, in every phase', () => {
    const { seen } = everyOperation();
    const covered = new Set<string>();
    for (const e of seen) {
      const keys = declaredKeys(e.type, e.phase);
      if (keys === undefined) throw new Error(`undeclared framework event ${e.type} (${e.phase})`);
      expect({ event: `${e.type} ${e.phase}`, keys: Object.keys(e.metadata).sort() }).toEqual({
        event: `${e.type} ${e.phase}`,
        keys,
      });
      covered.add(`${e.type} ${e.phase}`);
    }
    const declared = Object.entries(DECLARED).flatMap(([type, phases]) =>
      Object.keys(phases).map((phase) => `${type} ${phase}`),
    );
    expect([...covered].sort()).toEqual(declared.sort());
  });

  it("docs/guide/events.md's table lists these keys", () => {
    const page = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'guide', 'events.md'), 'utf8');
    const names = (cell: string) => [...cell.matchAll(/`(\w+)`/g)].map((m) => m[1]).sort();
    const listed = new Map<string, Record<string, string[]>>();
    for (const row of page.split('\n').filter((l) => /^\| `[a-z]+\.[a-z]+` \|/.test(l))) {
      const [type, , every, added] = row.split('|').slice(1, -1);
      const always = names(every);
      const phases = Object.keys(DECLARED[type.trim().slice(1, -1) as FrameworkEventType] ?? {});
      listed.set(
        type.trim().slice(1, -1),
        Object.fromEntries(
          phases.map((phase) => [phase, phase === 'completed' ? [...always, ...names(added)].sort() : always]),
        ),
      );
    }
    const declared = Object.entries(DECLARED).map(([type, phases]) => [
      type,
      Object.fromEntries(Object.entries(phases).map(([phase, keys]) => [phase, Object.keys(keys).sort()])),
    ]);
    expect([...listed].sort()).toEqual(declared.sort());
  });

  it('the values are what the execution record and the versions say', () => {
    const { bus, callables, renamed } = everyOperation();
    const completed = bus.history
      .byType('function.execute')
      .find((e): e is Event & { metadata: FunctionExecuteMetadata } => e.phase === 'completed')!;
    const record = callables.executionOf(renamed)!;
    expect(completed.metadata).toEqual({
      executionId: record.id,
      functionName: 'rename_card',
      inputs: record.inputs.entities,
      inputRootIds: record.inputs.rootIds,
      outputIds: [renamed.ecsId],
      semantics: ['mutation'],
      versionIds: record.versionIds,
      durationMs: record.durationMs,
    });
    const failed = bus.history.byType('function.execute').find((e) => e.phase === 'failed')!;
    expect(failed.error).toEqual({ name: 'Error', message: 'no' });
  });

  it('a framework type name types the handler and the operator (compile-time)', () => {
    const bus = new EventBus();
    const outputs: (readonly string[])[] = [];
    bus.on('function.execute', (e) => {
      // Every phase: start keys typed, completion keys `undefined` until narrowed.
      const name: string = e.metadata.functionName;
      const maybe: readonly string[] | undefined = e.metadata.outputIds;
      // @ts-expect-error not a key of function.execute's metadata (it is `outputIds`)
      void e.metadata.outputs;
      if (e.phase === 'completed') {
        outputs.push(e.metadata.outputIds);
        const ms: number = e.durationMs;
        const start: string = e.startId;
        void [ms, start];
      }
      if (e.phase === 'failed') void e.error.message;
      // @ts-expect-error an operation's events are never one-shot
      if (e.phase === 'emitted') return;
      return [name, maybe];
    });
    bus.on('entity.version', (e) => {
      if (e.phase !== 'completed') return;
      const forked: Readonly<Record<string, string>> = e.metadata.idMap;
      const created: boolean = e.metadata.created;
      return [forked, created];
    });
    bus.on('lineage.branch', (e) => {
      const head: string = e.metadata.replacedHead;
      return head;
    });
    bus.on('student.enrolled', (e) => {
      // Any other type name: a plain Event, metadata untyped.
      const anything: unknown = e.metadata.whatever;
      return anything;
    });
    const ids: Observable<readonly string[]> = bus.events$.pipe(
      ofPattern('function.execute'),
      map((e) => (e.phase === 'completed' ? e.metadata.versionIds : [])),
    );
    const asEvent: (e: FrameworkEvent) => Event = (e) => e; // a framework event is an Event
    void [ids, asEvent];
    expect(outputs).toEqual([]);
  });
});
