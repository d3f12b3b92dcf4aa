// Golden-query calibration: the vector weight whose fused ranking finds the golden queries' expected documents best.
import type { EngineContext } from '../context.js';
import { documentRanking, ndcgAt, recallAt, type Judgements } from '../evaluation/metrics.js';
import type { GenerationRecord } from '../storage/catalog.js';
import type { GoldenSet } from '../storage/golden-queries.js';
import type { FusionCalibration } from '../types.js';
import { round3 } from './calibration.js';
import { DEPTH } from './draw-probes.js';
import { calibratedWeights, dedupe, fuseCalibrated, sideConfidence, type RankedCandidate } from './fusion.js';
import { GRID_STEPS, mean, median, nearestWeight } from './probe-weights.js';
import { search } from './run-search.js';

/**
 * Fewer golden queries than this and their set does not override the probes: a grid search over two or three
 * queries would fit their noise, not the KB.
 */
export const MIN_GOLDEN_QUERIES = 5;

/** The revision of `set` when it can override the probes, else 0 (none, removed, or too few queries). */
export function usableGoldenRevision(set: GoldenSet | undefined | null): number {
  return set && set.queries.length >= MIN_GOLDEN_QUERIES ? set.revision : 0;
}

interface GoldenProbe {
  vector: RankedCandidate<string>[];
  lexical: RankedCandidate<string>[];
  judgements: Judgements;
}

export interface GoldenMeasure {
  vectorWeight: number;
  typicalMargin: { vector: number; lexical: number };
  golden: NonNullable<FusionCalibration['golden']>;
}

/**
 * Chooses the vector weight on the KB's golden queries: each query searches both sides of `record` to depth
 * 50 once; every weight of the grid (0 … 1 in steps of 0.05) is scored by the mean nDCG@k of the documents
 * its `calibrated` fusion ranks (with the per-query shift, measured against the golden queries' own typical
 * margins), and among weights within 1% of the best the one nearest `target` (the probes' weight) is kept.
 * Deterministic: same set, same data, same weight. Null when the set is not usable, a search fails, or no
 * side finds any expected document (then the golden set says nothing about the mix).
 */
export async function measureOnGolden(
  ctx: EngineContext,
  record: GenerationRecord,
  set: GoldenSet,
  target: number,
  signal?: AbortSignal,
): Promise<GoldenMeasure | null> {
  if (usableGoldenRevision(set) === 0) return null;
  const probes: GoldenProbe[] = [];
  for (const query of set.queries) {
    if (signal?.aborted) return null;
    const ask = (mode: 'vector' | 'lexical') =>
      search(ctx, { kb: record.kb, generation: record.generation, mode, text: query.text, limit: DEPTH });
    let answers;
    try {
      answers = await Promise.all([ask('vector'), ask('lexical')]);
    } catch {
      return null;
    }
    const [vector, lexical] = answers.map((a) =>
      a.results.map((h) => ({ id: h.chunkId, score: h.score, row: h.documentId })),
    ) as [RankedCandidate<string>[], RankedCandidate<string>[]];
    probes.push({ vector, lexical, judgements: new Map((query.expected ?? []).map((id) => [id, 1])) });
  }
  const typicalMargin = {
    vector: median(probes.map((p) => sideConfidence(dedupe(p.vector)))),
    lexical: median(probes.map((p) => sideConfidence(dedupe(p.lexical)))),
  };
  const k = set.k;
  const score = (ranked: (p: GoldenProbe) => ReadonlyArray<{ row: string }>) => {
    const docs = probes.map((p) => documentRanking(ranked(p).map((r) => r.row)));
    const ndcg = docs.map((d, i) => ndcgAt(d, probes[i]!.judgements, k));
    return {
      ndcg: mean(ndcg),
      recall: mean(docs.map((d, i) => recallAt(d, probes[i]!.judgements, k))),
      perQuery: ndcg,
    };
  };
  const fusedAt = (w: number) =>
    score((p) =>
      fuseCalibrated(
        p.vector,
        p.lexical,
        calibratedWeights(p.vector, p.lexical, {
          weights: { vector: w, lexical: 1 - w },
          typicalMargin,
        } as FusionCalibration),
      ),
    );
  const curve = Array.from({ length: GRID_STEPS + 1 }, (_, i) => {
    const w = i / GRID_STEPS;
    return { w, ...fusedAt(w) };
  });
  const vectorOnly = score((p) => p.vector);
  const lexicalOnly = score((p) => p.lexical);
  if (Math.max(vectorOnly.ndcg, lexicalOnly.ndcg, ...curve.map((c) => c.ndcg)) === 0) return null;
  // The golden queries are the user's own judged questions: their best weight wins, and the probes' weight
  // only settles near-ties (within 1%). The probes' one-standard-error band is not used here: a set of 5–10
  // queries has a wide band, and the probes would then overrule the labels.
  const best = Math.max(...curve.map((c) => c.ndcg));
  const w = nearestWeight(
    curve.filter((c) => c.ndcg >= best * 0.99),
    target,
  );
  const chosen = curve.find((c) => c.w === w)!;
  return {
    vectorWeight: w,
    typicalMargin: { vector: round3(typicalMargin.vector), lexical: round3(typicalMargin.lexical) },
    golden: {
      queries: set.queries.length,
      k,
      ndcg: {
        vector: round3(vectorOnly.ndcg),
        lexical: round3(lexicalOnly.ndcg),
        fused: round3(chosen.ndcg),
      },
      recall: {
        vector: round3(vectorOnly.recall),
        lexical: round3(lexicalOnly.recall),
        fused: round3(chosen.recall),
      },
    },
  };
}
