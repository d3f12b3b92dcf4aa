// Fusion methods against hand-computed values: RRF, weighted, adaptive; one-sided, empty, duplicates, ties.
import { describe, expect, it } from 'vitest';
import {
  calibratedWeights,
  fuseCalibrated,
  fuseHybrid,
  adaptiveWeights,
  fuse,
  fuseAdaptive,
  fuseRrf,
  fuseWeighted,
  type FusedResult,
  type RankedCandidate,
} from '../../../src/engine/search/fusion.js';
import { EngineError } from '../../../src/engine/errors.js';
import type { FusionCalibration } from '../../../src/engine/types.js';

const list = (...pairs: Array<[string, number]>): RankedCandidate<{ from: string }>[] =>
  pairs.map(([id, score]) => ({ id, score, row: { from: id } }));

// Vector similarities and BM25 scores of a small hybrid search.
const VECTOR = list(['a', 0.9], ['b', 0.7], ['c', 0.5]);
const LEXICAL = list(['b', 10], ['d', 9], ['e', 5]);

const summary = (results: FusedResult<unknown>[]) => results.map((r) => [r.id, r.score] as const);
function expectFused(results: FusedResult<unknown>[], expected: Array<[string, number]>) {
  expect(results.map((r) => r.id)).toEqual(expected.map(([id]) => id));
  results.forEach((r, i) => expect(r.score).toBeCloseTo(expected[i]![1], 12));
}

describe('fuseRrf', () => {
  it('sums 1/(k + rank) over the sides, k = 60 by default', () => {
    expectFused(fuseRrf(VECTOR, LEXICAL), [
      ['b', 1 / 62 + 1 / 61],
      ['a', 1 / 61],
      ['d', 1 / 62],
      ['c', 1 / 63],
      ['e', 1 / 63],
    ]);
  });

  it('uses the given k', () => {
    expectFused(fuseRrf(VECTOR, LEXICAL, { k: 1 }), [
      ['b', 1 / 3 + 1 / 2],
      ['a', 1 / 2],
      ['d', 1 / 3],
      ['c', 1 / 4],
      ['e', 1 / 4],
    ]);
  });

  it('reports raw per-side scores, ranks and the row', () => {
    const [b, a] = fuseRrf(VECTOR, LEXICAL);
    expect(b).toEqual({
      id: 'b',
      row: { from: 'b' },
      score: b!.score,
      scores: { vector: 0.7, lexical: 10 },
      ranks: { vector: 2, lexical: 1 },
    });
    expect(a).toMatchObject({ scores: { vector: 0.9 }, ranks: { vector: 1 } });
    expect(a!.scores).not.toHaveProperty('lexical');
    expect(a!.ranks).not.toHaveProperty('lexical');
  });

  it('rejects a negative or non-finite k', () => {
    expect(() => fuseRrf(VECTOR, LEXICAL, { k: -1 })).toThrow(/k must be a finite number >= 0/);
    expect(() => fuseRrf(VECTOR, LEXICAL, { k: NaN })).toThrow(EngineError);
  });
});

describe('fuseWeighted', () => {
  // Normalised: vector a 1, b 0.5, c 0; lexical b 1, d 0.8, e 0.
  it('min-max normalises, weighs 0.5/0.5 and multiplies one-sided results by 0.8', () => {
    expectFused(fuseWeighted(VECTOR, LEXICAL), [
      ['b', 0.5 * 0.5 + 0.5 * 1],
      ['a', 0.5 * 1 * 0.8],
      ['d', 0.5 * 0.8 * 0.8],
      ['c', 0],
      ['e', 0],
    ]);
  });

  it('uses the given weights', () => {
    expectFused(fuseWeighted(VECTOR, LEXICAL, { weights: { vector: 0.8, lexical: 0.2 } }), [
      ['a', 0.8 * 1 * 0.8],
      ['b', 0.8 * 0.5 + 0.2 * 1],
      ['d', 0.2 * 0.8 * 0.8],
      ['c', 0],
      ['e', 0],
    ]);
  });

  it('normalises equal scores and a lone candidate to 1', () => {
    expectFused(fuseWeighted(list(['a', 3], ['b', 3]), list(['a', 7])), [
      ['a', 0.5 + 0.5],
      ['b', 0.5 * 0.8],
    ]);
  });

  it('rejects bad weights', () => {
    expect(() => fuseWeighted(VECTOR, LEXICAL, { weights: { vector: -1, lexical: 1 } })).toThrow(
      /weight vector must be a finite number >= 0/,
    );
    expect(() => fuseWeighted(VECTOR, LEXICAL, { weights: { vector: 1, lexical: Infinity } })).toThrow(
      /weight lexical/,
    );
    expect(() => fuseWeighted(VECTOR, LEXICAL, { weights: { vector: 0, lexical: 0 } })).toThrow(
      /cannot both be 0/,
    );
  });

  it('treats a non-finite score as the bottom of its side', () => {
    expectFused(fuseWeighted(list(['a', NaN], ['b', 2], ['c', 1]), []), [
      ['b', 0.5 * 1 * 0.8],
      ['a', 0],
      ['c', 0],
    ]);
  });
});

describe('fuseAdaptive', () => {
  it('weighs each side by s/(s+0.1) of its normalised top-1 margin', () => {
    // s_vector = (0.9-0.7)/(0.9-0.5) = 0.5 → c = 5/6; s_lexical = (10-9)/(10-5) = 0.2 → c = 2/3.
    const weights = adaptiveWeights(VECTOR, LEXICAL);
    expect(weights.confidence.vector).toBeCloseTo(0.5, 12);
    expect(weights.confidence.lexical).toBeCloseTo(0.2, 12);
    expect(weights.vector).toBeCloseTo(5 / 9, 12);
    expect(weights.lexical).toBeCloseTo(4 / 9, 12);
    expectFused(fuseAdaptive(VECTOR, LEXICAL), [
      ['b', (5 / 9) * 0.5 + 4 / 9],
      ['a', (5 / 9) * 0.8],
      ['d', (4 / 9) * 0.8 * 0.8],
      ['c', 0],
      ['e', 0],
    ]);
  });

  it('trusts the side with a clear winner over a flat one', () => {
    const flat = list(['v1', 0.81], ['v2', 0.8], ['v3', 0.79], ['v4', 0.6]); // s = 0.01/0.21
    const sharp = list(['l1', 20], ['l2', 5], ['l3', 4]); // s = 15/16
    const weights = adaptiveWeights(flat, sharp);
    const cv = 0.01 / 0.21 / (0.01 / 0.21 + 0.1);
    const cl = 15 / 16 / (15 / 16 + 0.1);
    expect(weights.lexical).toBeCloseTo(cl / (cv + cl), 12); // ≈ 0.737
    expect(weights.vector + weights.lexical).toBeCloseTo(1, 12);
    expect(fuseAdaptive(flat, sharp)[0]!.id).toBe('l1');
  });

  it('gives an empty or tied side no weight and falls back to equal weights when neither is sure', () => {
    expect(adaptiveWeights([], LEXICAL)).toMatchObject({ vector: 0, lexical: 1 });
    expect(adaptiveWeights(list(['a', 1], ['b', 1]), LEXICAL)).toMatchObject({ vector: 0, lexical: 1 });
    expect(adaptiveWeights([], [])).toMatchObject({ vector: 0.5, lexical: 0.5 });
    expect(adaptiveWeights(list(['a', 1]), [])).toMatchObject({
      vector: 1,
      lexical: 0,
      confidence: { vector: 1 },
    });
  });
});

describe.each([
  ['rrf', (v: RankedCandidate<unknown>[], l: RankedCandidate<unknown>[]) => fuseRrf(v, l)],
  ['weighted', (v: RankedCandidate<unknown>[], l: RankedCandidate<unknown>[]) => fuseWeighted(v, l)],
  ['adaptive', (v: RankedCandidate<unknown>[], l: RankedCandidate<unknown>[]) => fuseAdaptive(v, l)],
])('%s edge cases', (_method, fuseFn) => {
  it('returns [] for two empty lists', () => {
    expect(fuseFn([], [])).toEqual([]);
  });

  it('keeps one side’s order when the other is empty', () => {
    expect(fuseFn(VECTOR, []).map((r) => r.id)).toEqual(['a', 'b', 'c']);
    const lexicalOnly = fuseFn([], LEXICAL);
    expect(lexicalOnly.map((r) => r.id)).toEqual(['b', 'd', 'e']);
    expect(lexicalOnly.map((r) => r.ranks)).toEqual([{ lexical: 1 }, { lexical: 2 }, { lexical: 3 }]);
  });

  it('keeps only the first occurrence of a duplicate id and ranks the rest without it', () => {
    const withDuplicates = list(['a', 0.9], ['a', 0.95], ['b', 0.7], ['c', 0.5], ['b', 0.1]);
    const results = fuseFn(withDuplicates, []);
    expect(results.map((r) => [r.id, r.ranks.vector, r.scores.vector])).toEqual([
      ['a', 1, 0.9],
      ['b', 2, 0.7],
      ['c', 3, 0.5],
    ]);
    expect(summary(results)).toEqual(summary(fuseFn(VECTOR, [])));
  });

  it('breaks ties by best rank on either side, then by id', () => {
    // Equal scores everywhere: each list's first entry outranks its second, and y < y2 by id.
    expect(fuseFn(list(['y2', 1], ['x', 1]), list(['y', 1], ['x2', 1])).map((r) => r.id)).toEqual([
      'y',
      'y2',
      'x',
      'x2',
    ]);
    expect(fuseFn(list(['x', 1], ['y2', 1]), list(['x2', 1], ['y', 1])).map((r) => r.id)).toEqual([
      'x',
      'x2',
      'y',
      'y2',
    ]);
  });
});

describe('fuse', () => {
  it('dispatches on a method name or options, rrf by default', () => {
    expect(summary(fuse(undefined, VECTOR, LEXICAL))).toEqual(summary(fuseRrf(VECTOR, LEXICAL)));
    expect(summary(fuse('weighted', VECTOR, LEXICAL))).toEqual(summary(fuseWeighted(VECTOR, LEXICAL)));
    expect(summary(fuse('adaptive', VECTOR, LEXICAL))).toEqual(summary(fuseAdaptive(VECTOR, LEXICAL)));
    expect(summary(fuse({ method: 'rrf', k: 1 }, VECTOR, LEXICAL))).toEqual(
      summary(fuseRrf(VECTOR, LEXICAL, { k: 1 })),
    );
    const weights = { vector: 0.8, lexical: 0.2 };
    expect(summary(fuse({ method: 'weighted', weights }, VECTOR, LEXICAL))).toEqual(
      summary(fuseWeighted(VECTOR, LEXICAL, { weights })),
    );
  });

  it('rejects an unknown method', () => {
    expect(() => fuse('magic' as never, VECTOR, LEXICAL)).toThrow(
      /unknown fusion method "magic"; use calibrated, rrf, weighted or adaptive/,
    );
  });
});

describe('calibrated fusion', () => {
  const calibration = (vector: number, typical = 0.1) =>
    ({
      weights: { vector, lexical: 1 - vector },
      typicalMargin: { vector: typical, lexical: typical },
    }) as unknown as FusionCalibration;
  // Lexical has a clear winner (margin 0.8 of its range), vector is nearly flat (0.05).
  const sureLexical = list(['x', 10], ['y', 2], ['z', 0]);
  const flatVector = list(['y', 0.8], ['x', 0.79], ['z', 0.6]);

  it('keeps a side calibrated to 0 at 0 whatever the query, so the other side’s order stands', () => {
    const weights = calibratedWeights(VECTOR, LEXICAL, calibration(0));
    expect(weights).toMatchObject({
      vector: 0,
      lexical: 1,
      source: 'calibrated',
      prior: { vector: 0, lexical: 1 },
    });
    expect(
      fuseCalibrated(VECTOR, LEXICAL, weights)
        .slice(0, 3)
        .map((r) => r.id),
    ).toEqual(['b', 'd', 'e']);
  });

  it('shifts weight toward the side that is sure of this query, at most doubling a side against the other', () => {
    const prior = calibration(0.5);
    const w = calibratedWeights(flatVector, sureLexical, prior);
    expect(w.lexical).toBeGreaterThan(0.5);
    // Lexical ×2 (clamped), vector ×√(0.06/0.11): lexical at most 2 / (2 + 0.5) of the total.
    expect(w.lexical).toBeLessThanOrEqual(2 / 2.5 + 1e-9);
    const reverse = calibratedWeights(sureLexical, flatVector, prior);
    expect(reverse.vector).toBeCloseTo(w.lexical, 10);
  });

  it('fuses a convex combination of min-max normalised scores; one-sided results get nothing from the other side', () => {
    const fused = fuseCalibrated(VECTOR, LEXICAL, { vector: 0.25, lexical: 0.75 });
    const score = Object.fromEntries(fused.map((r) => [r.id, r.score]));
    expect(score.b).toBeCloseTo(0.25 * 0.5 + 0.75 * 1, 10);
    expect(score.a).toBeCloseTo(0.25 * 1, 10);
    expect(score.d).toBeCloseTo(0.75 * 0.8, 10);
  });

  it('is the default of fuseHybrid, equal priors without a calibration, and every method reports its weights', () => {
    expect(fuseHybrid(undefined, VECTOR, LEXICAL, null).weights.source).toBe('uncalibrated');
    expect(fuseHybrid(undefined, VECTOR, LEXICAL, calibration(0.3)).weights.prior).toEqual({
      vector: 0.3,
      lexical: 0.7,
    });
    expect(
      fuseHybrid({ method: 'weighted', weights: { vector: 3, lexical: 1 } }, VECTOR, LEXICAL, null).weights,
    ).toEqual({ vector: 0.75, lexical: 0.25, source: 'request' });
    expect(fuseHybrid('adaptive', VECTOR, LEXICAL, null).weights.source).toBe('confidence');
  });
});
