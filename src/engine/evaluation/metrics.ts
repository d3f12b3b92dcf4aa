// Retrieval metrics shared by the eval CLI and generation comparisons (trec_eval conventions): nDCG@k, Recall@k.

/** Relevance grades of one query: document id → grade (> 0 is relevant). */
export type Judgements = ReadonlyMap<string, number>;

/**
 * nDCG@k with trec_eval's linear gain: DCG = Σᵢ grade(dᵢ) / log₂(i + 1) over the first k results (i from 1),
 * divided by the DCG of the ideal ordering of the judged grades. 0 when nothing is relevant.
 * @example ndcgAt(['a', 'b'], new Map([['b', 1]]), 10) // (1 / log2(3)) / 1 ≈ 0.631
 */
export function ndcgAt(ranking: readonly string[], judgements: Judgements, k: number): number {
  const ideal = [...judgements.values()].filter((g) => g > 0).sort((a, b) => b - a);
  const idcg = dcg(ideal.slice(0, k));
  if (idcg === 0) return 0;
  return dcg(ranking.slice(0, k).map((id) => Math.max(0, judgements.get(id) ?? 0))) / idcg;
}

function dcg(gains: readonly number[]): number {
  return gains.reduce((sum, gain, i) => sum + gain / Math.log2(i + 2), 0);
}

/**
 * Share of the relevant documents found in the first k results.
 * @example recallAt(['a', 'b', 'c'], new Map([['c', 1], ['z', 1]]), 100) // 0.5
 */
export function recallAt(ranking: readonly string[], judgements: Judgements, k: number): number {
  const relevant = [...judgements].filter(([, g]) => g > 0).length;
  if (relevant === 0) return 0;
  const found = ranking.slice(0, k).filter((id) => (judgements.get(id) ?? 0) > 0).length;
  return found / relevant;
}

/**
 * Chunks → documents: each document ranks where its best (first) chunk ranks. `excludeId` drops a document
 * whose id equals the query's (BEIR's `ignore_identical_ids`, which matters for datasets like ArguAna).
 * @example documentRanking(['d1', 'd2', 'd1', 'd3']) // ['d1', 'd2', 'd3']
 */
export function documentRanking(documentIds: Iterable<string>, excludeId?: string): string[] {
  const seen = new Set<string>();
  const ranking: string[] = [];
  for (const id of documentIds) {
    if (id === excludeId || seen.has(id)) continue;
    seen.add(id);
    ranking.push(id);
  }
  return ranking;
}
