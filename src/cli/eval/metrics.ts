// Retrieval metrics as BEIR reports them (trec_eval conventions): nDCG@k, Recall@k, MRR@k, averaged over queries.
import { documentRanking, ndcgAt, recallAt, type Judgements } from '../../engine/evaluation/metrics.js';

export { documentRanking, ndcgAt, recallAt, type Judgements };

/**
 * Reciprocal rank of the first relevant result within the first k, else 0.
 * @example mrrAt(['a', 'b'], new Map([['b', 1]]), 10) // 0.5
 */
export function mrrAt(ranking: readonly string[], judgements: Judgements, k: number): number {
  const index = ranking.slice(0, k).findIndex((id) => (judgements.get(id) ?? 0) > 0);
  return index < 0 ? 0 : 1 / (index + 1);
}

export interface QueryScores {
  ndcg10: number;
  recall100: number;
  mrr10: number;
}

export function scoreQuery(ranking: readonly string[], judgements: Judgements): QueryScores {
  return {
    ndcg10: ndcgAt(ranking, judgements, 10),
    recall100: recallAt(ranking, judgements, 100),
    mrr10: mrrAt(ranking, judgements, 10),
  };
}

/** Mean of each metric over the queries (BEIR averages over every judged query, 0 for those that found nothing). */
export function meanScores(scores: readonly QueryScores[]): QueryScores {
  const n = scores.length || 1;
  const sum = (key: keyof QueryScores) => scores.reduce((s, q) => s + q[key], 0) / n;
  return { ndcg10: sum('ndcg10'), recall100: sum('recall100'), mrr10: sum('mrr10') };
}
