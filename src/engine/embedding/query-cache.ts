// Least-recently-used cache of query vectors: agents repeat queries, and a cached one costs no inference.
import { LruCache } from '../lru-cache.js';

/**
 * Bytes the query cache may hold (keys at 2 bytes per UTF-16 unit plus the vectors): 32 MiB. With
 * 4,096-character queries and 1,024-d vectors that is ~2,600 entries; the count setting is the other bound.
 */
export const QUERY_CACHE_MAX_BYTES = 32 * 1024 * 1024;
/** Map entry and typed-array overhead, roughly. */
const ENTRY_OVERHEAD_BYTES = 160;

/** Query vectors by query text, least recently used first out; capacity 0 stores nothing. */
export class QueryCache {
  private readonly lru: LruCache<Float32Array>;

  constructor(capacity: number, maxBytes: number = QUERY_CACHE_MAX_BYTES) {
    this.lru = new LruCache(capacity, maxBytes, entryBytes);
  }

  get size(): number {
    return this.lru.size;
  }

  /** Estimated bytes held. */
  get bytes(): number {
    return this.lru.bytes;
  }

  /** A copy, so a caller that scales its vector cannot corrupt the cache. */
  get(key: string): Float32Array | undefined {
    return this.lru.get(key)?.slice();
  }

  set(key: string, value: Float32Array): void {
    this.lru.set(key, value.slice());
  }

  clear(): void {
    this.lru.clear();
  }
}

function entryBytes(value: Float32Array, key: string): number {
  return 2 * key.length + value.byteLength + ENTRY_OVERHEAD_BYTES;
}
