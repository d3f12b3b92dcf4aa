// The vector side's exact re-ranking pool is sized by the page, not by the headroom candidates fetched with it.
import { describe, expect, it } from 'vitest';
import { refineFactorFor } from '../../../src/engine/search/retrieve.js';

describe('refineFactorFor', () => {
  it('keeps the pool at refineFactor × the results the page needs', () => {
    // limit 10 with 10 headroom for folding: LanceDB re-ranks 20 × 20 = 400 rows, as a plain top-10 query would.
    expect(refineFactorFor(40, { fetch: 20, ranked: 10 }) * 20).toBe(40 * 10);
    // hybrid: 2 × 10 ranked of 40 fetched
    expect(refineFactorFor(40, { fetch: 40, ranked: 20 }) * 40).toBe(40 * 20);
    expect(refineFactorFor(40, { fetch: 10, ranked: 10 })).toBe(40);
  });

  it('never asks LanceDB for less than one exact distance per candidate', () => {
    expect(refineFactorFor(1, { fetch: 60, ranked: 10 })).toBe(1);
    expect(refineFactorFor(2, { fetch: 100, ranked: 1 })).toBe(1);
  });
});
