// Runs every judged query of a BEIR dataset in each mode through the engine and scores the rankings.
import { engineErrorText } from '../../config/engine-error-text.js';
import { isEngineError } from '../../engine/errors.js';
import type { Embedder, KnowledgeBaseEngine, SearchRequest } from '../../engine/types.js';
import type { BeirDataset } from './beir.js';
import { summarizeLatencies, type LatencySummary } from './latency.js';
import { documentRanking, meanScores, scoreQuery, type QueryScores } from './metrics.js';
import type { EvalMode } from './options.js';

/** Results per search call: the engine's maximum, and what Recall@100 needs. */
const PAGE_SIZE = 100;
/** With chunking, pages fetched at most while looking for 100 distinct documents. */
const MAX_PAGES = 10;
/** Queries run (and not timed) per mode before timing starts, to load indexes. */
const WARMUP_QUERIES = 3;

export interface JudgedQuery {
  id: string;
  text: string;
  judgements: Map<string, number>;
}

export interface PerQueryResult extends QueryScores {
  queryId: string;
  top10: string[];
}

export interface ModeResult extends QueryScores {
  mode: string;
  latency: LatencySummary;
  /** Queries whose search failed (scored as finding nothing), and the first failure. */
  errors: number;
  firstError?: string;
  perQuery?: PerQueryResult[];
}

/** Judged queries in qrels order; judged ids missing from queries.jsonl are counted, not run. */
export function judgedQueries(
  data: BeirDataset,
  limit: number | undefined,
): { queries: JudgedQuery[]; missing: number } {
  const queries: JudgedQuery[] = [];
  let missing = 0;
  for (const [id, judgements] of data.qrels) {
    const text = data.queries.get(id);
    if (text === undefined) missing++;
    else queries.push({ id, text, judgements });
  }
  return { queries: limit === undefined ? queries : queries.slice(0, limit), missing };
}

/** Embeds every query once up front, so each mode's latency is the search alone and all modes see the same vector. */
export async function embedQueries(
  embedder: Embedder,
  queries: readonly JudgedQuery[],
): Promise<{ vectors: Map<string, Float32Array>; latency: LatencySummary }> {
  const vectors = new Map<string, Float32Array>();
  const times: number[] = [];
  for (const q of queries) {
    const started = performance.now();
    vectors.set(q.id, await embedder.embedQuery(q.text));
    times.push(performance.now() - started);
  }
  return { vectors, latency: summarizeLatencies(times) };
}

export interface RunModeInput {
  engine: KnowledgeBaseEngine;
  kb: string;
  queries: readonly JudgedQuery[];
  vectors: ReadonlyMap<string, Float32Array>;
  /** True when chunks are smaller than documents, so more than one page may be needed for 100 documents. */
  chunked: boolean;
  perQuery: boolean;
}

export async function runMode(mode: EvalMode, input: RunModeInput): Promise<ModeResult> {
  const { queries } = input;
  for (const q of queries.slice(0, WARMUP_QUERIES))
    await rankDocuments(mode, q, input).catch(() => undefined);
  const scores: QueryScores[] = [];
  const perQuery: PerQueryResult[] = [];
  const times: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  for (const q of queries) {
    let ranking: string[] = [];
    const started = performance.now();
    try {
      ranking = await rankDocuments(mode, q, input);
      times.push(performance.now() - started);
    } catch (error) {
      errors++;
      firstError ??= `query ${q.id}: ${isEngineError(error) ? engineErrorText(error) : (error as Error).message}`;
    }
    const score = scoreQuery(ranking, q.judgements);
    scores.push(score);
    if (input.perQuery) perQuery.push({ queryId: q.id, ...score, top10: ranking.slice(0, 10) });
  }
  return {
    mode: mode.name,
    ...meanScores(scores),
    latency: summarizeLatencies(times),
    errors,
    ...(firstError === undefined ? {} : { firstError }),
    ...(input.perQuery ? { perQuery } : {}),
  };
}

/** The query's document ranking: chunks in engine order, each document at its best chunk's place. */
async function rankDocuments(mode: EvalMode, query: JudgedQuery, input: RunModeInput): Promise<string[]> {
  const request: SearchRequest = { kb: input.kb, mode: mode.mode, limit: PAGE_SIZE };
  if (mode.mode !== 'vector') request.text = query.text;
  if (mode.mode !== 'lexical') request.vector = input.vectors.get(query.id);
  if (mode.fusion) request.fusion = mode.fusion;
  const documentIds: string[] = [];
  for (let page = 0; page < (input.chunked ? MAX_PAGES : 1); page++) {
    const response = await input.engine.search({ ...request, offset: page * PAGE_SIZE });
    // A chunk whose exact text other documents also hold stands for them too, at its place.
    for (const hit of response.results) {
      documentIds.push(hit.documentId, ...(hit.duplicates ?? []).map((d) => d.documentId));
    }
    const distinct = documentRanking(documentIds, query.id).length;
    if (response.results.length < PAGE_SIZE || distinct >= PAGE_SIZE) break;
  }
  return documentRanking(documentIds, query.id);
}
