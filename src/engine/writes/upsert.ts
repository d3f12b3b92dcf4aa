// upsertChunks: validate everything, embed what needs it, then insert-or-replace by chunk_id in batches.
import type { Table } from '@lancedb/lancedb';
import { underKbLock } from '../concurrency.js';
import { requireWritable, type EngineContext } from '../context.js';
import { throwIfAborted } from '../embedding/abort.js';
import { checkWriteAgainstSpace, embedderSpace, isLexicalOnly, spaceForWrite } from '../embedding-space.js';
import { EngineError, storageError } from '../errors.js';
import { chunksToArrow, storedChunkFromInput, toEpochMs, type StoredChunk } from '../storage/chunk-schema.js';
import { sqlList } from '../storage/sql.js';
import type { ChunkInput, EmbeddingSpace, UpsertOptions, UpsertResult } from '../types.js';
import { assertChunksValid, assertNoZeroVectors, validateKbName } from '../validation.js';
import { withEmbeddingSpace } from '../generations/lifecycle.js';
import { firstGenerationRecord, resolveWriteTarget, type WriteTarget } from './write-target.js';

/**
 * Calls with more ids than this find the existing ones by scanning the id column once instead of asking
 * `chunk_id IN (…)`: rows not yet in the btree index (all of a building generation's until its seal) make the
 * IN lookup grow with ids × rows. At 700k unindexed rows: 10k ids 0.5 s, 50k ids 4.2 s by IN; 0.6 s by scan
 * whatever the number of ids. Few ids keep the IN lookup, which the index makes cheap on indexed rows.
 */
const SCAN_LOOKUP_FROM_IDS = 2_000;

export async function upsertChunks(
  ctx: EngineContext,
  kbInput: string,
  callerChunks: ChunkInput[],
  options: UpsertOptions = {},
): Promise<UpsertResult> {
  let chunks = callerChunks;
  const started = performance.now();
  requireWritable(ctx);
  const kb = validateKbName(kbInput);
  if (!Array.isArray(chunks) || chunks.length === 0) {
    throw new EngineError('INVALID_INPUT', '`chunks` must be a non-empty array of chunks');
  }
  assertChunksValid(chunks, ctx.limits);
  if (options.replaceDocuments) chunks = groupedByDocument(chunks);
  const heavy = chunks.length > ctx.settings.writeBatchSize;
  const result = await underKbLock(ctx, kb, heavy, async () => {
    const target = resolveWriteTarget(ctx, kb, options.generation);
    const metric = target.record?.metric ?? ctx.settings.defaultMetric;
    if (metric === 'cosine') assertNoZeroVectors(chunks, target.label);
    const { space, vectors } = await embedForTarget(ctx, target, chunks, options);
    const record = target.record
      ? target.record.embedding
        ? target.record
        : withEmbeddingSpace(target.record, space, Date.now())
      : firstGenerationRecord(ctx, kb, space);
    // The catalog learns the KB / the generation's space before its table exists (see generation-tables).
    if (record !== target.record) await ctx.catalog.commit([record]);
    if (!target.record) ctx.emit({ type: 'kb_created', kb });
    const table = await ctx.tables.create(record.tableName, space.dimension);
    const counts = await writeBatches(ctx, table, kb, chunks, vectors, options);
    ctx.indexMaintenance.schedule(record, table);
    return { kb, generation: record.generation, upserted: chunks.length, ...counts };
  });
  return { ...result, tookMs: Math.round(performance.now() - started) };
}

/** Computes vectors for chunks that did not bring one, after checking the target's embedding space. */
async function embedForTarget(
  ctx: EngineContext,
  target: WriteTarget,
  chunks: ChunkInput[],
  options: UpsertOptions,
): Promise<{ space: EmbeddingSpace; vectors: Float32Array[] }> {
  const supplied = chunks.filter((c) => c.embedding !== undefined);
  const suppliedDimension = supplied.length > 0 ? supplied[0]!.embedding!.length : null;
  const space = spaceForWrite(
    target.record?.embedding ?? null,
    suppliedDimension,
    supplied.length === chunks.length,
    ctx.embedder,
  );
  const missing = chunks.length - supplied.length;
  checkWriteAgainstSpace(space, suppliedDimension, missing > 0, ctx.embedder, target.label);

  const vectors: Float32Array[] = chunks.map((c) =>
    c.embedding ? Float32Array.from(c.embedding) : new Float32Array(0),
  );
  // A lexical-only generation stores text without vectors, whether or not a model is configured now.
  if (missing === 0 || isLexicalOnly(space)) return { space, vectors };
  const todo = chunks.map((c, i) => ({ c, i })).filter(({ c }) => c.embedding === undefined);
  const slice = ctx.settings.writeBatchSize;
  for (let start = 0; start < todo.length; start += slice) {
    throwIfAborted(options.signal, 'the upsert (while embedding; nothing was written)');
    const part = todo.slice(start, start + slice);
    const embedded = await ctx.embedder!.embedDocuments(
      part.map(({ c }) => c.embeddingText ?? (c.title ? `${c.title}\n${c.content}` : c.content)),
      options.signal,
    );
    part.forEach(({ i }, k) => (vectors[i] = embedded[k]!));
    options.onProgress?.({
      done: Math.min(start + slice, todo.length),
      total: todo.length + chunks.length,
      message: 'embedding',
    });
  }
  // A model's revision (file hash) and, for unknown models, its width are only known once it has loaded.
  const finalSpace = target.record?.embedding ?? embedderSpace(ctx.embedder!);
  const width = vectors.find((v) => v.length !== finalSpace.dimension)?.length;
  if (width !== undefined) {
    throw new EngineError(
      'DIMENSION_MISMATCH',
      `${target.label} stores ${finalSpace.dimension}-d vectors but ${ctx.embedder!.id} produced ${width}-d ones; ` +
        'create a new generation for this model and promote it',
    );
  }
  return { space: finalSpace, vectors };
}

async function writeBatches(
  ctx: EngineContext,
  table: Table,
  kb: string,
  chunks: ChunkInput[],
  vectors: Float32Array[],
  options: UpsertOptions,
): Promise<{ inserted: number; updated: number; deleted: number }> {
  const embeddedCount = chunks.filter((c) => c.embedding === undefined).length;
  const total = embeddedCount + chunks.length;
  // Ids are unique within a call (validated) and the KB lock keeps other writers out, so one lookup before
  // the first batch tells every batch which of its ids exist already (none, when the table is empty), and
  // where each document's stored chunks end (for the default ordinals).
  const continuing =
    !options.replaceDocuments && chunks.some((c) => c.ordinal === undefined || c.ordinal === null);
  let stored: StoredPositions;
  try {
    stored =
      (await table.countRows()) === 0 ? emptyPositions() : await storedPositions(table, chunks, continuing);
  } catch (error) {
    throw storageError(`looking up which of ${chunks.length} chunk ids exist`, error);
  }
  const existingAll = stored.createdAt;
  let inserted = 0;
  let updated = 0;
  let deleted = 0;
  const ordinals = options.replaceDocuments
    ? positionsWithinDocuments(chunks)
    : defaultOrdinals(chunks, stored);
  const batches = options.replaceDocuments
    ? wholeDocumentBatches(chunks, ctx.settings.writeBatchSize)
    : evenBatches(chunks.length, ctx.settings.writeBatchSize);
  for (const [start, end] of batches) {
    if (options.signal?.aborted) {
      throw new EngineError(
        'CANCELLED',
        `the upsert was cancelled after ${start} of ${chunks.length} chunks were written; upsert is ` +
          'idempotent, so send the same call again to finish',
      );
    }
    const batch = chunks.slice(start, end);
    // Never the same value twice in this process, so updated_at orders the writes of one engine.
    const now = monotonicNow();
    const rows: StoredChunk[] = batch.map((c, k) =>
      storedChunkFromInput(c, kb, vectors[start + k]!, now, ordinals[start + k]!),
    );
    const dimension = vectors[start]!.length;
    let replaced = 0;
    try {
      // One commit per batch, so a crash leaves a batch all written or not at all; a batch of new ids only
      // is a plain append.
      for (const row of rows) {
        const createdAt = existingAll.get(row.chunk_id);
        if (createdAt === undefined) continue;
        row.created_at = createdAt;
        replaced++;
      }
      const documentIds = options.replaceDocuments ? [...new Set(batch.map((c) => c.documentId))] : [];
      if (documentIds.length > 0 && (replaced > 0 || (await anyDocumentStored(table, documentIds)))) {
        // One commit writes the new chunks and removes the documents' other chunks: never both, never neither.
        const merged = await table
          .mergeInsert('chunk_id')
          .whenMatchedUpdateAll()
          .whenNotMatchedInsertAll()
          .whenNotMatchedBySourceDelete({ where: `document_id IN ${sqlList(documentIds)}` })
          .execute(chunksToArrow(rows, dimension));
        deleted += Number(merged.numDeletedRows ?? 0);
      } else if (replaced === 0) await table.add(chunksToArrow(rows, dimension));
      else {
        await table
          .mergeInsert('chunk_id')
          .whenMatchedUpdateAll()
          .whenNotMatchedInsertAll()
          .execute(chunksToArrow(rows, dimension));
      }
    } catch (error) {
      throw storageError(`writing chunks ${start}..${start + batch.length - 1} of ${chunks.length}`, error);
    }
    updated += replaced;
    inserted += batch.length - replaced;
    options.onProgress?.({ done: embeddedCount + start + batch.length, total, message: 'writing' });
  }
  return { inserted, updated, deleted };
}

/** Each chunk's position among the chunks of its document in the call: the default ordinal. */
function positionsWithinDocuments(chunks: ChunkInput[]): number[] {
  const seen = new Map<string, number>();
  return chunks.map((c) => {
    const position = seen.get(c.documentId) ?? 0;
    seen.set(c.documentId, position + 1);
    return position;
  });
}

/**
 * The default ordinal of each chunk (used only when it has none): a chunk replacing a stored chunk of the same
 * document keeps that chunk's ordinal; the others continue after the document's highest stored ordinal, in
 * the order given (so a document sent in several calls keeps the order of the calls).
 */
function defaultOrdinals(chunks: ChunkInput[], stored: StoredPositions): number[] {
  const seen = new Map<string, number>();
  return chunks.map((c) => {
    const previous = stored.chunks.get(c.chunkId);
    if (previous && previous.documentId === c.documentId && previous.ordinal !== null)
      return previous.ordinal;
    const position = seen.get(c.documentId) ?? 0;
    seen.set(c.documentId, position + 1);
    return (stored.nextOrdinal.get(c.documentId) ?? 0) + position;
  });
}

/** [start, end) slices of at most `size` chunks. */
function evenBatches(count: number, size: number): Array<[number, number]> {
  const batches: Array<[number, number]> = [];
  for (let start = 0; start < count; start += size) batches.push([start, Math.min(count, start + size)]);
  return batches;
}

/** The chunks with each document's chunks next to each other (documents in order of first appearance). */
function groupedByDocument(chunks: ChunkInput[]): ChunkInput[] {
  const groups = new Map<string, ChunkInput[]>();
  for (const c of chunks) {
    const group = groups.get(c.documentId);
    if (group) group.push(c);
    else groups.set(c.documentId, [c]);
  }
  return [...groups.values()].flat();
}

/**
 * Slices of grouped chunks that never split a document (a replace must be one commit per document): whole
 * documents are packed up to `size` chunks; a bigger document is a batch of its own.
 */
function wholeDocumentBatches(chunks: ChunkInput[], size: number): Array<[number, number]> {
  const batches: Array<[number, number]> = [];
  let start = 0;
  let k = 0;
  while (k < chunks.length) {
    let end = k;
    while (end < chunks.length && chunks[end]!.documentId === chunks[k]!.documentId) end++;
    if (end - start > size && k > start) {
      batches.push([start, k]);
      start = k;
    }
    k = end;
  }
  if (start < chunks.length) batches.push([start, chunks.length]);
  return batches;
}

/** True when any of the documents has a stored chunk (then a replace must also delete). */
async function anyDocumentStored(table: Table, documentIds: string[]): Promise<boolean> {
  const rows = await table
    .query()
    .where(`document_id IN ${sqlList(documentIds)}`)
    .select(['chunk_id'])
    .limit(1)
    .toArray();
  return rows.length > 0;
}

/** What is stored already for a call's chunks and documents. */
interface StoredPositions {
  /** created_at of the call's chunk ids that exist (kept on replace). */
  createdAt: Map<string, number>;
  /** Document and ordinal of the call's chunk ids that exist. */
  chunks: Map<string, { documentId: string; ordinal: number | null }>;
  /** Per document of the call: 1 + its highest stored ordinal (documents without any are absent). */
  nextOrdinal: Map<string, number>;
}

function emptyPositions(): StoredPositions {
  return { createdAt: new Map(), chunks: new Map(), nextOrdinal: new Map() };
}

/**
 * Looks up the call's stored chunks and, when `documents` (some chunk needs a default ordinal), the highest
 * ordinal of each of its documents. Few ids ask `IN (…)` (cheap on indexed rows); many scan the columns once.
 */
async function storedPositions(
  table: Table,
  chunks: ChunkInput[],
  documents: boolean,
): Promise<StoredPositions> {
  const found = emptyPositions();
  const ids = chunks.map((c) => c.chunkId);
  const documentIds = documents ? [...new Set(chunks.map((c) => c.documentId))] : [];
  const noteChunk = (row: Record<string, unknown>) => {
    found.createdAt.set(row.chunk_id as string, toEpochMs(row.created_at));
    found.chunks.set(row.chunk_id as string, {
      documentId: row.document_id as string,
      ordinal: row.ordinal === null || row.ordinal === undefined ? null : Number(row.ordinal),
    });
  };
  const noteOrdinal = (documentId: string, ordinal: unknown) => {
    if (ordinal === null || ordinal === undefined) return;
    const next = Number(ordinal) + 1;
    if (next > (found.nextOrdinal.get(documentId) ?? 0)) found.nextOrdinal.set(documentId, next);
  };
  const columns = ['chunk_id', 'document_id', 'created_at', 'ordinal'];
  if (ids.length < SCAN_LOOKUP_FROM_IDS) {
    const rows = await table
      .query()
      .where(`chunk_id IN ${sqlList(ids)}`)
      .select(columns)
      .toArray();
    for (const row of rows) noteChunk(row);
    if (documentIds.length > 0) {
      const ordinals = await table
        .query()
        .where(`document_id IN ${sqlList(documentIds)} AND ordinal IS NOT NULL`)
        .select(['document_id', 'ordinal'])
        .toArray();
      for (const row of ordinals) noteOrdinal(row.document_id as string, row.ordinal);
    }
    return found;
  }
  const wantedIds = new Set(ids);
  const wantedDocuments = new Set(documentIds);
  for await (const batch of table.query().select(columns)) {
    const column = (name: string) => batch.getChild(name);
    for (let i = 0; i < batch.numRows; i++) {
      const id = column('chunk_id')?.get(i) as string;
      const documentId = column('document_id')?.get(i) as string;
      const ordinal = column('ordinal')?.get(i) as unknown;
      if (wantedIds.has(id))
        noteChunk({
          chunk_id: id,
          document_id: documentId,
          created_at: column('created_at')?.get(i),
          ordinal,
        });
      if (wantedDocuments.has(documentId)) noteOrdinal(documentId, ordinal);
    }
  }
  return found;
}

let lastWriteMs = 0;

/** Date.now(), but never the same value twice in this process. */
function monotonicNow(): number {
  lastWriteMs = Math.max(Date.now(), lastWriteMs + 1);
  return lastWriteMs;
}
