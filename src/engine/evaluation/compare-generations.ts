// compareGenerations: the same queries against two generations (overlap, rank changes, recall/nDCG) plus a content diff.
import type { EngineContext } from '../context.js';
import { EngineError } from '../errors.js';
import type { EngineText } from '../terms.js';
import type { SearchMode } from '../types.js';
import { validateKbName } from '../validation.js';
import { diffDocuments, documentDigests, type ContentDiff } from './document-digests.js';
import { checkEvalQueries, meanOf, rankQueries, type EvalQuery, type RankedQuery } from './rank-queries.js';

export interface CompareGenerationsRequest {
  kb: string;
  base: number;
  candidate: number;
  queries: EvalQuery[];
  /** Results compared per query. Default 10. */
  k?: number;
  /** Default hybrid (lexical when no embedder is usable, as for search). */
  mode?: SearchMode;
  signal?: AbortSignal;
}

/** A chunk whose rank differs between the two generations; null: not in that generation's top k. */
export interface RankChange {
  chunkId: string;
  documentId: string;
  baseRank: number | null;
  candidateRank: number | null;
}

export interface SideMetrics {
  chunkIds: string[];
  recall: number | null;
  ndcg: number | null;
}

export interface QueryComparison {
  query: string;
  expected: string[] | null;
  /** Chunks in both top-k lists / the longer list's length (1 when both are empty). */
  overlap: number;
  base: SideMetrics;
  candidate: SideMetrics;
  rankChanges: RankChange[];
}

export interface GenerationsComparison {
  kb: string;
  base: number;
  candidate: number;
  k: number;
  mode: SearchMode;
  queries: QueryComparison[];
  summary: {
    meanOverlap: number;
    /** Queries that carried expected documents; recall and nDCG are means over these. */
    judgedQueries: number;
    base: { recall: number | null; ndcg: number | null };
    candidate: { recall: number | null; ndcg: number | null };
  };
  content: ContentDiff;
  /** Engine text (terms.ts), as in SearchResponse. */
  warnings: EngineText[];
  tookMs: number;
}

export async function compareGenerations(
  ctx: EngineContext,
  request: CompareGenerationsRequest,
): Promise<GenerationsComparison> {
  const started = performance.now();
  const kb = validateKbName(request.kb);
  const k = checkEvalQueries(request.queries, request.k, 'queries');
  for (const [name, value] of [
    ['base', request.base],
    ['candidate', request.candidate],
  ] as const) {
    if (!Number.isInteger(value) || value < 1) {
      throw new EngineError('INVALID_INPUT', `${name} must be a generation number; got ${String(value)}`);
    }
  }
  const mode = request.mode ?? 'hybrid';
  const base = await rankQueries(ctx, kb, request.base, request.queries, k, mode, request.signal);
  const candidate = await rankQueries(ctx, kb, request.candidate, request.queries, k, mode, request.signal);
  const content = diffDocuments(
    await documentDigests(ctx, kb, request.base),
    await documentDigests(ctx, kb, request.candidate),
  );
  const queries = request.queries.map((query, i) => compareOne(query, base[i]!, candidate[i]!));
  return {
    kb,
    base: request.base,
    candidate: request.candidate,
    k,
    mode,
    queries,
    summary: {
      meanOverlap: meanOf(queries.map((q) => q.overlap)) ?? 1,
      judgedQueries: queries.filter((q) => q.expected !== null).length,
      base: { recall: meanOf(base.map((r) => r.recall)), ndcg: meanOf(base.map((r) => r.ndcg)) },
      candidate: {
        recall: meanOf(candidate.map((r) => r.recall)),
        ndcg: meanOf(candidate.map((r) => r.ndcg)),
      },
    },
    content,
    warnings: [...new Set([...base, ...candidate].flatMap((r) => r.warnings))],
    tookMs: Math.round((performance.now() - started) * 100) / 100,
  };
}

function compareOne(query: EvalQuery, base: RankedQuery, candidate: RankedQuery): QueryComparison {
  const baseRank = new Map(base.chunkIds.map((id, i) => [id, i + 1]));
  const candidateRank = new Map(candidate.chunkIds.map((id, i) => [id, i + 1]));
  const documentOf = new Map<string, string>();
  base.chunkIds.forEach((id, i) => documentOf.set(id, base.chunkDocuments[i]!));
  candidate.chunkIds.forEach((id, i) => documentOf.set(id, candidate.chunkDocuments[i]!));
  const shared = base.chunkIds.filter((id) => candidateRank.has(id)).length;
  const longer = Math.max(base.chunkIds.length, candidate.chunkIds.length);
  const rankChanges: RankChange[] = [];
  for (const chunkId of new Set([...base.chunkIds, ...candidate.chunkIds])) {
    const before = baseRank.get(chunkId) ?? null;
    const after = candidateRank.get(chunkId) ?? null;
    if (before === after) continue;
    rankChanges.push({
      chunkId,
      documentId: documentOf.get(chunkId)!,
      baseRank: before,
      candidateRank: after,
    });
  }
  const best = (change: RankChange) =>
    Math.min(change.baseRank ?? Infinity, change.candidateRank ?? Infinity);
  rankChanges.sort((a, b) => best(a) - best(b));
  return {
    query: query.text,
    expected: query.expected && query.expected.length > 0 ? [...query.expected] : null,
    overlap: longer === 0 ? 1 : shared / longer,
    base: { chunkIds: base.chunkIds, recall: base.recall, ndcg: base.ndcg },
    candidate: { chunkIds: candidate.chunkIds, recall: candidate.recall, ndcg: candidate.ndcg },
    rankChanges,
  };
}
