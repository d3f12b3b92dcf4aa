// QueryCache: LRU order, capacity, zero capacity, defensive copies.
import { describe, expect, it } from 'vitest';
import { QueryCache } from '../../../src/engine/embedding/query-cache.js';

const vector = (value: number): Float32Array => new Float32Array([value, value]);

describe('QueryCache', () => {
  it('evicts the least recently used entry, counting reads as use', () => {
    const cache = new QueryCache(2);
    cache.set('a', vector(1));
    cache.set('b', vector(2));
    expect(cache.get('a')).toEqual(vector(1));
    cache.set('c', vector(3));
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toEqual(vector(1));
    expect(cache.get('c')).toEqual(vector(3));
    expect(cache.size).toBe(2);
  });

  it('stores nothing with capacity 0', () => {
    const cache = new QueryCache(0);
    cache.set('a', vector(1));
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('hands out copies, so neither the writer nor a reader can change the cached vector', () => {
    const cache = new QueryCache(4);
    const original = vector(1);
    cache.set('a', original);
    original.fill(9);
    const read = cache.get('a') as Float32Array;
    read.fill(7);
    expect(cache.get('a')).toEqual(vector(1));
  });
});
