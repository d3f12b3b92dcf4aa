// createGeneration: a new `building` generation, empty or filled with a copy of the active one.
import type { Table } from '@lancedb/lancedb';
import { underKbLock } from '../concurrency.js';
import { kbNotFound, requireWritable, type EngineContext } from '../context.js';
import { embedderSpace, isLexicalOnly } from '../embedding-space.js';
import { EngineError, storageError } from '../errors.js';
import { arg } from '../terms.js';
import type { GenerationRecord } from '../storage/catalog.js';
import { chunksToArrow, storedChunkFromRow, type StoredChunk } from '../storage/chunk-schema.js';
import {
  METRICS,
  type CreateGenerationOptions,
  type CreateGenerationResult,
  type Embedder,
  type EmbeddingSpace,
  type IndexConfig,
} from '../types.js';
import { validateKbName } from '../validation.js';
import { createBuilding } from './lifecycle.js';

export async function createGeneration(
  ctx: EngineContext,
  kbInput: string,
  options: CreateGenerationOptions = {},
): Promise<CreateGenerationResult> {
  requireWritable(ctx);
  const kb = validateKbName(kbInput);
  const metric = options.metric ?? undefined;
  if (metric !== undefined && !METRICS.includes(metric)) {
    throw new EngineError(
      'INVALID_INPUT',
      `metric must be one of ${METRICS.join(', ')}; got ${String(metric)}`,
    );
  }
  const indexConfig = mergeIndexConfig(ctx.settings.defaultIndexConfig, options.indexConfig);
  // Copying is heavy work; an empty generation is one catalog commit.
  return underKbLock(ctx, kb, options.copyFromActive === true, async () => {
    const active = ctx.catalog.active(kb);
    if (options.copyFromActive && !active) throw kbNotFound(ctx, kb);
    // A lexical-only generation copied while a model is configured is embedded on the way: the rebuild that
    // gives a KB started without a model its vectors.
    const embedWith = options.copyFromActive && isLexicalOnly(active?.embedding) ? ctx.embedder : undefined;
    if (options.copyFromActive && metric && active && metric !== active.metric && !embedWith) {
      throw new EngineError(
        'INVALID_INPUT',
        `${arg('copyFromActive')} copies ${active.metric} vectors; leave metric out, or create an empty generation`,
      );
    }
    const generation = ctx.catalog.nextGenerationNumber(kb);
    let record = createBuilding({
      kb,
      generation,
      now: Date.now(),
      embedding: options.copyFromActive ? (active?.embedding ?? null) : null,
      metric: metric ?? active?.metric ?? ctx.settings.defaultMetric,
      indexConfig,
    });
    // The copy comes first and the catalog record last: a copy that fails (a full disk) or a crash mid-copy
    // leaves no generation behind, only a table without a record, which is dropped here or by the next GC.
    let copied = 0;
    const source =
      options.copyFromActive && active?.embedding ? await ctx.tables.open(active.tableName) : undefined;
    if (source && embedWith) {
      const embedded = await copyEmbeddingIntoNewTable(ctx, source, record, embedWith);
      copied = embedded.copied;
      record = createBuilding({ ...record, now: record.createdAt, embedding: embedded.space });
    } else if (source) {
      copied = await copyIntoNewTable(ctx, source, record, active!.embedding!.dimension);
    }
    try {
      await ctx.catalog.commit([record]);
    } catch (error) {
      if (source) await ctx.tables.drop(record.tableName).catch(() => undefined);
      throw error;
    }
    const isNewKb = ctx.catalog.generations(kb).length === 1;
    if (isNewKb) ctx.emit({ type: 'kb_created', kb });
    ctx.emit({ type: 'generation_changed', kb, generation, status: 'building' });
    return { kb, generation, status: 'building' as const, copied };
  });
}

/**
 * Creates the generation's table and streams every row of `source` into it batch by batch, so memory stays
 * flat at any size. A table already under that name has no catalog record (generation numbers are never
 * reused), so it is what a crashed earlier copy left: it is dropped first. On failure the new table is dropped.
 */
async function copyIntoNewTable(
  ctx: EngineContext,
  source: Table,
  record: GenerationRecord,
  dimension: number,
): Promise<number> {
  const { kb, generation, tableName } = record;
  await ctx.tables.drop(tableName);
  let copied = 0;
  try {
    const target = await ctx.tables.create(tableName, dimension);
    // Rows are rebuilt with our own schema: LanceDB reads JSON columns back as binary, which it won't re-add.
    for await (const batch of source.query()) {
      if (batch.numRows === 0) continue;
      const rows = batch.toArray().map((row: Record<string, unknown>) => storedChunkFromRow(row));
      await target.add(chunksToArrow(rows, dimension));
      copied += batch.numRows;
    }
  } catch (error) {
    await ctx.tables.drop(tableName).catch(() => undefined);
    throw storageError(`copying the active generation into generation ${generation} of "${kb}"`, error);
  }
  return copied;
}

/**
 * Like copyIntoNewTable, but embeds every row's title and content with `embedder` on the way. The table is
 * created at the first batch, once the model (loaded by then) has told its width. Returns the new space,
 * or null when the source was empty (the first write will decide it).
 */
async function copyEmbeddingIntoNewTable(
  ctx: EngineContext,
  source: Table,
  record: GenerationRecord,
  embedder: Embedder,
): Promise<{ copied: number; space: EmbeddingSpace | null }> {
  const { kb, generation, tableName } = record;
  await ctx.tables.drop(tableName);
  let copied = 0;
  let dimension = 0;
  try {
    for await (const batch of source.query()) {
      if (batch.numRows === 0) continue;
      const rows: StoredChunk[] = batch
        .toArray()
        .map((row: Record<string, unknown>) => storedChunkFromRow(row));
      for (let start = 0; start < rows.length; start += ctx.settings.writeBatchSize) {
        const part = rows.slice(start, start + ctx.settings.writeBatchSize);
        const vectors = await embedder.embedDocuments(
          part.map((r) => (r.title ? `${r.title}\n${r.content}` : r.content)),
        );
        part.forEach((row, k) => (row.embedding = vectors[k]!));
        if (dimension === 0) dimension = vectors[0]!.length;
        const wrong = vectors.find((v) => v.length !== dimension);
        if (wrong)
          throw new EngineError(
            'DIMENSION_MISMATCH',
            `${embedder.id} returned ${wrong.length}-d and ${dimension}-d vectors`,
          );
        const target = await ctx.tables.create(tableName, dimension);
        await target.add(chunksToArrow(part, dimension));
        copied += part.length;
      }
    }
  } catch (error) {
    await ctx.tables.drop(tableName).catch(() => undefined);
    if (error instanceof EngineError) throw error;
    throw storageError(`embedding the active generation into generation ${generation} of "${kb}"`, error);
  }
  return { copied, space: copied === 0 ? null : { ...embedderSpace(embedder), dimension } };
}

export function mergeIndexConfig(base: IndexConfig, override: Partial<IndexConfig> | undefined): IndexConfig {
  const merged = { ...base, ...(override ?? {}) };
  const types = ['auto', 'none', 'ivf_rq', 'ivf_pq', 'ivf_hnsw_sq'];
  if (!types.includes(merged.type)) {
    throw new EngineError(
      'INVALID_INPUT',
      `index type must be one of ${types.join(', ')}; got ${String(merged.type)}`,
    );
  }
  for (const [key, value] of Object.entries(merged)) {
    if (key === 'type' || value === undefined) continue;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
      throw new EngineError(
        'INVALID_INPUT',
        `index setting ${key} must be a non-negative integer; got ${String(value)}`,
      );
    }
  }
  return merged;
}
