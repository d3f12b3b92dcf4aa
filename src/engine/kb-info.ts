// Read-only views of knowledge bases and generations, with live chunk counts and bytes from LanceDB.
import { kbNotFound, type EngineContext } from './context.js';
import { onStorage, storageError } from './errors.js';
import type { GenerationRecord } from './storage/catalog.js';
import { tableStats } from './storage/generation-tables.js';
import type { GenerationInfo, GenerationStatus, KnowledgeBaseDetail, KnowledgeBaseInfo } from './types.js';
import { validateKbName } from './validation.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/**
 * Live size of a generation. One being garbage-collected is not opened (its table may be half gone), and a
 * table GC drops while this reads counts as empty rather than failing the whole listing.
 */
async function liveStats(
  ctx: EngineContext,
  record: GenerationRecord,
): Promise<{ chunkCount: number; bytes: number }> {
  if (record.status === 'marked_for_deletion') return { chunkCount: 0, bytes: 0 };
  try {
    return await tableStats(await ctx.tables.open(record.tableName));
  } catch (error) {
    const now = ctx.catalog.get(record.kb, record.generation);
    if (!now || now.status === 'marked_for_deletion') return { chunkCount: 0, bytes: 0 };
    throw storageError(`reading the generations of "${record.kb}"`, error);
  }
}

async function generationInfo(ctx: EngineContext, record: GenerationRecord): Promise<GenerationInfo> {
  const stats = await liveStats(ctx, record);
  return {
    kb: record.kb,
    generation: record.generation,
    status: record.status as GenerationStatus,
    createdAt: new Date(record.createdAt).toISOString(),
    promotedAt: iso(record.promotedAt),
    archivedAt: iso(record.archivedAt),
    chunkCount: stats.chunkCount,
    bytes: stats.bytes,
    embedding: record.embedding,
    metric: record.metric,
    indexConfig: record.indexConfig,
    fusionCalibration: record.fusionCalibration,
    promotedEpoch: record.promotedEpoch,
    archivedEpoch: record.archivedEpoch,
  };
}

export async function listGenerations(ctx: EngineContext, kbInput: string): Promise<GenerationInfo[]> {
  const kb = validateKbName(kbInput);
  const records = ctx.catalog.generations(kb);
  if (records.length === 0) throw kbNotFound(ctx, kb);
  return Promise.all(records.map((r) => generationInfo(ctx, r)));
}

async function summary(
  ctx: EngineContext,
  kb: string,
  generations: GenerationInfo[],
): Promise<KnowledgeBaseInfo> {
  const active = generations.find((g) => g.status === 'active');
  return {
    name: kb,
    activeGeneration: active?.generation ?? null,
    epoch: ctx.catalog.epoch(kb),
    chunkCount: active?.chunkCount ?? 0,
    bytes: generations.reduce((sum, g) => sum + g.bytes, 0),
    embedding: active?.embedding ?? null,
    metric: active?.metric ?? null,
    createdAt: generations[0]?.createdAt ?? new Date().toISOString(),
    generations: generations.length,
  };
}

export async function listKnowledgeBases(ctx: EngineContext): Promise<KnowledgeBaseInfo[]> {
  return Promise.all(
    ctx.catalog.knowledgeBases().map(async (kb) => summary(ctx, kb, await listGenerations(ctx, kb))),
  );
}

export async function describeKnowledgeBase(
  ctx: EngineContext,
  kbInput: string,
): Promise<KnowledgeBaseDetail> {
  const kb = validateKbName(kbInput);
  const generations = await listGenerations(ctx, kb);
  const base = await summary(ctx, kb, generations);
  const active = ctx.catalog.active(kb);
  const reading = `reading the indexes of "${kb}"`;
  const table = active ? await onStorage(reading, () => ctx.tables.open(active.tableName)) : undefined;
  const indexes = table
    ? (await onStorage(reading, () => table.listIndices())).map((i) => {
        const extra = i as unknown as { numIndexedRows?: number; numUnindexedRows?: number };
        return {
          name: i.name,
          type: i.indexType,
          columns: i.columns,
          indexedRows: Number(extra.numIndexedRows ?? 0),
          unindexedRows: Number(extra.numUnindexedRows ?? 0),
        };
      })
    : [];
  return { ...base, indexConfig: active?.indexConfig ?? null, indexes, generationList: generations };
}
