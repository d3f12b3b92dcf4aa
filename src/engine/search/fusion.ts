// Fusion of the vector and lexical candidate lists of a hybrid search: calibrated, RRF, weighted and adaptive.
import { EngineError } from '../errors.js';
import type { FusionCalibration, FusionMethod, FusionOptions, FusionWeightsUsed } from '../types.js';

/** One candidate of one side, best first. `score` is higher-is-better (turn distances into similarities first). */
export interface RankedCandidate<T> {
  id: string;
  score: number;
  row: T;
}

/** A fused result: the fused `score`, and each side's raw score and 1-based rank where that side found it. */
export interface FusedResult<T> {
  id: string;
  /** The vector side's row when both sides found it (they describe the same chunk). */
  row: T;
  score: number;
  scores: { vector?: number; lexical?: number };
  ranks: { vector?: number; lexical?: number };
}

/** RRF constant from Cormack et al. (2009). @example 60 */
export const DEFAULT_RRF_K = 60;
/** Weights of `weighted` fusion when none are given. */
export const DEFAULT_FUSION_WEIGHTS: Readonly<{ vector: number; lexical: number }> = {
  vector: 0.5,
  lexical: 0.5,
};
/** Factor applied by `weighted`/`adaptive` to a result only one side found. */
export const SINGLE_SIDE_FACTOR = 0.8;
/** Smoothing of `adaptive`: a side with confidence s gets weight ∝ s / (s + 0.1). */
export const CONFIDENCE_SMOOTHING = 0.1;
/** `calibrated`: how far one query's confidence may move a side's weight (×2 at most, ÷2 at least). */
export const MAX_SHIFT = 2;
/** `calibrated` without a calibration: the normalised top-1 margin taken as typical. */
export const DEFAULT_TYPICAL_MARGIN = 0.1;

interface Merged<T> extends FusedResult<T> {
  normalized: { vector?: number; lexical?: number };
}

/**
 * Reciprocal rank fusion: Σ over the sides that found a result of 1 / (k + rank). Scores are ignored.
 * @example fuseRrf(vectorHits, lexicalHits, { k: 60 })
 */
export function fuseRrf<T>(
  vector: RankedCandidate<T>[],
  lexical: RankedCandidate<T>[],
  options: { k?: number } = {},
): FusedResult<T>[] {
  const k = options.k ?? DEFAULT_RRF_K;
  if (!Number.isFinite(k) || k < 0) throw invalid(`fusion k must be a finite number >= 0, got ${k}`);
  return finish(merge(vector, lexical), (m) => {
    return (
      (m.ranks.vector ? 1 / (k + m.ranks.vector) : 0) + (m.ranks.lexical ? 1 / (k + m.ranks.lexical) : 0)
    );
  });
}

/**
 * Weighted fusion: each side's scores are min-max normalised over its candidate list (all-equal scores,
 * including a lone candidate, normalise to 1), multiplied by the side's weight and summed; a result only one
 * side found is multiplied by SINGLE_SIDE_FACTOR (0.8).
 * @example fuseWeighted(vectorHits, lexicalHits, { weights: { vector: 0.7, lexical: 0.3 } })
 */
export function fuseWeighted<T>(
  vector: RankedCandidate<T>[],
  lexical: RankedCandidate<T>[],
  options: { weights?: { vector: number; lexical: number } } = {},
): FusedResult<T>[] {
  const weights = options.weights ?? DEFAULT_FUSION_WEIGHTS;
  for (const side of ['vector', 'lexical'] as const) {
    if (!Number.isFinite(weights[side]) || weights[side] < 0) {
      throw invalid(`fusion weight ${side} must be a finite number >= 0, got ${weights[side]}`);
    }
  }
  if (weights.vector + weights.lexical === 0) throw invalid('fusion weights cannot both be 0');
  return weighted(merge(vector, lexical), weights);
}

/**
 * Confidence-weighted fusion: `weighted` fusion whose weights follow how sure each side is of its answer.
 *
 * A side's confidence s is the min-max normalised margin of its top hit over its runner-up,
 * s = (score₁ − score₂) / (score₁ − score_min) ∈ [0, 1]: the share of the side's score range that separates
 * its best candidate from the next. It is scale- and shift-free, so BM25's unbounded scores and cosine
 * similarities compare fairly. A side with no candidates, or whose top scores tie, has s = 0; a lone
 * candidate has nothing to compete with and gets s = 1. Each side's weight is c = s / (s + 0.1), normalised
 * so both sum to 1; when both are 0 the weights are equal. `options.weights` is not used.
 */
export function fuseAdaptive<T>(
  vector: RankedCandidate<T>[],
  lexical: RankedCandidate<T>[],
): FusedResult<T>[] {
  return weighted(merge(vector, lexical), adaptiveWeights(vector, lexical));
}

/** The weights `fuseAdaptive` uses, with each side's confidence s, for reporting. */
export function adaptiveWeights(
  vector: RankedCandidate<unknown>[],
  lexical: RankedCandidate<unknown>[],
): { vector: number; lexical: number; confidence: { vector: number; lexical: number } } {
  const confidence = { vector: sideConfidence(dedupe(vector)), lexical: sideConfidence(dedupe(lexical)) };
  const cv = confidence.vector / (confidence.vector + CONFIDENCE_SMOOTHING);
  const cl = confidence.lexical / (confidence.lexical + CONFIDENCE_SMOOTHING);
  if (cv + cl === 0) return { vector: 0.5, lexical: 0.5, confidence };
  return { vector: cv / (cv + cl), lexical: cl / (cv + cl), confidence };
}

/**
 * Fuses with the requested method (default `calibrated`) and says which weights it used.
 * @example fuseHybrid({ method: 'calibrated' }, vectorHits, lexicalHits, record.fusionCalibration)
 */
export function fuseHybrid<T>(
  fusion: FusionMethod | FusionOptions | undefined,
  vector: RankedCandidate<T>[],
  lexical: RankedCandidate<T>[],
  calibration: FusionCalibration | null,
): { results: FusedResult<T>[]; weights: FusionWeightsUsed } {
  const options: FusionOptions =
    typeof fusion === 'string' ? { method: fusion } : (fusion ?? { method: 'calibrated' });
  switch (options.method) {
    case 'calibrated': {
      const weights = calibratedWeights(vector, lexical, calibration);
      return { results: fuseCalibrated(vector, lexical, weights), weights };
    }
    case 'rrf':
      return {
        results: fuse(options, vector, lexical),
        weights: { vector: 0.5, lexical: 0.5, source: 'rank' },
      };
    case 'weighted': {
      const given = options.weights ?? DEFAULT_FUSION_WEIGHTS;
      const sum = given.vector + given.lexical;
      return {
        results: fuse(options, vector, lexical),
        weights: {
          vector: sum > 0 ? given.vector / sum : 0.5,
          lexical: sum > 0 ? given.lexical / sum : 0.5,
          source: options.weights ? 'request' : 'default',
        },
      };
    }
    case 'adaptive': {
      const { vector: v, lexical: l } = adaptiveWeights(vector, lexical);
      return {
        results: fuse(options, vector, lexical),
        weights: { vector: v, lexical: l, source: 'confidence' },
      };
    }
    default:
      throw invalid(
        `unknown fusion method "${String(options.method)}"; use calibrated, rrf, weighted or adaptive`,
      );
  }
}

/**
 * The weights of `calibrated` fusion for one query. The prior is the generation's calibrated weights (equal
 * weights when it has none). Each side's weight is then scaled by how confident the side is on this query
 * compared with its typical confidence on this KB: f = √(s / s_typical) clamped to [½, 2], where s is the
 * normalised top-1 margin (see fuseAdaptive). A query whose rare identifier gives BM25 a clear winner leans
 * lexical; a paraphrase whose words BM25 scores flatly leans vector. A side calibrated to 0 stays at 0.
 */
export function calibratedWeights(
  vector: RankedCandidate<unknown>[],
  lexical: RankedCandidate<unknown>[],
  calibration: FusionCalibration | null,
): FusionWeightsUsed {
  const prior = calibration?.weights ?? DEFAULT_FUSION_WEIGHTS;
  const typical = calibration?.typicalMargin ?? {
    vector: DEFAULT_TYPICAL_MARGIN,
    lexical: DEFAULT_TYPICAL_MARGIN,
  };
  const shift = (s: number, t: number) =>
    Math.min(MAX_SHIFT, Math.max(1 / MAX_SHIFT, Math.sqrt((s + 0.01) / (Math.max(t, 0) + 0.01))));
  const v = prior.vector * shift(sideConfidence(dedupe(vector)), typical.vector);
  const l = prior.lexical * shift(sideConfidence(dedupe(lexical)), typical.lexical);
  const sum = v + l;
  return {
    vector: sum > 0 ? v / sum : 0.5,
    lexical: sum > 0 ? l / sum : 0.5,
    source: calibration ? 'calibrated' : 'uncalibrated',
    ...(calibration ? { prior: { vector: prior.vector, lexical: prior.lexical } } : {}),
  };
}

/**
 * Convex combination of min-max normalised scores with the given weights; a side that did not find a result
 * contributes 0. With a weight of 0 the result is exactly the other side's ranking (ties aside).
 */
export function fuseCalibrated<T>(
  vector: RankedCandidate<T>[],
  lexical: RankedCandidate<T>[],
  weights: { vector: number; lexical: number },
): FusedResult<T>[] {
  // Ties go to the heavier side's order, so a side weighted 0 leaves the other's ranking exactly as it was.
  const first = weights.vector > weights.lexical ? 'vector' : 'lexical';
  const second = first === 'vector' ? 'lexical' : 'vector';
  return finish(
    merge(vector, lexical),
    (m) => (m.normalized.vector ?? 0) * weights.vector + (m.normalized.lexical ?? 0) * weights.lexical,
    (a, b) =>
      (a.ranks[first] ?? Infinity) - (b.ranks[first] ?? Infinity) ||
      (a.ranks[second] ?? Infinity) - (b.ranks[second] ?? Infinity),
  );
}

/**
 * Fuses with the requested method (default `rrf`).
 * @example fuse({ method: 'weighted', weights: { vector: 0.6, lexical: 0.4 } }, vectorHits, lexicalHits)
 */
export function fuse<T>(
  fusion: FusionMethod | FusionOptions | undefined,
  vector: RankedCandidate<T>[],
  lexical: RankedCandidate<T>[],
): FusedResult<T>[] {
  const options: FusionOptions =
    typeof fusion === 'string' ? { method: fusion } : (fusion ?? { method: 'rrf' });
  switch (options.method) {
    case 'calibrated':
      return fuseHybrid(options, vector, lexical, null).results;
    case 'rrf':
      return fuseRrf(vector, lexical, options.k === undefined ? {} : { k: options.k });
    case 'weighted':
      return fuseWeighted(vector, lexical, options.weights === undefined ? {} : { weights: options.weights });
    case 'adaptive':
      return fuseAdaptive(vector, lexical);
    default:
      throw invalid(
        `unknown fusion method "${String(options.method)}"; use calibrated, rrf, weighted or adaptive`,
      );
  }
}

/** The normalised top-1 margin of a side (see fuseAdaptive). */
export function sideConfidence(list: RankedCandidate<unknown>[]): number {
  if (list.length === 0) return 0;
  if (list.length === 1) return 1;
  const scores = list.map((c) => finiteOr(c.score, -Infinity));
  const top = scores[0]!;
  const min = Math.min(...scores);
  if (!Number.isFinite(top) || top <= min) return 0;
  return Math.max(0, Math.min(1, (top - Math.max(scores[1]!, min)) / (top - min)));
}

function weighted<T>(
  merged: Map<string, Merged<T>>,
  weights: { vector: number; lexical: number },
): FusedResult<T>[] {
  return finish(merged, (m) => {
    const { vector, lexical } = m.normalized;
    const sum = (vector ?? 0) * weights.vector + (lexical ?? 0) * weights.lexical;
    return vector !== undefined && lexical !== undefined ? sum : sum * SINGLE_SIDE_FACTOR;
  });
}

/** Keeps the first (best) occurrence of each id; ranks count the remaining candidates from 1. */
export function dedupe<T>(list: RankedCandidate<T>[]): RankedCandidate<T>[] {
  const seen = new Set<string>();
  return list.filter((c) => {
    if (seen.has(c.id)) return false;
    seen.add(c.id);
    return true;
  });
}

function merge<T>(vector: RankedCandidate<T>[], lexical: RankedCandidate<T>[]): Map<string, Merged<T>> {
  const merged = new Map<string, Merged<T>>();
  for (const [side, list] of [
    ['vector', dedupe(vector)],
    ['lexical', dedupe(lexical)],
  ] as const) {
    const normalized = minMax(list.map((c) => c.score));
    list.forEach((candidate, i) => {
      let entry = merged.get(candidate.id);
      if (!entry) {
        entry = { id: candidate.id, row: candidate.row, score: 0, scores: {}, ranks: {}, normalized: {} };
        merged.set(candidate.id, entry);
      }
      entry.scores[side] = candidate.score;
      entry.ranks[side] = i + 1;
      entry.normalized[side] = normalized[i]!;
    });
  }
  return merged;
}

/** Min-max normalisation to [0, 1]; equal scores become 1, non-finite scores 0. */
function minMax(scores: number[]): number[] {
  const finite = scores.filter(Number.isFinite);
  const min = Math.min(...finite);
  const max = Math.max(...finite);
  return scores.map((s) => (!Number.isFinite(s) ? 0 : max > min ? (s - min) / (max - min) : 1));
}

/**
 * Scores every result, then orders by fused score, then `tie` (default: best rank on either side), then id:
 * deterministic.
 */
function finish<T>(
  merged: Map<string, Merged<T>>,
  score: (m: Merged<T>) => number,
  tie?: (a: FusedResult<T>, b: FusedResult<T>) => number,
): FusedResult<T>[] {
  const results = [...merged.values()].map((m) => ({
    id: m.id,
    row: m.row,
    score: score(m),
    scores: m.scores,
    ranks: m.ranks,
  }));
  const bestRank = (r: FusedResult<T>) => Math.min(r.ranks.vector ?? Infinity, r.ranks.lexical ?? Infinity);
  const byRank = tie ?? ((a: FusedResult<T>, b: FusedResult<T>) => bestRank(a) - bestRank(b));
  return results.sort(
    (a, b) => b.score - a.score || byRank(a, b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
}

function finiteOr(value: number, fallback: number): number {
  return Number.isFinite(value) ? value : fallback;
}

function invalid(message: string): EngineError {
  return new EngineError('INVALID_INPUT', message);
}
