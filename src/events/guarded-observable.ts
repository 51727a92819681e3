import { Observable, Subscriber, Subscription, type Observer, type OperatorFunction, type TeardownLogic } from 'rxjs';

/**
 * An Observable whose subscribers cannot throw into RxJS: an error thrown by a subscriber's
 * `next`, `error` or `complete` callback, and an error notification that reaches a subscriber
 * without an `error` callback, go to `report` instead. (RxJS would rethrow them from a timer,
 * as an uncaught exception that ends a Node process; `config.onUnhandledError` would change that
 * for every Observable of the process.)
 *
 * As in RxJS, a `next` callback that throws stays subscribed and gets the next values; an error
 * notification ends the subscription (the Observable contract). `pipe` returns a guarded
 * Observable too, so `source.pipe(ofType(X), map(...)).subscribe(fn)` is guarded where `fn`
 * subscribes. What RxJS builds outside `pipe` (`merge(source, other)`, `operator(source)`) is a
 * plain Observable and follows RxJS rules.
 */
export class GuardedObservable<T> extends Observable<T> {
  constructor(
    subscribe: (subscriber: Subscriber<T>) => TeardownLogic,
    private readonly report: (error: unknown) => void,
  ) {
    super(subscribe);
  }

  override subscribe(
    observerOrNext?: Partial<Observer<T>> | ((value: T) => void) | null,
    error?: ((error: unknown) => void) | null,
    complete?: (() => void) | null,
  ): Subscription {
    // An operator subscribing upstream: the callbacks at the end of its chain are guarded where
    // they subscribed (the chain came from `pipe`), and the subscriber must stay the same object
    // for unsubscription to reach it.
    if (isSubscriber(observerOrNext)) return super.subscribe(observerOrNext);
    const target: Partial<Observer<T>> =
      typeof observerOrNext === 'function'
        ? { next: observerOrNext, error: error ?? undefined, complete: complete ?? undefined }
        : (observerOrNext ?? {});
    const report = this.report;
    return super.subscribe({
      // Called as methods of `target`, as RxJS does: an observer object keeps its `this`.
      next(value) {
        try {
          target.next?.(value);
        } catch (thrown) {
          report(thrown);
        }
      },
      error(err: unknown) {
        if (target.error === undefined) return report(err);
        try {
          target.error(err);
        } catch (thrown) {
          report(thrown);
        }
      },
      complete() {
        try {
          target.complete?.();
        } catch (thrown) {
          report(thrown);
        }
      },
    });
  }

  // One signature for RxJS's overloads (assignable to each of them).
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- must be assignable to every overload
  override pipe(...operations: OperatorFunction<any, any>[]): Observable<any> {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the start of the chain, reassigned below
    let piped: Observable<unknown> = this;
    for (const operation of operations) piped = operation(piped);
    if (piped === this) return this;
    const chain = piped;
    return new GuardedObservable((subscriber) => chain.subscribe(subscriber), this.report);
  }
}

/** RxJS's own test (`Observable.subscribe` uses such a value as is), also for another copy of RxJS. */
function isSubscriber(value: unknown): value is Subscriber<unknown> {
  if (value instanceof Subscriber) return true;
  const v = value as Record<string, unknown> | null | undefined;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v['next'] === 'function' &&
    typeof v['error'] === 'function' &&
    typeof v['complete'] === 'function' &&
    (v instanceof Subscription ||
      ('closed' in v &&
        typeof v['add'] === 'function' &&
        typeof v['remove'] === 'function' &&
        typeof v['unsubscribe'] === 'function'))
  );
}
