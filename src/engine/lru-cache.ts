// The engine's one LRU: bounded by entry count and by an estimate of bytes held (query vectors, search results).

/**
 * Evicts the least recently used entry while over either bound; capacity 0 stores nothing. An entry larger
 * than `maxEntryBytes` is not stored at all (by default: larger than the whole budget).
 */
export class LruCache<V> {
  private readonly entries = new Map<string, { value: V; bytes: number }>();
  private held = 0;

  constructor(
    private readonly capacity: number,
    private readonly maxBytes: number,
    private readonly sizeOf: (value: V, key: string) => number,
    private readonly maxEntryBytes: number = maxBytes,
  ) {}

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    // Re-insert to mark as most recently used (Map keeps insertion order).
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  set(key: string, value: V): void {
    if (this.capacity <= 0) return;
    this.delete(key);
    const bytes = this.sizeOf(value, key);
    if (bytes > this.maxEntryBytes) return;
    this.entries.set(key, { value, bytes });
    this.held += bytes;
    while (this.entries.size > this.capacity || this.held > this.maxBytes) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.delete(oldest.value);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  /** Estimated bytes held by the cached entries. */
  get bytes(): number {
    return this.held;
  }

  clear(): void {
    this.entries.clear();
    this.held = 0;
  }

  private delete(key: string): void {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    this.entries.delete(key);
    this.held -= entry.bytes;
  }
}
