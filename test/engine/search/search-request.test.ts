// The cache key derives from the whole normalised request: every option that changes the answer changes it.
import { describe, expect, it } from 'vitest';
import type { GenerationRecord } from '../../../src/engine/storage/catalog.js';
import { normaliseSearch, searchCacheKey } from '../../../src/engine/search/search-request.js';
import type { SearchRequest } from '../../../src/engine/types.js';
import { DEFAULT_LIMITS } from '../../../src/engine/validation.js';

const record = { kb: 'docs', generation: 3 } as GenerationRecord;
const key = (request: Omit<SearchRequest, 'kb'>, version = 7) =>
  searchCacheKey(normaliseSearch({ kb: 'docs', ...request }, DEFAULT_LIMITS), 'hybrid', record, version);

describe('searchCacheKey', () => {
  it('is the same for equal requests whatever their argument order or spelled-out defaults', () => {
    expect(key({ text: 'cat', filter: { title: 'a' } })).toBe(
      key({ filter: { title: 'a' }, fusion: 'calibrated', offset: 0, limit: 10, text: 'cat' }),
    );
  });

  it('changes with every argument that changes the answer, and with the table version', () => {
    const base = key({ text: 'cat' });
    const variants: Array<Omit<SearchRequest, 'kb'>> = [
      { text: 'dog' },
      { text: 'cat', limit: 5 },
      { text: 'cat', offset: 1 },
      { text: 'cat', filter: { title: 'x' } },
      { text: 'cat', fusion: 'weighted' },
      { text: 'cat', fusion: { method: 'rrf', k: 10 } },
      { text: 'cat', vector: [1, 2] },
      { text: 'cat', mode: 'lexical' },
    ];
    const keys = new Set([base, ...variants.map((v) => key(v))]);
    expect(keys.size).toBe(variants.length + 1);
    expect(key({ text: 'cat' }, 8)).not.toBe(base);
    expect(key({ text: 'cat', vector: [1, 2] })).not.toBe(key({ text: 'cat', vector: [1, 3] }));
  });
});
