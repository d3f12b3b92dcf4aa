// Least-recently-used cache of query vectors: agents repeat queries, and a cached one costs no inference.

/**
 * Bytes the query cache may hold (keys at 2 bytes per UTF-16 unit plus the vectors): 32 MiB. With
 * 4,096-character queries and 1,024-d vectors that is ~2,600 entries; the count setting is the other bound.
 */
export const QUERY_CACHE_MAX_BYTES = 32 * 1024 * 1024;
/** Map entry and typed-array overhead, roughly. */
const ENTRY_OVERHEAD_BYTES = 160;

/** A bounded map evicting the least recently used entry; capacity 0 stores nothing. */
export class QueryCache {
  private readonly entries = new Map<string, Float32Array>();
  private held = 0;

  constructor(
    private readonly capacity: number,
    private readonly maxBytes: number = QUERY_CACHE_MAX_BYTES,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** Estimated bytes held. */
  get bytes(): number {
    return this.held;
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
    this.delete(key);
    const bytes = entryBytes(key, value);
    if (bytes > this.maxBytes) return;
    this.entries.set(key, value.slice());
    this.held += bytes;
    while (this.entries.size > this.capacity || this.held > this.maxBytes) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.delete(oldest.value);
    }
  }

  clear(): void {
    this.entries.clear();
    this.held = 0;
  }

  private delete(key: string): void {
    const value = this.entries.get(key);
    if (value === undefined) return;
    this.entries.delete(key);
    this.held -= entryBytes(key, value);
  }
}

function entryBytes(key: string, value: Float32Array): number {
  return 2 * key.length + value.byteLength + ENTRY_OVERHEAD_BYTES;
}
