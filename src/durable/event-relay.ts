/**
 * Events between processes that share a store (SPEC §13; persistence design note §2.7).
 *
 * Out: every event of the registry's bus that was emitted here is queued with the rows (the
 * store's queue: after the commit it describes) and written in the same transaction, to the
 * `event_outbox` table. One process at a time publishes that table (`leadRelay`: a PostgreSQL
 * session lock; another takes over when its connection ends), in table order, to JetStream with
 * the event id as message id, and marks the rows published. A broker that cannot be reached
 * delays events and loses none: the rows wait in the table and are published when it is back.
 *
 * In: each process reads the stream with a consumer of its own and emits every event another
 * process relayed on its bus, once (the transport drops what it delivered before), in stream
 * order (commit order per lineage), with its original id, `parentId` and `rootId` and `origin:
 * 'remote'`. Handlers react to them as to local ones; what they emit goes out again.
 */
import { Event, type MutableEvent } from '../events/event';
import type { EntityRegistry, RegistryEvents } from '../store/entity-registry';
import type { HistoryStore } from '../store/history-store';
import { newId } from '../util/ids';
import { errorText } from '../errors';
import { EngineHistoryStore } from './engine-store';
import { StoreOptionError } from './errors';
import { natsTransport, type EventTransport, type NatsEventsOptions, type RelayedEvent } from './nats-transport';
import type { SharedStorageEngine } from './rows';

export interface NatsRelayOptions extends NatsEventsOptions {
  /**
   * The name of this process's consumer: a process started again under the same name receives
   * what was published while it was away. Default: a new name per registry (events from the
   * moment it connects), which the server forgets an hour after the registry closes.
   */
  readonly consumer?: string;
}

/** How often the relaying process looks for rows it was not told about (a missed notification). */
const POLL_MS = 250;
/** Outbox rows published per round. */
const PUBLISH_BATCH = 256;
/** How long the server keeps a consumer nobody pulls from, for default (one-off) names. */
const FORGET_ONE_OFF_MS = 3_600_000;
/** A type a subject can carry: dot-separated tokens (events of other types stay in this process). */
const RELAYABLE_TYPE = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

/**
 * Events relayed through NATS JetStream, for `EntityRegistry.connect({ store: postgresStore(url),
 * events: natsEvents({ servers }) })`. Needs a shared store (PostgreSQL).
 */
export function natsEvents(options: NatsRelayOptions = {}): RegistryEvents {
  const transports = natsTransport(options);
  return {
    async connect(registry: EntityRegistry, store: HistoryStore) {
      const engine = store instanceof EngineHistoryStore ? store.sharedEngine() : null;
      if (engine === null)
        throw new StoreOptionError(
          'events',
          `a ${store.kind} store`,
          'a store other processes share (postgresStore): events are relayed through its outbox',
        );
      const transport = await transports.open(engine.storeId);
      const relay = new EventRelay(registry, store as EngineHistoryStore, engine, transport);
      try {
        await relay.start(options.consumer);
      } catch (error) {
        await relay.close();
        throw error;
      }
      return relay;
    },
  };
}

/** What a relayed event's payload holds: the event's fields, and which registry sent it. */
type EventJSON = Omit<Event, 'metadata' | 'origin'> & {
  readonly source: string;
  readonly metadata: Readonly<Record<string, unknown>>;
};

class EventRelay {
  /** This registry's mark on what it relays, so it does not emit its own events twice. */
  private readonly source = newId();
  private unsubscribe: (() => void) | null = null;
  private consumer: { stop(): Promise<void> } | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  /** The publishing round in progress, if any; `again` asks it for one more. */
  private publishing: Promise<void> | null = null;
  private again = false;
  private closed = false;
  /** True from a failed round to the next that succeeds: an outage is reported once. */
  private failing = false;

  constructor(
    private readonly registry: EntityRegistry,
    private readonly store: EngineHistoryStore,
    private readonly engine: SharedStorageEngine,
    private readonly transport: EventTransport,
  ) {}

  async start(consumer: string | undefined): Promise<void> {
    const subscription = this.registry.bus.events$.subscribe((event) => this.outgoing(event));
    this.unsubscribe = () => subscription.unsubscribe();
    this.store.watchOutbox(() => this.wake());
    this.timer = setInterval(() => this.wake(), POLL_MS);
    this.timer.unref();
    this.consumer = await this.transport.subscribe(consumer ?? `abs-${this.source}`, (e) => this.incoming(e), {
      deliverFrom: 'new',
      ...(consumer === undefined ? { forgetAfterMs: FORGET_ONE_OFF_MS } : {}),
    });
    this.wake();
  }

  /** A local event: into the outbox, after the rows queued before it. */
  private outgoing(event: Event): void {
    if (event.origin === 'remote' || !RELAYABLE_TYPE.test(event.type)) return;
    const lineageId = event.metadata.lineageId;
    this.store.relayed({
      eventId: event.id,
      lineageId: typeof lineageId === 'string' ? lineageId : null,
      type: event.type,
      payload: this.payload(event),
    });
  }

  /** The event as JSON; metadata JSON cannot carry (a bigint, a cycle) is named instead. */
  private payload(event: Event): string {
    try {
      return JSON.stringify(this.toJSON(event, event.metadata));
    } catch (error) {
      return JSON.stringify(this.toJSON(event, { $unserialisable: errorText(error) }));
    }
  }

  private toJSON(event: Event, metadata: Readonly<Record<string, unknown>>): EventJSON {
    return {
      source: this.source,
      id: event.id,
      type: event.type,
      phase: event.phase,
      subjectType: event.subjectType,
      subjectId: event.subjectId,
      parentId: event.parentId,
      rootId: event.rootId,
      startId: event.startId,
      timestamp: event.timestamp,
      durationMs: event.durationMs,
      metadata,
      error: event.error,
    };
  }

  /** An event from the stream: another process's, emitted here as it was emitted there. */
  private incoming(relayed: RelayedEvent): void {
    const json = JSON.parse(relayed.payload) as EventJSON;
    if (json.source === this.source) return; // emitted here already
    const event = Object.create(Event.prototype) as MutableEvent;
    Object.assign(event, {
      id: json.id,
      type: json.type,
      phase: json.phase,
      subjectType: json.subjectType,
      subjectId: json.subjectId,
      parentId: json.parentId,
      rootId: json.rootId,
      startId: json.startId,
      timestamp: json.timestamp,
      durationMs: json.durationMs,
      metadata: Object.freeze(json.metadata),
      error: json.error,
      origin: 'remote',
    });
    // Emitted before (a root id): the bus delivers it as it is.
    this.registry.bus.emit(Object.freeze(event));
  }

  /** Publishes what the outbox holds, if this process leads the relay; one round at a time. */
  private wake(): void {
    if (this.closed) return;
    if (this.publishing !== null) {
      this.again = true;
      return;
    }
    this.publishing = this.publishRounds().finally(() => (this.publishing = null));
  }

  private async publishRounds(): Promise<void> {
    try {
      do {
        this.again = false;
        if (!this.engine.leadRelay()) return;
        for (let rows = this.engine.unpublished(PUBLISH_BATCH); rows.length > 0;) {
          await this.transport.publish(
            rows.map((r) => ({ id: r.eventId, lineageId: r.lineageId, type: r.type, payload: r.payload })),
          );
          this.engine.markPublished(rows.map((r) => r.seq));
          rows = rows.length < PUBLISH_BATCH ? [] : this.engine.unpublished(PUBLISH_BATCH);
        }
      } while (this.again && !this.closed);
      this.failing = false;
    } catch (error) {
      // The broker (or the store) cannot be reached: the rows stay in the outbox for the next round.
      if (!this.closed && !this.failing) this.registry.bus.reportError(error, null, 'natsEvents relay');
      this.failing = true;
    }
  }

  /** Stops receiving, publishes what was written, and closes the connection to the broker. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.timer !== null) clearInterval(this.timer);
    this.unsubscribe?.();
    this.store.watchOutbox(null);
    await this.publishing;
    this.wake();
    this.closed = true;
    await this.publishing;
    try {
      await this.consumer?.stop();
    } finally {
      await this.transport.close();
    }
  }
}
