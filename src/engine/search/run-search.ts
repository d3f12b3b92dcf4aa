// search: resolve and pin one generation, run the vector and/or BM25 side on it, fuse, cut the page.
import { createHash } from 'node:crypto';
import { MultiMatchQuery, type Table } from '@lancedb/lancedb';
import { kbNotFound, requireGeneration, type EngineContext } from '../context.js';
import { EngineError, onStorage } from '../errors.js';
import type { GenerationRecord } from '../storage/catalog.js';
import { parseMetadata, RESULT_COLUMNS, toEpochMs } from '../storage/chunk-schema.js';
import { LEXICAL_COLUMNS, VECTOR_INDEX_NAME } from '../storage/generation-tables.js';
import type { Metric, SearchHit, SearchRequest, SearchResponse } from '../types.js';
import { validateKbName } from '../validation.js';
import { compileFilter } from './filter.js';
import { fuse } from './fusion.js';
import { checkSearchParams, planSides, type SearchParams } from './query-plan.js';
import { rerankDepth, rerankFused } from './rerank.js';
import { makeSnippet } from './snippet.js';

type Row = Record<string, unknown>;
interface Candidate {
  id: string;
  score: number;
  row: Row;
}

export async function search(ctx: EngineContext, request: SearchRequest): Promise<SearchResponse> {
  const started = performance.now();
  const kb = validateKbName(request.kb);
  const params = checkSearchParams(request, ctx.limits);
  const rerank = rerankDepth(request, ctx.reranker, params.text, params.limit + params.offset);
  const predicate =
    request.filter === undefined || request.filter === null
      ? undefined
      : compileFilter(request.filter, ctx.limits);
  const { record, unpin } = await resolveAndPin(ctx, kb, request.generation);
  const reading = `searching generation ${record.generation} of "${kb}"`;
  try {
    const plan = planSides(params, record, ctx.embedder);
    const table = await onStorage(reading, () => ctx.tables.open(record.tableName));
    const base = {
      kb,
      generation: record.generation,
      mode: plan.mode,
      fusion: plan.mode === 'hybrid' ? params.fusion.method : null,
    };
    if (!table || !record.embedding) {
      return {
        ...base,
        results: [],
        warnings: [...plan.warnings, 'the generation holds no chunks yet'],
        tookMs: elapsed(started),
        cached: false,
      };
    }
    const cacheKey = await onStorage(reading, () =>
      cacheKeyFor(table, record, params, plan.mode, predicate, rerank),
    );
    const hit = ctx.cache.get(cacheKey);
    if (hit) return { ...hit, cached: true, tookMs: elapsed(started) };

    const queryVector =
      plan.mode === 'lexical'
        ? undefined
        : (params.vector ?? (await plan.embedWith!.embedQuery(params.text!, request.signal)));
    if (queryVector && queryVector.length !== record.embedding.dimension) {
      throw new EngineError(
        'DIMENSION_MISMATCH',
        `generation ${record.generation} of "${kb}" stores ${record.embedding.dimension}-d vectors; the query vector has ${queryVector.length}`,
      );
    }
    const want = params.limit + params.offset;
    const candidates = Math.max(plan.mode === 'hybrid' ? 2 * want : want, rerank ?? 0);
    const [vectorSide, lexicalSide] = await onStorage(reading, () =>
      Promise.all([
        queryVector
          ? vectorCandidates(table, record, queryVector, candidates, predicate)
          : Promise.resolve([]),
        plan.mode !== 'vector'
          ? lexicalCandidates(table, params.text!, candidates, predicate)
          : Promise.resolve([]),
      ]),
    );
    const fused =
      plan.mode === 'hybrid'
        ? fuse(params.fusion, vectorSide, lexicalSide)
        : (plan.mode === 'vector' ? vectorSide : lexicalSide).map((c, i) => ({
            ...c,
            scores: plan.mode === 'vector' ? { vector: c.score } : { lexical: c.score },
            ranks: plan.mode === 'vector' ? { vector: i + 1 } : { lexical: i + 1 },
          }));
    const ranked =
      rerank === undefined
        ? fused
        : await rerankFused(ctx.reranker!, params.text!, fused, rerank, request.signal);
    const results = ranked
      .slice(params.offset, want)
      .map((f) => toHit(f.row, kb, record.generation, f.score, f.scores, f.ranks, params.text));
    const response: SearchResponse = { ...base, results, warnings: plan.warnings, tookMs: 0, cached: false };
    ctx.cache.set(cacheKey, response);
    return { ...response, tookMs: elapsed(started) };
  } finally {
    unpin();
  }
}

/**
 * Resolves the generation and pins it. The local pin is counted in the same tick as the resolution, so GC in
 * this process never drops it between the two. When the pin had to be published for other processes, their GC
 * may have marked the generation before it could see the pin: re-read the newest catalog, and if the generation
 * is going away, resolve again (GC marks before it looks at pins, so one of the two always sees the other).
 */
async function resolveAndPin(
  ctx: EngineContext,
  kb: string,
  generation: number | undefined,
): Promise<{ record: GenerationRecord; unpin: () => void }> {
  for (;;) {
    const record = resolveGeneration(ctx, kb, generation);
    const pin = await ctx.coordination.pin(kb, record.generation);
    if (!pin.published) return { record, unpin: pin.release };
    try {
      await ctx.catalog.follow(0);
    } catch (error) {
      pin.release();
      throw error;
    }
    const now = ctx.catalog.get(kb, record.generation);
    if (now && now.status !== 'marked_for_deletion') return { record: now, unpin: pin.release };
    pin.release(); // the refreshed snapshot resolves anew (or throws for an explicit generation now gone)
  }
}

function resolveGeneration(ctx: EngineContext, kb: string, generation: number | undefined): GenerationRecord {
  if (generation !== undefined) {
    if (!Number.isInteger(generation) || generation < 1) {
      throw new EngineError(
        'INVALID_INPUT',
        `generation must be a positive integer; got ${String(generation)}`,
      );
    }
    const record = requireGeneration(ctx, kb, generation);
    if (record.status === 'marked_for_deletion') {
      throw new EngineError(
        'GENERATION_NOT_FOUND',
        `generation ${generation} of "${kb}" is being garbage-collected`,
      );
    }
    return record;
  }
  const active = ctx.catalog.active(kb);
  if (active) return active;
  if (ctx.catalog.generations(kb).length === 0) throw kbNotFound(ctx, kb);
  throw new EngineError(
    'INVALID_STATE',
    `knowledge base "${kb}" has no active generation yet; pass generation to search a building one, or promote it`,
  );
}

/** Keyed by table version: any write or promotion changes the key, so the cache never serves stale hits. */
async function cacheKeyFor(
  table: Table,
  record: GenerationRecord,
  params: SearchParams,
  mode: string,
  predicate: string | undefined,
  rerank: number | undefined,
): Promise<string> {
  const vectorHash = params.vector
    ? createHash('sha1')
        .update(Buffer.from(params.vector.buffer, params.vector.byteOffset, params.vector.byteLength))
        .digest('base64')
    : null;
  return JSON.stringify([
    record.kb,
    record.generation,
    await table.version(),
    mode,
    params.text ?? null,
    vectorHash,
    params.limit,
    params.offset,
    predicate ?? null,
    params.fusion,
    rerank ?? null,
  ]);
}

/** Higher is better for every metric, so fusion and callers never care which metric ran. */
function similarity(metric: Metric, distance: number): number {
  if (metric === 'cosine') return 1 - distance;
  if (metric === 'dot') return -distance;
  return 1 / (1 + distance);
}

async function vectorCandidates(
  table: Table,
  record: GenerationRecord,
  vector: Float32Array,
  limit: number,
  predicate: string | undefined,
): Promise<Candidate[]> {
  let query = table
    .vectorSearch(vector)
    .column('embedding')
    .distanceType(record.metric)
    .select([...RESULT_COLUMNS, '_distance'])
    .limit(limit);
  const config = record.indexConfig;
  if (await hasIndex(table, VECTOR_INDEX_NAME)) {
    if (config.nprobes) query = query.nprobes(config.nprobes);
    if (config.refineFactor) query = query.refineFactor(config.refineFactor);
    if (config.ef) query = query.ef(config.ef);
  }
  // LanceDB applies `where` before the top-k (prefilter) for vector queries.
  if (predicate) query = query.where(predicate);
  const rows = (await query.toArray()) as Row[];
  return rows.map((row) => ({
    id: row.chunk_id as string,
    score: similarity(record.metric, Number(row._distance)),
    row,
  }));
}

async function lexicalCandidates(
  table: Table,
  text: string,
  limit: number,
  predicate: string | undefined,
): Promise<Candidate[]> {
  let query = table
    .query()
    .fullTextSearch(new MultiMatchQuery(text, [...LEXICAL_COLUMNS]))
    .select([...RESULT_COLUMNS, '_score'])
    .limit(limit);
  if (predicate) query = query.where(predicate);
  const rows = (await query.toArray()) as Row[];
  return rows.map((row) => ({ id: row.chunk_id as string, score: Number(row._score), row }));
}

const indexCache = new WeakMap<Table, { version: number; names: Set<string> }>();

/** listIndices reads the manifest; remember the answer per table version. */
async function hasIndex(table: Table, name: string): Promise<boolean> {
  const version = await table.version();
  let known = indexCache.get(table);
  if (!known || known.version !== version) {
    known = { version, names: new Set((await table.listIndices()).map((i) => i.name)) };
    indexCache.set(table, known);
  }
  return known.names.has(name);
}

function toHit(
  row: Row,
  kb: string,
  generation: number,
  score: number,
  scores: SearchHit['scores'],
  ranks: SearchHit['ranks'],
  text: string | undefined,
): SearchHit {
  const content = row.content as string;
  const nullable = (v: unknown) => (v === null || v === undefined ? null : (v as string));
  return {
    chunkId: row.chunk_id as string,
    documentId: row.document_id as string,
    kb,
    generation,
    score,
    scores,
    ranks,
    content,
    snippet: makeSnippet(content, text),
    metadata: parseMetadata(row.metadata),
    citation: {
      title: nullable(row.title),
      sourcePath: nullable(row.source_path),
      license: nullable(row.license),
      version: nullable(row.version),
      anchor: nullable(row.anchor),
      pageNumber: row.page_number === null || row.page_number === undefined ? null : Number(row.page_number),
    },
    createdAt: new Date(toEpochMs(row.created_at)).toISOString(),
    updatedAt: new Date(toEpochMs(row.updated_at)).toISOString(),
  };
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 100) / 100;
}
