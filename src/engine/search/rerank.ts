// Reranking stage of a search: the top fused candidates reordered by the engine's cross-encoder.
import { EngineError } from '../errors.js';
import type { Reranker, SearchRequest } from '../types.js';

/** Fused candidates scored when the caller does not say: enough to lift a hit from well below the page. */
export const DEFAULT_RERANK_CANDIDATES = 30;
/** Upper bound of `rerankCandidates`: a cross-encoder costs one model pass per candidate. */
export const MAX_RERANK_CANDIDATES = 100;

/** The part of a fused result reranking reads and writes. */
interface Rankable {
  row: Record<string, unknown>;
  score: number;
  scores: { vector?: number; lexical?: number; rerank?: number };
  ranks: { vector?: number; lexical?: number; rerank?: number };
}

/**
 * How many fused candidates to rerank, or undefined when the request does not ask for reranking. Checked
 * before any I/O: a request that can never rerank fails with a message saying how to make it work.
 */
export function rerankDepth(
  request: Pick<SearchRequest, 'rerank' | 'rerankCandidates'>,
  reranker: Reranker | undefined,
  text: string | undefined,
  want: number,
): number | undefined {
  if (request.rerank === undefined || request.rerank === false) {
    if (request.rerankCandidates !== undefined) {
      throw new EngineError('INVALID_INPUT', 'a reranking candidate count only applies when reranking');
    }
    return undefined;
  }
  if (request.rerank !== true) {
    throw new EngineError('INVALID_INPUT', `rerank must be true or false; got ${String(request.rerank)}`);
  }
  if (reranker === undefined) {
    throw new EngineError(
      'INVALID_STATE',
      'reranking is not configured on this server: set its reranking model{setting} to a cross-encoder, e.g. Xenova/ms-marco-MiniLM-L-6-v2 or a local model folder, and restart it (see README "Reranking"). Search without reranking meanwhile.',
      { setting: 'rerankModel' },
    );
  }
  if (text === undefined) {
    throw new EngineError(
      'INVALID_INPUT',
      'reranking scores the query text against each passage: give a non-empty query text (a query vector alone cannot be reranked)',
    );
  }
  const asked = request.rerankCandidates;
  if (asked !== undefined && (!Number.isInteger(asked) || asked < want || asked > MAX_RERANK_CANDIDATES)) {
    throw new EngineError(
      'INVALID_INPUT',
      `the reranking candidate count must be an integer from limit + offset (${want}) to ${MAX_RERANK_CANDIDATES}; got ${String(asked)}`,
    );
  }
  return asked ?? Math.min(MAX_RERANK_CANDIDATES, Math.max(want, DEFAULT_RERANK_CANDIDATES));
}

/**
 * Scores the first `depth` candidates' content against the query and returns them best first by that score
 * (ties keep the fused order). Each carries `scores.rerank` and `ranks.rerank`, and its `score` becomes the
 * rerank score; candidates beyond `depth` are dropped, so every result of a reranked page was reranked.
 */
export async function rerankFused<T extends Rankable>(
  reranker: Reranker,
  query: string,
  fused: T[],
  depth: number,
  signal?: AbortSignal,
): Promise<T[]> {
  const top = fused.slice(0, depth);
  const scores = await reranker.score(
    query,
    top.map((candidate) => String(candidate.row.content ?? '')),
    signal,
  );
  return top
    .map((candidate, index) => ({ candidate, index, rerank: scores[index] ?? Number.NEGATIVE_INFINITY }))
    .sort((a, b) => b.rerank - a.rerank || a.index - b.index)
    .map(({ candidate, rerank }, index) => ({
      ...candidate,
      score: rerank,
      scores: { ...candidate.scores, rerank },
      ranks: { ...candidate.ranks, rerank: index + 1 },
    }));
}
