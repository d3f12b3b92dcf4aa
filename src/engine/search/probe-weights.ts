// The vector weight a set of probe (or golden) queries supports, with a one-standard-error rule against their noise.
import type { FusionCalibration } from '../types.js';
import { calibratedWeights, dedupe, fuseCalibrated, sideConfidence, type RankedCandidate } from './fusion.js';

/** Prior weight of the vector side tried, 0 … 1 in steps of 1/GRID_STEPS. */
export const GRID_STEPS = 20;

/** One probe query: the chunk it was cut from, and each side's candidates for it (best first). */
export interface Probe {
  source: string;
  vector: RankedCandidate<null>[];
  lexical: RankedCandidate<null>[];
}

/** One weight of the grid and each query's score under it (same query order at every weight). */
export interface CurvePoint {
  w: number;
  scores: readonly number[];
}

export interface ProbeWeighing {
  vectorWeight: number;
  probeMrr: { vector: number; lexical: number; fused: number };
  typicalMargin: { vector: number; lexical: number };
  /** With guard probes: how many, and the vector weights they do not measurably hurt (lowest, highest). */
  guard?: { probes: number; allowed: { min: number; max: number } };
}

/**
 * The vector weight the probes support. Every grid weight is scored by the reciprocal rank of each probe's
 * source chunk under `calibrated` fusion (with its per-query shift); pickWeight then keeps the weight nearest
 * probeTarget among those the probes cannot tell from the best.
 */
export function weighProbes(probes: readonly Probe[], guardProbes?: readonly Probe[]): ProbeWeighing {
  const typicalMargin = {
    vector: median(probes.map((p) => sideConfidence(dedupe(p.vector)))),
    lexical: median(probes.map((p) => sideConfidence(dedupe(p.lexical)))),
  };
  const curve = probeCurve(probes, typicalMargin);
  const vector = probes.map((p) => reciprocalRank(p.vector, p.source));
  const lexical = probes.map((p) => reciprocalRank(p.lexical, p.source));
  const target = probeTarget(vector, lexical);
  // Guard probes are fused with the same stored margins, as the queries they stand for would be.
  const guardCurve = guardProbes?.length ? probeCurve(guardProbes, typicalMargin) : undefined;
  const allowed = guardCurve && nearBest(guardCurve);
  const w = guardCurve ? pickGuardedWeight(curve, target, guardCurve) : pickWeight(curve, target);
  return {
    ...(allowed && {
      guard: {
        probes: guardProbes!.length,
        allowed: { min: Math.min(...allowed.map((c) => c.w)), max: Math.max(...allowed.map((c) => c.w)) },
      },
    }),
    vectorWeight: w,
    probeMrr: {
      vector: mean(vector),
      lexical: mean(lexical),
      fused: mean(curve.find((c) => c.w === w)!.scores),
    },
    typicalMargin,
  };
}

/** Each grid weight with the reciprocal rank of every probe's source under `calibrated` fusion at that prior. */
export function probeCurve(
  probes: readonly Probe[],
  typicalMargin: { vector: number; lexical: number },
): CurvePoint[] {
  return Array.from({ length: GRID_STEPS + 1 }, (_, i) => {
    const w = i / GRID_STEPS;
    const calibration = { weights: { vector: w, lexical: 1 - w }, typicalMargin } as FusionCalibration;
    const scores = probes.map((p) =>
      reciprocalRank(
        fuseCalibrated(p.vector, p.lexical, calibratedWeights(p.vector, p.lexical, calibration)),
        p.source,
      ),
    );
    return { w, scores };
  });
}

/**
 * Where to lean when the probes cannot tell weights apart: the stronger side alone (0 = lexical, 1 = vector)
 * when one side's per-probe reciprocal ranks are better than the other's by more than one standard error of
 * the paired difference, else equal weights (two comparable sides, nothing to prefer). A weak side that
 * merely echoes the strong one (feature hashing next to BM25) is thereby left out unless mixing it in
 * measurably helps; two comparable sides stay mixed.
 */
export function probeTarget(vector: readonly number[], lexical: readonly number[]): number {
  const { mean: gap, se } = pairedDifference(vector, lexical);
  if (gap > se) return 1;
  if (-gap > se) return 0;
  return 0.5;
}

/**
 * The weight to keep from a grid curve of per-query scores. Weights whose mean score is below the best one's
 * by at most one standard error of the paired per-query difference are indistinguishable from the best on
 * these queries (the one-standard-error rule of Breiman et al., 1984); among them the one nearest `target`
 * is kept. A mix is therefore kept only as far as the queries show it ranks better — noise in 60 probes can
 * no longer carry the weight towards a side that does not help.
 */
export function pickWeight(curve: readonly CurvePoint[], target: number): number {
  return nearestWeight(nearBest(curve), target);
}

/**
 * pickWeight restricted to the weights allowed by guard probes (nearBest of their curve): the weight nearest `target`
 * among those near-best on `curve` and allowed; when none is both, the allowed weight that scores best on
 * `curve`. Held-out probes stand for questions in other words, verbatim ones for questions that quote the KB
 * (names, identifiers, exact phrases); a mix may help the first only as far as it does not measurably hurt
 * the second. It also bounds what held-out probes overstate: a model fit to the KB's own documents (like
 * the LSA bench model) finds the rest of a chunk from its other sentences by memory, not by meaning.
 */
export function pickGuardedWeight(
  curve: readonly CurvePoint[],
  target: number,
  guardCurve: readonly CurvePoint[],
): number {
  const permitted = new Set(nearBest(guardCurve).map((c) => c.w));
  const both = nearBest(curve).filter((c) => permitted.has(c.w));
  if (both.length > 0) return nearestWeight(both, target);
  const candidates = curve.filter((c) => permitted.has(c.w));
  const best = Math.max(...candidates.map((c) => mean(c.scores)));
  return nearestWeight(
    candidates.filter((c) => mean(c.scores) === best),
    target,
  );
}

/**
 * The points of `curve` whose mean score is below the best one's by at most one standard error of the paired
 * per-query difference: those the queries cannot tell from the best.
 */
export function nearBest(curve: readonly CurvePoint[]): CurvePoint[] {
  const means = curve.map((c) => mean([...c.scores]));
  const best = curve[means.indexOf(Math.max(...means))]!;
  return curve.filter((c) => {
    const { mean: gap, se } = pairedDifference(best.scores, c.scores);
    return gap <= se;
  });
}

/** The weight of `points` (not empty) nearest `target`; on a tie the first listed. */
export function nearestWeight(points: ReadonlyArray<{ w: number }>, target: number): number {
  return points.reduce((a, b) => (Math.abs(b.w - target) < Math.abs(a.w - target) ? b : a)).w;
}

/** Mean and standard error of a[i] − b[i]. */
export function pairedDifference(a: readonly number[], b: readonly number[]): { mean: number; se: number } {
  const d = a.map((x, i) => x - (b[i] ?? 0));
  const m = mean(d);
  if (d.length < 2) return { mean: m, se: 0 };
  const variance = d.reduce((s, x) => s + (x - m) ** 2, 0) / (d.length - 1);
  return { mean: m, se: Math.sqrt(variance / d.length) };
}

export function reciprocalRank(list: ReadonlyArray<{ id: string }>, id: string): number {
  const index = list.findIndex((c) => c.id === id);
  return index < 0 ? 0 : 1 / (index + 1);
}

export function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? 0 : sorted[Math.floor(sorted.length / 2)]!;
}
