// The post-process stage of a search: ordered steps over the fused ranking (rerank, fold, group, page).
import type { FusedResult } from './fusion.js';
import type { Row } from './retrieve.js';

/** One ranked chunk between fusion and hits. Steps may reorder, rescore, fold or drop them. */
export interface Ranked extends FusedResult<Row> {
  scores: FusedResult<Row>['scores'] & { rerank?: number };
  /** Rows of other chunks with exactly this content, folded into this one (foldDuplicates). */
  duplicates?: Row[] | undefined;
}

export interface PostProcessContext {
  /** The query text, when there is one. */
  text: string | undefined;
  limit: number;
  offset: number;
  signal: AbortSignal | undefined;
}

/**
 * A step of the post-process stage. Steps run in the order of `postProcessSteps`, each on the previous one's
 * output; a reranker is a step that reorders (and sets `scores.rerank`) before anything folds or pages.
 */
export type PostProcessStep = (ranked: Ranked[], context: PostProcessContext) => Ranked[] | Promise<Ranked[]>;

/** The page the caller asked for: always the last step. */
export const page: PostProcessStep = (ranked, { offset, limit }) => ranked.slice(offset, offset + limit);

export async function postProcess(
  ranked: Ranked[],
  steps: readonly PostProcessStep[],
  context: PostProcessContext,
): Promise<Ranked[]> {
  let current = ranked;
  for (const step of steps) current = await step(current, context);
  return current;
}
