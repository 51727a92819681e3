/**
 * An identity map for a handful of entries: arrays searched linearly up to `LINEAR_LIMIT` entries,
 * a `Map` beyond. A function call usually changes a few children per field, and a `Map` allocates
 * a hash table even when it holds one entry.
 */
const LINEAR_LIMIT = 8;

export class SmallMap<K, V> {
  private keys: K[] = [];
  private values: V[] = [];
  private map: Map<K, V> | null = null;

  get(key: K): V | undefined {
    if (this.map !== null) return this.map.get(key);
    const i = this.keys.indexOf(key);
    return i < 0 ? undefined : this.values[i];
  }

  set(key: K, value: V): this {
    if (this.map !== null) {
      this.map.set(key, value);
      return this;
    }
    const i = this.keys.indexOf(key);
    if (i >= 0) this.values[i] = value;
    else if (this.keys.length < LINEAR_LIMIT) {
      this.keys.push(key);
      this.values.push(value);
    } else {
      this.map = new Map<K, V>();
      for (let k = 0; k < this.keys.length; k++) this.map.set(this.keys[k], this.values[k]);
      this.map.set(key, value);
    }
    return this;
  }

  /** Visits entries in insertion order. */
  forEach(visit: (value: V, key: K) => void): void {
    if (this.map !== null) this.map.forEach(visit);
    else for (let i = 0; i < this.keys.length; i++) visit(this.values[i], this.keys[i]);
  }
}
