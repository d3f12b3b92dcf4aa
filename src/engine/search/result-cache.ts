// A small LRU of search responses, bounded by count and by bytes. Keys include the table version, so a write or
// promotion never hits.
import { LruCache } from '../lru-cache.js';
import type { SearchHit, SearchResponse } from '../types.js';

/**
 * An entry larger than a quarter of the byte budget is not cached at all: one huge result set would otherwise
 * evict everything else for a single reuse.
 */
export class ResultCache<V> extends LruCache<V> {
  constructor(capacity: number, maxBytes: number, sizeOf: (value: V, key: string) => number) {
    super(capacity, maxBytes, sizeOf, maxBytes / 4);
  }
}

/** Per-object overhead guess for a hit (objects, numbers, dates), on top of its strings. */
const HIT_OVERHEAD_BYTES = 600;

/**
 * Bytes a cached search response keeps alive, estimated from its strings at 2 bytes per UTF-16 unit (V8
 * stores one-byte strings more compactly, so this errs high) plus a fixed overhead per hit.
 */
export function estimateResponseBytes(response: SearchResponse, key: string): number {
  let bytes = 2 * key.length + 256;
  for (const warning of response.warnings) bytes += 2 * warning.length;
  for (const hit of response.results) bytes += estimateHitBytes(hit);
  return bytes;
}

function estimateHitBytes(hit: SearchHit): number {
  const c = hit.citation;
  const strings =
    hit.chunkId.length +
    hit.documentId.length +
    (hit.content?.length ?? 0) +
    (hit.snippet?.length ?? 0) +
    (c.title?.length ?? 0) +
    (c.sourcePath?.length ?? 0) +
    (c.license?.length ?? 0) +
    (c.version?.length ?? 0) +
    (c.anchor?.length ?? 0);
  // Parsed metadata is objects and strings: its JSON length, doubled, stands in for both.
  const metadata = JSON.stringify(hit.metadata ?? {}).length;
  return 2 * strings + 4 * metadata + HIT_OVERHEAD_BYTES;
}
