/**
 * The JetStream event transport (src/durable/nats-transport.ts) against a real NATS server:
 * `NATS_URL` (default nats://127.0.0.1:4222) for the first tests, left out without one
 * (jest.config.js). Each test works in a store of its own (a random id) and deletes
 * its stream afterwards.
 *
 * The broker-restart tests (TEST 5) stop and restart a NATS server of their own (`nats-server` on
 * PATH, or `NATS_SERVER`), on a free port and a temporary store directory: stopping the shared one
 * would break whatever else uses it meanwhile, this file's run in the other jest project included.
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { natsTransport, type EventTransport, type RelayedEvent } from '../../src/durable/nats-transport';
import { freePort, natsUrl, ownNatsServer as ownServer } from '../support/services';

jest.setTimeout(20_000);

const streamOf = (storeId: string) => `ABS_EV_${storeId.replace(/-/g, '_')}`;

function makeEvents(count: number, lineages: readonly (string | null)[]): RelayedEvent[] {
  return Array.from({ length: count }, (_, i) => ({
    id: randomUUID(),
    lineageId: lineages[i % lineages.length],
    type: i % 3 === 0 ? 'function.execute' : 'entity.version',
    payload: JSON.stringify({ i, text: `event ${i}: "quoted", ünïcode` }),
  }));
}

/** An onEvent that records what it is handed, and a wait for a count of events. */
function collector() {
  const got: RelayedEvent[] = [];
  return {
    got,
    onEvent: (event: RelayedEvent) => {
      got.push(event);
    },
    /** Waits until `count` events arrived, then a little longer, so that an extra one would show. */
    async waitFor(count: number, timeoutMs = 15_000): Promise<RelayedEvent[]> {
      const deadline = Date.now() + timeoutMs;
      while (got.length < count && Date.now() < deadline) await sleep(20);
      await sleep(300);
      return got;
    },
  };
}

describe('nats-transport', () => {
  let storeId: string;
  let opened: EventTransport[];

  /** A transport on this test's store, closed after the test. */
  async function open(): Promise<EventTransport> {
    const transport = await natsTransport().open(storeId);
    opened.push(transport);
    return transport;
  }

  beforeEach(() => {
    storeId = randomUUID();
    opened = [];
  });

  afterEach(async () => {
    await Promise.all(opened.map((t) => t.close()));
    const nc = await connect({ servers: natsUrl() });
    const jsm = await jetstreamManager(nc);
    await jsm.streams.delete(streamOf(storeId)).catch(() => false); // a test may not have created it
    await nc.close();
  });

  test('500 events on two lineages reach a subscriber once each, in publish order, field for field', async () => {
    const transport = await open();
    const { onEvent, waitFor } = collector();
    await transport.subscribe('reader', onEvent);
    const events = makeEvents(500, [randomUUID(), randomUUID()]);
    await transport.publish(events.slice(0, 200));
    await transport.publish(events.slice(200));
    expect(await waitFor(500)).toEqual(events);
  });

  test('an event with no lineage, published by another process, comes back with lineageId null', async () => {
    const publisher = await open();
    const { onEvent, waitFor } = collector();
    await (await open()).subscribe('reader', onEvent);
    const events = makeEvents(3, [null]);
    await publisher.publish(events);
    expect(await waitFor(3)).toEqual(events);
  });

  test('ids published twice are delivered once: dropped by the server inside its window, by the subscriber past it', async () => {
    const transport = await open();
    const { onEvent, waitFor } = collector();
    await transport.subscribe('reader', onEvent);
    const events = makeEvents(20, [randomUUID()]);
    await transport.publish(events);
    await transport.publish(events); // inside the 2-minute window: acked, not stored
    const nc = await connect({ servers: natsUrl() });
    const jsm = await jetstreamManager(nc);
    expect((await jsm.streams.info(streamOf(storeId))).state.messages).toBe(20);
    expect(await waitFor(20)).toEqual(events);

    // A store whose stream keeps ids for 100 ms only (open leaves an existing stream as it is):
    // the repeats are stored, and the subscriber drops them by id.
    const other = randomUUID();
    await jsm.streams.add({ name: streamOf(other), subjects: [`abs.ev.${other}.>`], duplicate_window: 100e6 });
    try {
      const short = await natsTransport().open(other);
      opened.push(short);
      const second = collector();
      await short.subscribe('reader', second.onEvent);
      await short.publish(events);
      await sleep(300);
      await short.publish(events);
      expect((await jsm.streams.info(streamOf(other))).state.messages).toBe(40);
      expect(await second.waitFor(20)).toEqual(events);
    } finally {
      await jsm.streams.delete(streamOf(other));
      await nc.close();
    }
  });

  test('a durable consumer resumes where it acked: in the same process, and in a new one', async () => {
    const transport = await open();
    const events = makeEvents(30, [randomUUID(), null]);
    const first = collector();
    const subscription = await transport.subscribe('resumer', first.onEvent);
    await transport.publish(events.slice(0, 10));
    expect(await first.waitFor(10)).toEqual(events.slice(0, 10));
    await subscription.stop();

    await transport.publish(events.slice(10, 20)); // nobody is listening
    const second = collector();
    const again = await transport.subscribe('resumer', second.onEvent);
    expect(await second.waitFor(10)).toEqual(events.slice(10, 20));
    await again.stop();
    await transport.close();

    // A restarted process: a new connection, nothing remembered but what the server keeps.
    await (await open()).publish(events.slice(20));
    const third = collector();
    await (await open()).subscribe('resumer', third.onEvent);
    expect(await third.waitFor(10)).toEqual(events.slice(20));
    expect(first.got.length + second.got.length).toBe(20);
  });

  test('events a stopped subscription had received but not handed over reach the next one at once, in order', async () => {
    const transport = await open();
    const events = makeEvents(50, [randomUUID()]);
    const slow = collector();
    const subscription = await transport.subscribe('slow', async (event) => {
      slow.onEvent(event);
      await sleep(50);
    });
    await transport.publish(events);
    while (slow.got.length < 5) await sleep(10);
    await subscription.stop(); // the rest were pulled already: unacked, resent by the server only after 30 s
    const started = Date.now();
    const next = collector();
    await transport.subscribe('slow', next.onEvent);
    expect([...slow.got, ...(await next.waitFor(50 - slow.got.length, 5000))]).toEqual(events);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  test("deliverFrom 'all' starts at the stream's first event, 'new' after the consumer is created", async () => {
    const transport = await open();
    const events = makeEvents(10, [randomUUID()]);
    await transport.publish(events.slice(0, 5));
    const all = collector();
    const fresh = collector();
    await transport.subscribe('all', all.onEvent, { deliverFrom: 'all' });
    await transport.subscribe('fresh', fresh.onEvent);
    await transport.publish(events.slice(5));
    expect(await all.waitFor(10)).toEqual(events);
    expect(await fresh.waitFor(5)).toEqual(events.slice(5));
  });

  test('an event whose onEvent throws is handed over again, then the next ones, in order', async () => {
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const transport = await open();
      const events = makeEvents(10, [randomUUID()]);
      const tries: string[] = [];
      const done: RelayedEvent[] = [];
      await transport.subscribe('flaky', (event) => {
        tries.push(event.id);
        if (event.id === events[3].id && tries.filter((id) => id === event.id).length === 1) {
          throw new Error('not now');
        }
        done.push(event);
      });
      await transport.publish(events);
      const deadline = Date.now() + 10_000;
      while (done.length < 10 && Date.now() < deadline) await sleep(20);
      await sleep(300);
      expect(done).toEqual(events);
      const ids = events.map((e) => e.id);
      expect(tries).toEqual([...ids.slice(0, 4), ...ids.slice(3)]);
      expect(warn).toHaveBeenCalledWith(expect.stringContaining(`onEvent failed on event ${events[3].id} (not now)`));
    } finally {
      warn.mockRestore();
    }
  });

  test('a store id or event that a subject cannot carry is refused, before anything is sent', async () => {
    await expect(natsTransport().open('a.b')).rejects.toThrow('cannot name a subject');
    const transport = await open();
    const [good] = makeEvents(1, [null]);
    await expect(transport.publish([good, { ...good, id: randomUUID(), type: 'entity..version' }])).rejects.toThrow(
      'has a type a subject cannot carry',
    );
    const { onEvent, waitFor } = collector();
    await transport.subscribe('reader', onEvent, { deliverFrom: 'all' });
    expect(await waitFor(0)).toEqual([]);
  });

  test('a broker that is not there: open rejects naming the server', async () => {
    await expect(natsTransport({ servers: 'nats://127.0.0.1:1' }).open(storeId)).rejects.toThrow(
      'NATS at nats://127.0.0.1:1: connecting',
    );
  });

  describe('across a broker restart', () => {
    // TEST 5: the broker goes down for a second while events are published and delivered. Killed,
    // it also forgets the last acks it had, so handed events come again and are dropped.
    test.each(['SIGTERM', 'SIGKILL'] as const)(
      'stopped with %s mid-stream, the broker delays publishing and delivery but loses and repeats nothing',
      async (signal) => {
        const port = await freePort();
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'abs-nats-'));
        let server = await ownServer(port, dir);
        let transport: EventTransport | undefined;
        try {
          transport = await natsTransport({ servers: `nats://127.0.0.1:${port}` }).open(randomUUID());
          const { onEvent, waitFor } = collector();
          await transport.subscribe('survivor', onEvent);
          const events = makeEvents(200, [randomUUID(), randomUUID()]);
          let restart: Promise<void> | undefined;
          for (const [i, event] of events.entries()) {
            if (i === 100) {
              restart = (async () => {
                await server.stop(signal);
                await sleep(1000);
                server = await ownServer(port, dir);
              })();
            }
            // As a caller would: keep the event and try again until the broker takes it.
            for (;;) {
              try {
                await transport.publish([event]);
                break;
              } catch {
                await sleep(100);
              }
            }
            await sleep(5);
          }
          await restart;
          expect(await waitFor(200, 40_000)).toEqual(events);
        } finally {
          await transport?.close();
          await server.stop();
          fs.rmSync(dir, { recursive: true, force: true }); // the stream goes with the server's store
        }
      },
      60_000,
    );
  });
});
