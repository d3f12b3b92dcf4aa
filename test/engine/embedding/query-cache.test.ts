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

describe('QueryCache byte budget', () => {
  it('evicts by bytes as well as by count, and never holds more than its budget', () => {
    // Each entry: a 1,000-character key (2,000 bytes) + a 256-d vector (1,024 bytes) + overhead.
    const cache = new QueryCache(1_000_000, 40_000);
    for (let i = 0; i < 100; i++) cache.set(`${i}`.padEnd(1000, 'q'), new Float32Array(256).fill(i));
    expect(cache.bytes).toBeLessThanOrEqual(40_000);
    expect(cache.size).toBeGreaterThan(5);
    expect(cache.size).toBeLessThan(15);
    // The newest survive, the oldest went.
    expect(cache.get('99'.padEnd(1000, 'q'))).toBeDefined();
    expect(cache.get('0'.padEnd(1000, 'q'))).toBeUndefined();
    cache.clear();
    expect(cache.bytes).toBe(0);
  });

  it('refuses an entry larger than the whole budget', () => {
    const cache = new QueryCache(10, 1_000);
    cache.set('k', new Float32Array(1_000));
    expect(cache.size).toBe(0);
    expect(cache.bytes).toBe(0);
  });
});
