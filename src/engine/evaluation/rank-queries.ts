// Runs evaluation queries against one generation: the top-k chunks, their documents, and recall/nDCG where judged.
import type { EngineContext } from '../context.js';
import { EngineError } from '../errors.js';
import { arg } from '../terms.js';
import { search } from '../search/run-search.js';
import type { SearchMode } from '../types.js';
import { documentRanking, ndcgAt, recallAt } from './metrics.js';

/** A query of a comparison or a golden set; `expected` are the document ids a good answer contains. */
export interface EvalQuery {
  text: string;
  expected?: string[];
}

export interface RankedQuery {
  /** Top-k chunk ids, best first. */
  chunkIds: string[];
  /** Document id of each of `chunkIds`. */
  chunkDocuments: string[];
  /** Distinct documents of the top-k chunks, in the order of their best chunk. */
  documentIds: string[];
  /** Share of `expected` among `documentIds`; null without expectations. */
  recall: number | null;
  /** nDCG over `documentIds` with binary relevance; null without expectations. */
  ndcg: number | null;
  warnings: string[];
}

/** Most queries one comparison or golden set may hold: each costs two searches. */
export const MAX_EVAL_QUERIES = 200;
/** Most expected document ids per query. */
export const MAX_EXPECTED_IDS = 1000;
/** Largest `k` (results compared per query). */
export const MAX_EVAL_K = 100;

/** Throws INVALID_INPUT for query lists no comparison can run; returns the `k` to use. */
export function checkEvalQueries(queries: unknown, k: unknown, what: string): number {
  if (!Array.isArray(queries) || queries.length === 0 || queries.length > MAX_EVAL_QUERIES) {
    throw new EngineError('INVALID_INPUT', `${what} must be 1 to ${MAX_EVAL_QUERIES} queries`);
  }
  queries.forEach((query: Partial<EvalQuery> | null, index) => {
    if (typeof query?.text !== 'string' || query.text.trim() === '') {
      throw new EngineError('INVALID_INPUT', `${what}[${index}].query must be a non-empty string`);
    }
    const expected = query.expected;
    if (
      expected !== undefined &&
      (!Array.isArray(expected) ||
        expected.length > MAX_EXPECTED_IDS ||
        expected.some((id) => typeof id !== 'string' || id === ''))
    ) {
      throw new EngineError(
        'INVALID_INPUT',
        `${what}[${index}].${arg('expected')} must be up to ${MAX_EXPECTED_IDS} non-empty document ids`,
      );
    }
  });
  const chosen = k ?? 10;
  if (typeof chosen !== 'number' || !Number.isInteger(chosen) || chosen < 1 || chosen > MAX_EVAL_K) {
    throw new EngineError('INVALID_INPUT', `k must be an integer from 1 to ${MAX_EVAL_K}; got ${String(k)}`);
  }
  return chosen;
}

/** Searches `generation` once per query, one after another (a comparison must not starve live searches). */
export async function rankQueries(
  ctx: EngineContext,
  kb: string,
  generation: number,
  queries: readonly EvalQuery[],
  k: number,
  mode: SearchMode,
  signal?: AbortSignal,
): Promise<RankedQuery[]> {
  const ranked: RankedQuery[] = [];
  for (const query of queries) {
    const response = await search(ctx, {
      kb,
      generation,
      text: query.text,
      limit: k,
      mode,
      ...(signal ? { signal } : {}),
    });
    const chunkIds = response.results.map((hit) => hit.chunkId);
    const chunkDocuments = response.results.map((hit) => hit.documentId);
    const documentIds = documentRanking(chunkDocuments);
    const judgements =
      query.expected && query.expected.length > 0
        ? new Map(query.expected.map((id) => [id, 1] as const))
        : undefined;
    ranked.push({
      chunkIds,
      chunkDocuments,
      documentIds,
      recall: judgements ? recallAt(documentIds, judgements, documentIds.length) : null,
      ndcg: judgements ? ndcgAt(documentIds, judgements, documentIds.length) : null,
      warnings: response.warnings,
    });
  }
  return ranked;
}

/** Mean of the non-null values, or null when there are none. */
export function meanOf(values: ReadonlyArray<number | null>): number | null {
  const present = values.filter((v): v is number => v !== null);
  return present.length === 0 ? null : present.reduce((sum, v) => sum + v, 0) / present.length;
}
