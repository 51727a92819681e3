/**
 * The event transport of a store shared by several processes: events relayed through NATS
 * JetStream (nats.js v3), one stream per store. A registry is given `natsEvents({...})` (event-relay.ts), which opens
 * it once its store's id is known; `publish` sends its events, `subscribe` hands every process the
 * events of all of them.
 *
 * Wire format: stream `ABS_EV_<storeId, '-' as '_'>` over `abs.ev.<storeId>.>`; an event's subject
 * is `abs.ev.<storeId>.<lineageId or '_'>.<type>` (for filtering), its body the payload text, its
 * id the `Nats-Msg-Id` header (the server drops a repeat inside the 2-minute duplicate window) and
 * its lineage and type the `Abs-Lineage-Id` (absent: null) and `Abs-Type` headers, so an event is
 * rebuilt from headers alone, without parsing the subject.
 *
 * Imports only node built-ins and @nats-io (and peers.ts, which loads it): it sits beside the
 * stores, not on them.
 */
import { setTimeout as sleep } from 'node:timers/promises';
// The client is an optional peer dependency, loaded by natsTransport() (peers.ts); only its types
// are imported here. transport-node re-exports nats-core through its `/internal` subpath, which
// this project's `moduleResolution: node` cannot follow (its exports would be missing or
// untyped): the rest of the client's core is taken from nats-core itself, which transport-node
// depends on.
import type * as NatsTransportNode from '@nats-io/transport-node';
import type * as NatsCore from '@nats-io/nats-core';
import type * as NatsJetStream from '@nats-io/jetstream';
import type { ConnectionOptions, MsgHdrs, NatsConnection } from '@nats-io/nats-core';
import type { ConsumerInfo, ConsumerMessages, JetStreamClient, JetStreamManager, JsMsg } from '@nats-io/jetstream';
import { requirePeer } from './peers';

/** One event to relay: its id (unique, a UUID string; used as the JetStream message id for dedup), the lineage it is about (or null), its dot-separated type (e.g. 'function.execute', 'entity.version'), and the event as JSON text. */
export interface RelayedEvent {
  readonly id: string;
  readonly lineageId: string | null;
  readonly type: string;
  readonly payload: string;
}

export interface NatsEventsOptions {
  /** NATS servers, e.g. 'nats://127.0.0.1:4222' or a list. Default: process.env.NATS_URL ?? 'nats://127.0.0.1:4222'. */
  readonly servers?: string | readonly string[];
  /** Stream max age in ms (default 24 h) and max bytes (default 1 GiB). */
  readonly maxAgeMs?: number;
  readonly maxBytes?: number;
}

/** The transport, opened per store once the store's id is known (`natsEvents` does, event-relay.ts). */
export interface EventTransportFactory {
  readonly kind: 'nats';
  open(storeId: string): Promise<EventTransport>;
}

export interface EventTransport {
  /**
   * Publishes in order, then awaits every ack (JetStream msgID = event id; a duplicate inside the
   * stream's duplicate window is acknowledged and dropped by the server). Rejects if the broker
   * cannot be reached or an ack times out (5 s); the caller keeps the events and retries later,
   * with the same ids, so an event stored before its ack was lost is not stored twice.
   */
  publish(events: readonly RelayedEvent[]): Promise<void>;
  /**
   * Delivers every event published to this store's stream by anyone, in stream order, at least
   * once, to `onEvent`, through a durable consumer named `consumer` (one per process identity: a
   * restarted process with the same name resumes where it acked). `onEvent` is awaited before the
   * next event is handed over, and the event is acked after it resolves. Events are deduplicated
   * by id here too (the last 100,000 ids per consumer name), so `onEvent` sees each id once per
   * process. `forgetAfterMs`: the server deletes the consumer after this long without a pull (for
   * a name that will not come back). `deliverFrom`: 'new' (only events published after the consumer is first created;
   * default) or 'all'. Survives a broker restart: the connection reconnects and delivery resumes,
   * losing and repeating nothing.
   *
   * An error thrown by `onEvent` does not end the subscription: the event is not acked and is
   * handed to `onEvent` again after a pause (0.1 s, doubling up to 5 s; a process warning says so
   * once), and the events after it wait, so the order holds; a subscription stopped meanwhile
   * leaves it to the next one with this name. (A nak would have the server resend it only after
   * the events already on their way, out of order.)
   *
   * Resolves once the consumer exists; rejects, naming the server, if it cannot be created.
   * `stop` waits for the event in hand, then ends the subscription.
   */
  subscribe(
    consumer: string,
    onEvent: (event: RelayedEvent) => void | Promise<void>,
    options?: { deliverFrom?: 'new' | 'all'; forgetAfterMs?: number },
  ): Promise<{ stop(): Promise<void> }>;
  /** Stops the subscriptions, then drains and closes the connection. */
  close(): Promise<void>;
}

const DAY_MS = 24 * 3600_000;
const DUPLICATE_WINDOW_MS = 2 * 60_000;
/** Deliveries a consumer may have unacked: bounds what one subscriber holds, and what a restart resends. */
const MAX_ACK_PENDING = 1000;
/** Messages a `consume()` pull asks for at a time. */
const PULL_BATCH = 100;
const RECENT_IDS = 100_000;
const LINEAGE_HEADER = 'Abs-Lineage-Id';
const TYPE_HEADER = 'Abs-Type';
const ID_HEADER = 'Nats-Msg-Id';
/** A subject token (a lineage id, one part of a type, an event id): no dot, wildcard or space. */
const TOKEN = /^[^\s.*>]+$/;
/** A store id or consumer name: a subject token that is also a valid stream or consumer name. */
const NAME = /^[^\s.*>/\\]+$/;

/** The NATS client's packages (optional peer dependencies). */
interface Nats {
  readonly transport: typeof NatsTransportNode;
  readonly core: typeof NatsCore;
  readonly jetstream: typeof NatsJetStream;
}

const NATS_PACKAGES = ['@nats-io/transport-node', '@nats-io/jetstream', '@nats-io/nats-core'];

/** Loads the client; PeerDependencyError naming the first package that is not installed. */
function loadNats(): Nats {
  const load = <T>(name: string) => requirePeer<T>(name, 'natsEvents()', NATS_PACKAGES);
  return {
    transport: load<typeof NatsTransportNode>('@nats-io/transport-node'),
    core: load<typeof NatsCore>('@nats-io/nats-core'),
    jetstream: load<typeof NatsJetStream>('@nats-io/jetstream'),
  };
}

export function natsTransport(options: NatsEventsOptions = {}): EventTransportFactory {
  const servers = options.servers ?? process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
  const nats = loadNats();
  return {
    kind: 'nats',
    open: (storeId) =>
      openTransport(nats, storeId, typeof servers === 'string' ? servers : [...servers], {
        maxAgeMs: options.maxAgeMs ?? DAY_MS,
        maxBytes: options.maxBytes ?? 1024 ** 3,
      }),
  };
}

async function openTransport(
  nats: Nats,
  storeId: string,
  servers: string | string[],
  limits: { maxAgeMs: number; maxBytes: number },
): Promise<EventTransport> {
  if (!NAME.test(storeId)) throw new Error(`NATS events: store id ${JSON.stringify(storeId)} cannot name a subject`);
  const where = `NATS at ${[servers].flat().join(', ')}`;
  /** Awaits a broker call; a rejection says where the broker is and what was being done. */
  const at = async <T>(doing: string, call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (err) {
      throw new Error(`${where}: ${doing}: ${(err as Error).message}`, { cause: err });
    }
  };
  // Reconnect forever, quickly: a broker restart only delays publishing and delivery.
  const connection: ConnectionOptions = {
    servers,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    name: `abstractions events ${storeId}`,
  };
  const nc: NatsConnection = await at('connecting', () => nats.transport.connect(connection));
  const stream = `ABS_EV_${storeId.replace(/-/g, '_')}`;
  let jsm: JetStreamManager;
  try {
    jsm = await at('opening JetStream', () => nats.jetstream.jetstreamManager(nc));
    await at(`creating stream ${stream}`, () => ensureStream(nats, jsm, stream, `abs.ev.${storeId}.>`, limits));
  } catch (err) {
    await nc.close();
    throw err;
  }
  const js = nats.jetstream.jetstream(nc);
  const recent = new Map<string, RecentIds>();
  const live = new Set<{ stop(): Promise<void> }>();

  return {
    async publish(events) {
      for (const event of events) checkEvent(event);
      // All sent before any ack is awaited (one connection keeps their order), then every ack
      // awaited: one round trip per call instead of one per event.
      const acks = events.map((event) => {
        const subject = `abs.ev.${storeId}.${event.lineageId ?? '_'}.${event.type}`;
        const h = nats.core.headers();
        if (event.lineageId !== null) h.set(LINEAGE_HEADER, event.lineageId);
        h.set(TYPE_HEADER, event.type);
        return at(`publishing event ${event.id} to ${subject}`, () =>
          js.publish(subject, event.payload, { msgID: event.id, headers: h }),
        );
      });
      const failed = (await Promise.allSettled(acks)).find((r) => r.status === 'rejected');
      if (failed !== undefined) throw failed.reason;
    },

    async subscribe(consumer, onEvent, options = {}) {
      if (!NAME.test(consumer)) throw new Error(`NATS events: consumer name ${JSON.stringify(consumer)} is not valid`);
      const info = await at(`opening consumer ${consumer} on ${stream}`, () =>
        durableConsumer(nats, jsm, stream, consumer, options.deliverFrom ?? 'new', options.forgetAfterMs),
      );
      let seen = recent.get(consumer);
      if (!seen) recent.set(consumer, (seen = new RecentIds(RECENT_IDS)));
      const subscription = relay(nc, js, jsm, info, seen, onEvent);
      const handle = {
        stop: async () => {
          live.delete(handle);
          await subscription.stop();
        },
      };
      live.add(handle);
      return handle;
    },

    async close() {
      await Promise.all([...live].map((s) => s.stop()));
      if (!nc.isClosed()) await at('draining the connection', () => nc.drain());
    },
  };
}

/** Creates the stream if missing; an existing one is left as it is (whoever created it set its limits). */
async function ensureStream(
  nats: Nats,
  jsm: JetStreamManager,
  name: string,
  subject: string,
  limits: { maxAgeMs: number; maxBytes: number },
): Promise<void> {
  let subjects: string[] | undefined;
  try {
    subjects = (await jsm.streams.info(name)).config.subjects;
  } catch (err) {
    if (!isApiError(nats, err, nats.jetstream.JetStreamApiCodes.StreamNotFound)) throw err;
    const config = {
      name,
      subjects: [subject],
      storage: nats.jetstream.StorageType.File,
      duplicate_window: DUPLICATE_WINDOW_MS * 1e6, // nanoseconds, as are all JetStream durations
      max_age: limits.maxAgeMs * 1e6,
      max_bytes: limits.maxBytes,
    };
    // A process opening the same store at the same time may create it first, perhaps with other
    // limits (then `add` is refused as a different configuration): theirs is as good as ours.
    const created = await jsm.streams
      .add(config)
      .catch((err: unknown) => jsm.streams.info(name).catch(() => Promise.reject(err)));
    subjects = created.config.subjects;
  }
  // Two store ids differing only in '-' and '_' name the same stream.
  if (!subjects?.includes(subject))
    throw new Error(`stream ${name} exists for other subjects: ${subjects?.join(', ')}`);
}

/**
 * The durable consumer, created if missing. It starts at an explicit sequence (the stream's next
 * one for 'new') rather than with DeliverPolicy.New, whose info does not tell where it started
 * until something is acked, which `firstToHand` needs.
 */
async function durableConsumer(
  nats: Nats,
  jsm: JetStreamManager,
  stream: string,
  name: string,
  deliverFrom: 'new' | 'all',
  forgetAfterMs: number | undefined,
): Promise<ConsumerInfo> {
  try {
    return await jsm.consumers.info(stream, name);
  } catch (err) {
    if (!isApiError(nats, err, nats.jetstream.JetStreamApiCodes.ConsumerNotFound)) throw err;
  }
  const start = deliverFrom === 'all' ? 1 : (await jsm.streams.info(stream)).state.last_seq + 1;
  return jsm.consumers.add(stream, {
    durable_name: name,
    // A consumer no one pulls from for this long is deleted by the server (nanoseconds).
    ...(forgetAfterMs === undefined ? {} : { inactive_threshold: forgetAfterMs * 1_000_000 }),
    ack_policy: nats.jetstream.AckPolicy.Explicit,
    max_ack_pending: MAX_ACK_PENDING,
    deliver_policy: nats.jetstream.DeliverPolicy.StartSequence,
    opt_start_seq: start,
  });
}

/**
 * The stream sequence a (re)started subscription hands over first: past every delivered message
 * when none awaits an ack; else past the ack floor (the unacked ones are read again, and those
 * handed before are known by id); never before where the consumer starts.
 */
function firstToHand(info: ConsumerInfo): number {
  const handed = info.num_ack_pending === 0 ? info.delivered.stream_seq : info.ack_floor.stream_seq;
  return Math.max(info.config.opt_start_seq ?? 1, handed + 1);
}

/**
 * One subscription's delivery loop. JetStream redelivers an unacked message (lost on a dropped
 * connection or a stopped subscription) only after its ack wait (30 s), and meanwhile delivers
 * the later ones; so the loop tracks the next stream sequence to hand over itself (`next`): a
 * message past it means the ones between were lost on the way, and they are read from the
 * stream by sequence first; one before it was handed already and is only acked. Those read from
 * the stream are acked when the server resends them.
 */
function relay(
  nc: NatsConnection,
  js: JetStreamClient,
  jsm: JetStreamManager,
  info: ConsumerInfo,
  seen: RecentIds,
  onEvent: (event: RelayedEvent) => void | Promise<void>,
): { stop(): Promise<void> } {
  const { stream_name: stream, name } = info;
  const consumer = js.consumers.getConsumerFromInfo(info);
  let next = firstToHand(info);
  let stopped = false;
  let messages: ConsumerMessages | undefined;
  const stopping = new AbortController();
  /** Waits `ms`, less if the subscription stops meanwhile. */
  const pause = (ms: number) => sleep(ms, undefined, { signal: stopping.signal }).catch(() => undefined);

  /** Hands one stored event to onEvent unless seen; false if stopped before onEvent succeeded. */
  async function hand(seq: number, h: MsgHdrs | undefined, body: string): Promise<boolean> {
    const event = toEvent(h, body);
    if (event && !seen.has(event.id)) {
      for (let attempt = 0; ; attempt++) {
        try {
          await onEvent(event);
          break;
        } catch (err) {
          if (attempt === 0) {
            process.emitWarning(
              `NATS events: onEvent failed on event ${event.id} (${(err as Error).message}); retrying`,
            );
          }
          await pause(Math.min(100 * 2 ** attempt, 5000));
          if (stopped) return false;
        }
      }
      seen.add(event.id);
    }
    next = seq + 1;
    return true;
  }

  /** Hands over the stored events before `end` not yet handed, reading them from the stream. */
  async function catchUp(end: number): Promise<void> {
    while (next < end && !stopped) {
      const stored = await jsm.streams.getMessage(stream, { seq: next });
      if (stored) await hand(stored.seq, stored.header, stored.string());
      // Removed (by age or size, or by hand): go on from the stream's first message at least.
      else next = Math.max(next + 1, (await jsm.streams.info(stream)).state.first_seq);
    }
  }

  async function receive(m: JsMsg): Promise<void> {
    await catchUp(m.seq);
    if (stopped) return; // unacked: the next subscription with this name gets it
    if (m.seq === next && !(await hand(m.seq, m.headers, m.string()))) return;
    m.ack();
  }

  const done = (async () => {
    let failing = false;
    while (!stopped && !nc.isClosed()) {
      try {
        // What a previous subscription with this name received but did not hand over would be
        // resent only after the ack wait: read it from the stream now.
        await catchUp((await jsm.consumers.info(stream, name)).delivered.stream_seq + 1);
        if (stopped) break;
        messages = await consumer.consume({ max_messages: PULL_BATCH });
        failing = false;
        if (stopped) break;
        for await (const m of messages) {
          if (stopped) break;
          await receive(m);
        }
      } catch (err) {
        // The broker is away or refused a request: nats.js reconnects; try again shortly.
        if (!failing && !stopped && !nc.isClosed()) {
          process.emitWarning(`NATS events: consumer ${name} on ${stream}: ${(err as Error).message}; retrying`);
        }
        failing = true;
        await pause(1000);
      } finally {
        await messages?.close();
        messages = undefined;
      }
    }
  })();

  return {
    async stop() {
      stopped = true;
      stopping.abort();
      await messages?.close();
      await done;
    },
  };
}

/** Rebuilds an event from its headers and body; null for a message `publish` did not write. */
function toEvent(h: MsgHdrs | undefined, payload: string): RelayedEvent | null {
  const id = h?.get(ID_HEADER);
  const type = h?.get(TYPE_HEADER);
  if (!h || !id || !type) return null;
  return { id, lineageId: h.has(LINEAGE_HEADER) ? h.get(LINEAGE_HEADER) : null, type, payload };
}

/** Refuses an event its subject or headers could not carry, before anything of the batch is sent. */
function checkEvent(e: RelayedEvent): void {
  const bad = !TOKEN.test(e.id)
    ? 'id'
    : e.lineageId !== null && !TOKEN.test(e.lineageId)
      ? 'lineageId'
      : !e.type.split('.').every((t) => TOKEN.test(t))
        ? 'type'
        : undefined;
  if (bad) throw new Error(`NATS events: event ${JSON.stringify(e.id)} has a ${bad} a subject cannot carry`);
}

function isApiError(nats: Nats, err: unknown, code: number): boolean {
  return err instanceof nats.jetstream.JetStreamApiError && err.code === code;
}

/** The ids handed over lately, oldest forgotten first (a Set iterates in insertion order). */
class RecentIds {
  private readonly ids = new Set<string>();
  constructor(private readonly max: number) {}
  has(id: string): boolean {
    return this.ids.has(id);
  }
  add(id: string): void {
    this.ids.add(id);
    if (this.ids.size > this.max) this.ids.delete(this.ids.values().next().value as string);
  }
}
