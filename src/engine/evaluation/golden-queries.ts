// setGoldenQueries / getGoldenQueries: a KB's stored evaluation queries, which gate its promotions.
import { kbNotFound, requireWritable, type EngineContext } from '../context.js';
import { EngineError } from '../errors.js';
import { arg } from '../terms.js';
import type { GoldenSet } from '../storage/golden-queries.js';
import { validateKbName } from '../validation.js';
import { checkEvalQueries, type EvalQuery } from './rank-queries.js';

/** Default largest drop of mean recall@k a gated promotion accepts. */
export const DEFAULT_GATE_TOLERANCE = 0.05;

export interface SetGoldenQueriesRequest {
  /** Each with `expected` document ids; an empty list removes the set (and with it the default gate). */
  queries: EvalQuery[];
  /** Default 10. */
  k?: number;
  /** 0..1, default DEFAULT_GATE_TOLERANCE. */
  tolerance?: number;
  /** Write only if the stored set is still this revision (0: none yet); CONFLICT otherwise. */
  ifRevision?: number;
}

export function checkTolerance(tolerance: unknown): number {
  const value = tolerance ?? DEFAULT_GATE_TOLERANCE;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new EngineError(
      'INVALID_INPUT',
      `tolerance is a drop of mean recall from 0 to 1 (0.05 = five points); got ${String(tolerance)}`,
    );
  }
  return value;
}

/**
 * Stores the KB's golden queries as one conditional commit, under the KB's cross-process writer lease (so it
 * is ordered with promotions and writes of every process). Returns the stored set with its new revision.
 */
export async function setGoldenQueries(
  ctx: EngineContext,
  kbInput: string,
  request: SetGoldenQueriesRequest,
): Promise<GoldenSet> {
  requireWritable(ctx);
  const kb = validateKbName(kbInput);
  const queries = request?.queries;
  if (!Array.isArray(queries)) throw new EngineError('INVALID_INPUT', 'queries must be an array');
  // An empty list (removing the set) is allowed; its k is still checked, through a stand-in query.
  const k = checkEvalQueries(queries.length === 0 ? [{ text: 'k' }] : queries, request.k, 'queries');
  queries.forEach((query, index) => {
    if (!query.expected || query.expected.length === 0) {
      throw new EngineError(
        'INVALID_INPUT',
        `queries[${index}] ("${query.text.slice(0, 80)}") has no ${arg('expected')}: a golden query must say which documents answer it, or recall cannot be measured`,
      );
    }
  });
  const tolerance = checkTolerance(request.tolerance);
  if (request.ifRevision !== undefined && (!Number.isInteger(request.ifRevision) || request.ifRevision < 0)) {
    throw new EngineError(
      'INVALID_INPUT',
      `${arg('ifRevision')} must be an integer >= 0; got ${request.ifRevision}`,
    );
  }
  return ctx.kbLocks.run(kb, async () => {
    if (ctx.catalog.generations(kb).length === 0) throw kbNotFound(ctx, kb);
    const current = await ctx.goldenQueries.get(kb);
    const revision = current?.revision ?? 0;
    if (request.ifRevision !== undefined && request.ifRevision !== revision) {
      throw new EngineError(
        'CONFLICT',
        `the golden queries of "${kb}" are at revision ${revision}, not ${request.ifRevision}; nothing was written. Re-read them and retry.`,
      );
    }
    const stored = {
      kb,
      queries: queries.map((q) => ({ text: q.text, expected: [...(q.expected ?? [])] })),
      k,
      tolerance,
      updatedAt: Date.now(),
    };
    return ctx.goldenQueries.put(stored, revision);
  });
}

/** The KB's golden set, or null when none is stored. */
export async function getGoldenQueries(ctx: EngineContext, kbInput: string): Promise<GoldenSet | null> {
  const kb = validateKbName(kbInput);
  if (ctx.catalog.generations(kb).length === 0) throw kbNotFound(ctx, kb);
  return (await ctx.goldenQueries.get(kb)) ?? null;
}
