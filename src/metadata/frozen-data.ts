import { ImmutableVersionError } from './errors';

/**
 * Read-only Map, Set and Date for stored versions. `Object.freeze` does not stop `map.set()`
 * or `date.setTime()`, so stored data uses these subclasses: they are still `instanceof`
 * Map/Set/Date for readers, and every mutator throws.
 */
function refuse(what: string): never {
  throw new ImmutableVersionError(
    `cannot change a ${what} inside a stored version: stored versions are immutable (checkout() it, or change it in a registered function)`,
  );
}

export class FrozenMap<K, V> extends Map<K, V> {
  #sealed = false;
  constructor(entries: Iterable<readonly [K, V]>) {
    super();
    for (const [k, v] of entries) super.set(k, v);
    this.#sealed = true;
    Object.freeze(this);
  }
  override set(key: K, value: V): this {
    if (this.#sealed) refuse('Map');
    return super.set(key, value);
  }
  override delete(): boolean {
    return refuse('Map');
  }
  override clear(): void {
    refuse('Map');
  }
}

export class FrozenSet<T> extends Set<T> {
  #sealed = false;
  constructor(items: Iterable<T>) {
    super();
    for (const v of items) super.add(v);
    this.#sealed = true;
    Object.freeze(this);
  }
  override add(value: T): this {
    if (this.#sealed) refuse('Set');
    return super.add(value);
  }
  override delete(): boolean {
    return refuse('Set');
  }
  override clear(): void {
    refuse('Set');
  }
}

const DATE_SETTERS = [
  'setTime', 'setMilliseconds', 'setUTCMilliseconds', 'setSeconds', 'setUTCSeconds', 'setMinutes',
  'setUTCMinutes', 'setHours', 'setUTCHours', 'setDate', 'setUTCDate', 'setMonth', 'setUTCMonth',
  'setFullYear', 'setUTCFullYear',
] as const;

export class FrozenDate extends Date {
  constructor(time: number) {
    super(time);
    Object.freeze(this);
  }
}
for (const name of DATE_SETTERS) {
  Object.defineProperty(FrozenDate.prototype, name, {
    value: function refuseDate(): never {
      return refuse('Date');
    },
  });
}
