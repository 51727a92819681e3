import { inspect } from 'node:util';
import { ImmutableVersionError } from './errors';

/**
 * Read-only Map, Set and Date for stored versions. `Object.freeze` does not protect the internal
 * slots of these built-ins (`map.set()`, `date.setTime()` still work on a frozen object), so the
 * stored classes keep their contents in a private inner object and serve every read from it.
 * They are still `instanceof` Map/Set/Date for readers; every mutator throws. Even a built-in
 * called directly (`Map.prototype.set.call(stored, ...)`) only reaches the unused outer slot, so
 * what the stored version reads never changes.
 */
function refuse(what: string): never {
  throw new ImmutableVersionError(
    `cannot change a ${what} inside a stored version: stored versions are immutable (checkout() it, or change it in a registered function)`,
  );
}

/**
 * The iterator a built-in Map or Set method returns, named through the built-in: `MapIterator` and
 * `SetIterator` exist from TypeScript 5.6 (older ones return `IterableIterator`), and these types
 * are in the published declarations, which must compile on TypeScript 5.0.
 */
type MapIter<K, V, M extends 'entries' | 'keys' | 'values' | typeof Symbol.iterator> = ReturnType<Map<K, V>[M]>;
type SetIter<T, M extends 'entries' | 'keys' | 'values' | typeof Symbol.iterator> = ReturnType<Set<T>[M]>;

export class FrozenMap<K, V> extends Map<K, V> {
  readonly #entries: Map<K, V>;
  constructor(entries: Iterable<readonly [K, V]>) {
    super();
    this.#entries = new Map(entries);
    Object.freeze(this);
  }
  override get(key: K): V | undefined {
    return this.#entries.get(key);
  }
  override has(key: K): boolean {
    return this.#entries.has(key);
  }
  override get size(): number {
    return this.#entries.size;
  }
  override forEach(fn: (value: V, key: K, map: Map<K, V>) => void, thisArg?: unknown): void {
    this.#entries.forEach((v, k) => fn.call(thisArg, v, k, this));
  }
  override entries(): MapIter<K, V, 'entries'> {
    return this.#entries.entries();
  }
  override keys(): MapIter<K, V, 'keys'> {
    return this.#entries.keys();
  }
  override values(): MapIter<K, V, 'values'> {
    return this.#entries.values();
  }
  override [Symbol.iterator](): MapIter<K, V, typeof Symbol.iterator> {
    return this.#entries.entries();
  }
  override set(): this {
    return refuse('Map');
  }
  override delete(): boolean {
    return refuse('Map');
  }
  override clear(): void {
    refuse('Map');
  }
  [inspect.custom](_depth: number, options: object): string {
    return `FrozenMap ${inspect(this.#entries, options).replace(/^Map/, '')}`;
  }
}

export class FrozenSet<T> extends Set<T> {
  readonly #items: Set<T>;
  constructor(items: Iterable<T>) {
    super();
    this.#items = new Set(items);
    Object.freeze(this);
  }
  override has(value: T): boolean {
    return this.#items.has(value);
  }
  override get size(): number {
    return this.#items.size;
  }
  override forEach(fn: (value: T, value2: T, set: Set<T>) => void, thisArg?: unknown): void {
    this.#items.forEach((v) => fn.call(thisArg, v, v, this));
  }
  override entries(): SetIter<T, 'entries'> {
    return this.#items.entries();
  }
  override keys(): SetIter<T, 'keys'> {
    return this.#items.values();
  }
  override values(): SetIter<T, 'values'> {
    return this.#items.values();
  }
  override [Symbol.iterator](): SetIter<T, typeof Symbol.iterator> {
    return this.#items.values();
  }
  override add(): this {
    return refuse('Set');
  }
  override delete(): boolean {
    return refuse('Set');
  }
  override clear(): void {
    refuse('Set');
  }
  [inspect.custom](_depth: number, options: object): string {
    return `FrozenSet ${inspect(this.#items, options).replace(/^Set/, '')}`;
  }
}

let innerDate: (d: FrozenDate) => Date;

export class FrozenDate extends Date {
  readonly #inner: Date;
  constructor(time: number) {
    super(time);
    this.#inner = new Date(time);
    Object.freeze(this);
  }
  static {
    innerDate = (d) => d.#inner;
  }
  [inspect.custom](): string {
    return `FrozenDate ${inspect(this.#inner)}`;
  }
}

// Every Date method reads the private inner Date; every setter refuses.
for (const name of Object.getOwnPropertyNames(Date.prototype)) {
  if (name === 'constructor') continue;
  const original = (Date.prototype as unknown as Record<string, (...args: unknown[]) => unknown>)[name];
  const value = name.startsWith('set')
    ? function refuseDate(): never {
        return refuse('Date');
      }
    : function read(this: FrozenDate, ...args: unknown[]): unknown {
        return original.apply(innerDate(this), args);
      };
  Object.defineProperty(FrozenDate.prototype, name, { value, writable: true, configurable: true });
}
const toPrimitive = (Date.prototype as unknown as Record<symbol, (hint: string) => unknown>)[Symbol.toPrimitive];
Object.defineProperty(FrozenDate.prototype, Symbol.toPrimitive, {
  value(this: FrozenDate, hint: string) {
    return toPrimitive.call(innerDate(this), hint);
  },
  configurable: true,
});
