/**
 * 06 · Events: three ways to subscribe, priorities, RxJS operators, settled(), errors$.
 *
 * Shows: `events.on(EventClass | 'glob.*' | predicate, handler, { priority })`; the framework's
 * own events (entity.*, function.execute) next to a user event class; `events$` piped through
 * ofType() / ofPattern(); an async handler awaited with settled(); a throwing handler reported on
 * errors$ without breaking anything. Every subscription is removed at the end.
 *
 * Run: npx tsx examples/06-events.ts
 */
import { filter } from 'rxjs';
import { CallableRegistry, Entity, EntityRegistry, Event, entity, events, ofPattern, ofType } from '../src';

@entity()
export class Order extends Entity {
  item = '';
  qty = 0;
  status = 'draft';
}

/** A user event: a subclass that sets its type. Events carry ids and metadata, never entity data. */
export class OrderPlaced extends Event {
  override type = 'order.placed';
}

export async function main(log: (line: string) => void = console.log) {
  EntityRegistry.reset();
  CallableRegistry.reset();
  const short = (id?: string | null) => (id ?? '—').slice(0, 8);
  const row = (how: string, text: string) => log(`${how.padEnd(12)} ${text}`);
  CallableRegistry.register('place_order', ({ order }: { order: Order }) => {
    order.status = 'placed';
    return order;
  });

  const subscriptions = [
    // 1. by class (and by the `type` its instances carry)
    events.on(OrderPlaced, (e) => row('class', `OrderPlaced for order ${short(e.subjectId)}, qty ${e.metadata.qty}`)),
    // 2. by glob over the type: `*` is one dot-separated segment, `**` any number
    events.on('entity.*', (e) => {
      if (e.phase !== 'completed') return; // every operation also has a `started` event
      const note =
        e.metadata.created === false ? '  (no change: execute() first checks a working-tree argument for edits)' : '';
      row('glob', `entity.* matched ${e.type} ${e.phase}${note}`);
    }),
    // 3. by predicate
    events.on(
      (e) => Number(e.metadata.qty) >= 10,
      (e) => row('predicate', `qty >= 10 matched ${e.type}: a bulk order`),
    ),
    // priority: higher runs first (default 0; ties in subscription order)
    events.on(OrderPlaced, () => row('priority 10', 'runs first (10 > the default 0)'), { priority: 10 }),
    // async handlers: emit() does not wait; settled() does
    events.on(OrderPlaced, async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      row('async', 'handler finished (awaited by settled())');
    }),
    // a throwing handler: reported on errors$, emit and the other handlers carry on
    events.on(OrderPlaced, function auditLog() {
      throw new Error('audit store offline');
    }),
    events.errors$.subscribe((err) =>
      row('errors$', `${err.handler} failed on ${err.event?.type}: ${(err.error as Error).message}`),
    ),
    // RxJS: events$ is an Observable of every event, after the on() handlers
    events.events$
      .pipe(ofType(OrderPlaced))
      .subscribe((e) => row('ofType', `events$ saw ${e.type} (parent ${short(e.parentId)})`)),
    events.events$
      .pipe(
        ofPattern('function.**'),
        filter((e) => e.phase === 'completed'),
      )
      .subscribe((e) =>
        row('ofPattern', `function.** → ${e.subjectId} ${e.phase}, semantics ${JSON.stringify(e.metadata.semantics)}`),
      ),
  ];

  try {
    const order = new Order({ item: 'tea', qty: 12 });
    order.promoteToRoot();
    const placed = CallableRegistry.execute<Order>('place_order', { order });
    events.emit(new OrderPlaced({ subjectType: 'Order', subjectId: placed.ecsId, metadata: { qty: placed.qty } }));
    log('emit() returned; awaiting settled() …');
    await events.settled();
    row(
      'history',
      `${events.history.byType('order.placed').length} order.placed, ${events.history.byType('entity.*').length} entity.* events recorded while observed`,
    );
    return { placed };
  } finally {
    for (const s of subscriptions) s.unsubscribe();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
