/**
 * A writer thread: a worker with its own connection that writes the batches it is sent, one
 * transaction each, in order, so fsyncs, checkpoints and round trips to a server do not stall the
 * event loop (persistence design note §2.4). The engine part (open a connection, write a batch,
 * close) is JavaScript source each engine gives (`sqlite-writer.ts`, `postgres-engine.ts`): a
 * worker starts from source text, since it cannot load this TypeScript module under ts-jest or tsx.
 *
 * The thread reports through shared memory, not messages, so the calling thread can also wait for
 * it synchronously (`settleSync`: strict writes, process exit, backpressure): `progress[0]` counts
 * batches handled, `progress[1]` is 1 after a failure, `progress[2]` is the length of the
 * failure's description in `failureText`, `progress[3]` is 1 once its connection is closed. After
 * a failure it writes nothing more.
 *
 * An engine whose reads are asynchronous (a server) also answers calls (`call`): the caller blocks
 * until the thread has the answer (`Atomics.wait`, then `receiveMessageOnPort`), so the engine's
 * synchronous interface holds over an asynchronous driver.
 */
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { StoreConflictError } from './errors';
import type { WriteBatch } from './rows';

/**
 * The protocol around the engine part. `engine` is the body of an async function of `workerData`
 * (and `require`) that returns `{ write(batch), close(), call?(request) }`, each sync or async;
 * what `write` returns, if anything, is reported to the calling thread (`onReport`).
 */
const protocolSource = (engine: string): string => `
const { parentPort, workerData } = require('node:worker_threads');
const progress = new Int32Array(workerData.progress);
const failureText = new Uint8Array(workerData.failureText);
const describe = (e) => ({ message: String(e && e.message), code: e && e.code, conflict: e && e.conflict });
const fail = (e) => {
  const text = Buffer.from(JSON.stringify(describe(e)));
  const n = Math.min(text.length, failureText.length);
  failureText.set(text.subarray(0, n));
  Atomics.store(progress, 2, n);
  Atomics.store(progress, 1, 1);
};
let engine = null;
const opened = (async () => {
  engine = await (async (workerData) => {${engine}})(workerData);
})();
// Batches (and calls that must follow them) run one after another, after the connection is open.
let chain = opened.catch(fail);
parentPort.on('message', (batch) => {
  chain = chain.then(async () => {
    if (batch === null) {
      try {
        if (engine !== null) await engine.close();
      } finally {
        Atomics.store(progress, 3, 1);
        Atomics.notify(progress, 3);
        parentPort.close();
        if (workerData.calls) workerData.calls.close();
      }
      return;
    }
    if (Atomics.load(progress, 1) === 0) {
      try {
        const report = await engine.write(batch);
        if (report !== undefined) parentPort.postMessage(report);
      } catch (e) {
        fail(e);
      }
    }
    Atomics.add(progress, 0, 1);
    Atomics.notify(progress, 0);
  });
});
if (workerData.calls) {
  const answered = new Int32Array(workerData.answered);
  workerData.calls.on('message', (request) => {
    const run = async () => {
      try {
        await opened;
        return { value: await engine.call(request) };
      } catch (e) {
        return { error: describe(e) };
      }
    };
    const answer = request.afterWrites ? chain.then(run) : run();
    if (request.afterWrites) chain = answer.then(() => undefined);
    answer.then((a) => {
      workerData.calls.postMessage(a);
      Atomics.add(answered, 0, 1);
      Atomics.notify(answered, 0);
    });
  });
}
`;

/** A write failure as the writer describes it (a thrown error, or its description from the thread). */
export interface Described {
  readonly message?: unknown;
  readonly code?: unknown;
  readonly conflict?: { readonly kind: string; readonly key: string; readonly field: string };
}

/** A conflict the write transaction reported, as ours; anything else (the driver's own error) undefined. */
export function conflictError({ conflict }: Described): StoreConflictError | undefined {
  return conflict === undefined ? undefined : new StoreConflictError(conflict.kind, conflict.key, conflict.field);
}

/** An error as the thread described it: ours when it is a conflict, else the driver's message and code. */
function describedError(described: Described): Error {
  return conflictError(described) ?? withCode(new Error(String(described.message)), described.code);
}

/** A call to the thread (`ThreadWriter.call`): plain data. */
export interface ThreadCall {
  /** Answered after every batch submitted before it is written (else at once, beside them). */
  readonly afterWrites?: boolean;
  readonly [key: string]: unknown;
}

/** Batches a submitter may be ahead of the writer thread before `submit` waits (backpressure). */
export const MAX_BATCHES_IN_FLIGHT = 8;

/** Writes batches on a worker thread with its own connection. */
export class ThreadWriter {
  private readonly worker: Worker;
  private readonly progress = new Int32Array(new SharedArrayBuffer(16));
  private readonly failureText = new Uint8Array(new SharedArrayBuffer(4096));
  /** `answered[0]` counts the calls answered (see `call`). */
  private readonly answered = new Int32Array(new SharedArrayBuffer(4));
  private readonly calls: MessagePort | null;
  private submitted = 0;
  /** `settle` calls in progress (the worker is ref'd while there are any). */
  private awaited = 0;
  private closed = false;

  /**
   * @param engine the engine part: see `protocolSource`.
   * @param data what it reads from `workerData` (plain data).
   * @param options.calls whether it answers calls; `onReport` receives what a write reports.
   */
  constructor(
    engine: string,
    data: Readonly<Record<string, unknown>>,
    options: { readonly calls?: boolean; readonly onReport?: (report: unknown) => void } = {},
  ) {
    const channel = options.calls === true ? new MessageChannel() : null;
    this.calls = channel?.port1 ?? null;
    this.worker = new Worker(protocolSource(engine), {
      eval: true,
      workerData: {
        ...data,
        progress: this.progress.buffer,
        failureText: this.failureText.buffer,
        answered: this.answered.buffer,
        calls: channel?.port2,
      },
      transferList: channel === null ? [] : [channel.port2],
    });
    if (options.onReport !== undefined) this.worker.on('message', options.onReport);
    this.worker.unref(); // an idle writer does not keep the process alive; exit writes go through settleSync
    this.worker.once('exit', () => {
      Atomics.notify(this.progress, 0); // wakes a `settle` waiting on it
      Atomics.notify(this.answered, 0);
    });
  }

  submit(batch: WriteBatch): void {
    const failed = this.failure();
    if (failed !== null) throw failed;
    this.worker.postMessage(batch);
    this.submitted++;
    // Backpressure: a writer that falls behind makes the caller wait, rather than queue without bound.
    this.waitUntil(MAX_BATCHES_IN_FLIGHT);
  }

  /**
   * Asks the thread's engine (`call(request)` there) and blocks until it answers: its value, or
   * its error thrown here (a conflict as `StoreConflictError`, else an Error with the driver's code).
   */
  call<T>(request: ThreadCall): T {
    const port = this.calls;
    if (port === null) throw new Error('this writer thread answers no calls');
    const before = Atomics.load(this.answered, 0);
    port.postMessage(request);
    while (Atomics.load(this.answered, 0) === before) {
      if (this.ended()) throw this.failure() ?? new Error('the writer thread ended');
      Atomics.wait(this.answered, 0, before, 1000);
    }
    const answer = receiveMessageOnPort(port)?.message as { value?: T; error?: Described } | undefined;
    if (answer === undefined) throw new Error('the writer thread answered nothing');
    if (answer.error !== undefined) throw describedError(answer.error);
    return answer.value as T;
  }

  settleSync(): void {
    this.waitUntil(0);
    const failed = this.failure();
    if (failed !== null) throw failed;
  }

  /**
   * Blocks until at most `pending` batches are unwritten, or the thread has ended (a thread that
   * ends on its own, out of memory or killed, writes nothing more: `failure()` says so, no hang).
   */
  private waitUntil(pending: number): void {
    for (let done = Atomics.load(this.progress, 0); this.submitted - done > pending && !this.ended();) {
      Atomics.wait(this.progress, 0, done, 1000);
      done = Atomics.load(this.progress, 0);
    }
  }

  /** True once the thread is gone: `threadId` is -1 then, even before its exit event is delivered. */
  private ended(): boolean {
    return this.worker.threadId === -1;
  }

  async settle(): Promise<void> {
    const waitAsync = (Atomics as unknown as { waitAsync: AtomicsWaitAsync }).waitAsync;
    // A pending waitAsync does not keep the process alive: the worker does, while it is awaited.
    if (this.awaited++ === 0) this.worker.ref();
    try {
      for (let done = Atomics.load(this.progress, 0); done < this.submitted && !this.ended();) {
        const r = waitAsync(this.progress, 0, done, 1000);
        if (r.async) await r.value;
        done = Atomics.load(this.progress, 0);
      }
    } finally {
      if (--this.awaited === 0) this.worker.unref();
    }
    const failed = this.failure();
    if (failed !== null) throw failed;
  }

  pending(): number {
    return this.submitted - Atomics.load(this.progress, 0);
  }

  failure(): Error | null {
    if (Atomics.load(this.progress, 1) === 0)
      return this.ended() && !this.closed ? new Error('the writer thread ended unexpectedly') : null;
    const n = Atomics.load(this.progress, 2);
    const text = Buffer.from(this.failureText.subarray(0, n)).toString('utf8');
    try {
      return describedError(JSON.parse(text) as Described);
    } catch {
      return new Error(text);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.waitUntil(0); // a failure is the submitter's to report (settle), not close's
    if (this.ended()) return;
    this.worker.postMessage(null); // the worker closes its connection and ends
    // Returns once the connection is released (so a next open, a copy or a delete sees it whole).
    Atomics.wait(this.progress, 3, 0, 5000);
    this.calls?.close();
  }
}

type AtomicsWaitAsync = (
  array: Int32Array,
  index: number,
  value: number,
  timeoutMs: number,
) => { async: false; value: string } | { async: true; value: Promise<string> };

/** The driver's error code (SQLITE_FULL, 23505, ...) kept on the error rebuilt from the thread's description. */
function withCode(error: Error, code: unknown): Error {
  if (code !== undefined) (error as Error & { code: unknown }).code = code;
  return error;
}
