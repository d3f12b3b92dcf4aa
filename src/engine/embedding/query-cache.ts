// Least-recently-used cache of query vectors: agents repeat queries, and a cached one costs no inference.

/** A bounded map evicting the least recently used entry; capacity 0 stores nothing. */
export class QueryCache {
  private readonly entries = new Map<string, Float32Array>();

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.entries.size;
  }

  /** A copy, so a caller that scales its vector cannot corrupt the cache. */
  get(key: string): Float32Array | undefined {
    const value = this.entries.get(key);
    if (value === undefined) return undefined;
    // Re-insert to mark as most recently used (Map keeps insertion order).
    this.entries.delete(key);
    this.entries.set(key, value);
    return value.slice();
  }

  set(key: string, value: Float32Array): void {
    if (this.capacity <= 0) return;
    this.entries.delete(key);
    this.entries.set(key, value.slice());
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.entries.delete(oldest.value);
    }
  }

  clear(): void {
    this.entries.clear();
  }
}
