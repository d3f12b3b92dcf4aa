// LruCache, the one LRU behind the query-vector and search-result caches: both bounds, the per-entry cap.
import { describe, expect, it } from 'vitest';
import { LruCache } from '../../src/engine/lru-cache.js';

const byLength = (value: string) => value.length;

describe('LruCache', () => {
  it('evicts the least recently used entry past the count bound; a read refreshes an entry', () => {
    const cache = new LruCache<string>(2, 1_000, byLength);
    cache.set('a', 'x');
    cache.set('b', 'y');
    expect(cache.get('a')).toBe('x');
    cache.set('c', 'z');
    expect(cache.get('b')).toBeUndefined();
    expect([cache.get('a'), cache.get('c')]).toEqual(['x', 'z']);
  });

  it('evicts oldest entries past the byte bound and keeps the byte count exact on replace and clear', () => {
    const cache = new LruCache<string>(10, 10, byLength);
    cache.set('a', '1234');
    cache.set('b', '1234');
    cache.set('a', '12'); // replaced: 4 bytes freed, 2 held, and a is now the newest
    expect(cache.bytes).toBe(6);
    cache.set('c', '123456');
    expect(cache.get('b')).toBeUndefined();
    expect(cache.bytes).toBe(8);
    cache.clear();
    expect([cache.size, cache.bytes]).toEqual([0, 0]);
  });

  it('stores nothing at capacity 0, and no entry larger than the per-entry cap', () => {
    const none = new LruCache<string>(0, 100, byLength);
    none.set('a', 'x');
    expect(none.size).toBe(0);
    const capped = new LruCache<string>(10, 100, byLength, 25);
    capped.set('big', 'x'.repeat(26));
    capped.set('ok', 'x'.repeat(25));
    expect(capped.get('big')).toBeUndefined();
    expect(capped.get('ok')).toHaveLength(25);
  });
});
