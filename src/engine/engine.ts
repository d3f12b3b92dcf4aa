// openEngine: connects LanceDB, loads the catalog, and exposes the engine's verbs as one object.
import { connect } from '@lancedb/lancedb';
import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import {
  createContextParts,
  DEFAULT_INDEX_CONFIG,
  type EngineContext,
  type ResolvedSettings,
} from './context.js';
import { EngineError, storageError } from './errors.js';
import { collectGarbage } from './gc/collect-garbage.js';
import { GcLoop } from './gc/gc-loop.js';
import { createGeneration, mergeIndexConfig } from './generations/create-generation.js';
import { promoteGeneration, sealGeneration } from './generations/promote.js';
import { describeKnowledgeBase, listGenerations, listKnowledgeBases } from './kb-info.js';
import { search } from './search/run-search.js';
import { Catalog } from './storage/catalog.js';
import { GenerationTables } from './storage/generation-tables.js';
import type { EngineEvent, EngineOptions, GenerationInfo, KnowledgeBaseEngine } from './types.js';
import { DEFAULT_LIMITS } from './validation.js';
import { deleteKnowledgeBase } from './documents/delete-knowledge-base.js';
import { listDocuments } from './documents/list-documents.js';
import { deleteChunks } from './writes/delete.js';
import { upsertChunks } from './writes/upsert.js';

/** True for a plain local path (LanceDB also takes s3://, gs://, az:// URIs, which need no mkdir). */
function isLocalPath(uri: string): boolean {
  return !/^[a-z][a-z0-9+.-]*:\/\//i.test(uri);
}

/**
 * mkdir -p, one level at a time from the deepest existing ancestor. Node's recursive mkdir is avoided on
 * purpose: under /proc it retries forever at full CPU, and on a read-only filesystem it says ENOENT instead
 * of EROFS. Creating each level alone gets the filesystem's own reason, at once.
 */
async function makeDataDir(path: string): Promise<void> {
  const missing: string[] = [];
  let current = resolve(path);
  while (!(await isDirectory(current))) {
    missing.unshift(current);
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  for (const dir of missing) {
    try {
      await mkdir(dir);
    } catch (error) {
      // Another process may have made it meanwhile; anything else is the filesystem's answer.
      if ((error as NodeJS.ErrnoException).code === 'EEXIST' && (await isDirectory(dir))) continue;
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      throw new EngineError(
        'STORAGE',
        `cannot create the data directory ${path}: creating ${dir} failed with ${code}` +
          (code === 'EROFS' || code === 'EACCES' || code === 'EPERM'
            ? ' (the filesystem is read-only or not writable by this user)'
            : code === 'ENOENT'
              ? ' (this filesystem does not allow new directories there)'
              : '') +
          '. Set RAG_STUDIO_DATA_DIR to a writable directory.',
        { cause: error },
      );
    }
  }
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

/** Quiet time after the last write before a table's new rows are indexed; bulk-load calls come faster. */
const DEFAULT_INDEX_IDLE_MS = 2_000;

function resolveSettings(options: EngineOptions): ResolvedSettings {
  const settings: ResolvedSettings = {
    defaultMetric: options.defaultMetric ?? 'cosine',
    defaultIndexConfig: mergeIndexConfig(DEFAULT_INDEX_CONFIG, options.defaultIndexConfig),
    writeBatchSize: options.writeBatchSize ?? 10_000,
    indexRefreshRows: options.indexRefreshRows ?? 5_000,
    indexIdleMs: options.indexIdleMs ?? DEFAULT_INDEX_IDLE_MS,
    gcIntervalSeconds: options.gcIntervalSeconds ?? 0,
    retentionEpochs: options.retentionEpochs ?? 2,
    minAgeSeconds: options.minAgeSeconds ?? 3600,
    buildingTtlSeconds: options.buildingTtlSeconds ?? 86_400,
  };
  for (const [key, value] of Object.entries(settings)) {
    if (typeof value === 'number' && (!Number.isInteger(value) || value < 0)) {
      throw new EngineError(
        'INVALID_INPUT',
        `engine option ${key} must be a non-negative integer; got ${value}`,
      );
    }
  }
  if (settings.writeBatchSize < 1)
    throw new EngineError('INVALID_INPUT', 'writeBatchSize must be at least 1');
  return settings;
}

export async function openEngine(options: EngineOptions): Promise<KnowledgeBaseEngine> {
  if (typeof options.dataDir !== 'string' || options.dataDir.length === 0) {
    throw new EngineError('INVALID_INPUT', 'dataDir must be a directory path or a LanceDB URI');
  }
  const settings = resolveSettings(options);
  const readOnly = options.readOnly ?? false;
  const log = options.log ?? (() => undefined);
  let db;
  try {
    if (isLocalPath(options.dataDir) && !readOnly) await makeDataDir(options.dataDir);
    db = await connect(options.dataDir);
  } catch (error) {
    throw storageError(`opening the data directory ${options.dataDir}`, error);
  }
  const catalog = await Catalog.open(db, readOnly);
  const listeners = new Set<(event: EngineEvent) => void>();
  const limits = { ...DEFAULT_LIMITS, ...(options.limits ?? {}) };
  const ctx: EngineContext = {
    db,
    catalog,
    tables: new GenerationTables(db, isLocalPath(options.dataDir) ? options.dataDir : undefined),
    embedder: options.embedder,
    limits,
    settings,
    readOnly,
    ...createContextParts(
      options.heavyConcurrency ?? 1,
      { size: options.searchCacheSize ?? 256, maxBytes: limits.maxSearchCacheBytes },
      {
        refreshRows: settings.indexRefreshRows,
        idleMs: settings.indexIdleMs,
        isLive: (kb, tableName) =>
          catalog.generations(kb).some((g) => g.tableName === tableName && g.status !== 'marked_for_deletion'),
      },
      log,
    ),
    emit(event) {
      for (const listener of listeners) {
        try {
          listener(event);
        } catch (error) {
          log('warning', 'an engine event listener threw', { error: String(error) });
        }
      }
    },
    log,
  };
  const gcLoop = new GcLoop(
    readOnly ? 0 : settings.gcIntervalSeconds,
    () => collectGarbage(ctx, {}),
    (error) => log('error', `background GC failed: ${String(error)}`),
  );
  gcLoop.start();
  let closed = false;

  const toInfo = async (kb: string, generation: number): Promise<GenerationInfo> =>
    (await listGenerations(ctx, kb)).find((g) => g.generation === generation)!;

  return {
    dataDir: options.dataDir,
    limits: ctx.limits,
    readOnly,
    embedder: options.embedder,
    listKnowledgeBases: () => listKnowledgeBases(ctx),
    describeKnowledgeBase: (kb) => describeKnowledgeBase(ctx, kb),
    listGenerations: (kb) => listGenerations(ctx, kb),
    upsertChunks: (kb, chunks, opts) => upsertChunks(ctx, kb, chunks, opts),
    deleteChunks: (kb, request) => deleteChunks(ctx, kb, request),
    listDocuments: (kb, opts) => listDocuments(ctx, kb, opts),
    deleteKnowledgeBase: (kb) => deleteKnowledgeBase(ctx, kb),
    createGeneration: (kb, opts) => createGeneration(ctx, kb, opts),
    sealGeneration: async (kb, generation) => {
      const sealed = await sealGeneration(ctx, kb, generation);
      return toInfo(sealed.kb, sealed.generation);
    },
    promoteGeneration: (kb, generation) => promoteGeneration(ctx, kb, generation),
    search: (request) => search(ctx, request),
    gc: (opts) => collectGarbage(ctx, opts),
    gcLoopState: () => gcLoop.snapshot(),
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      if (closed) return;
      closed = true;
      await gcLoop.stop();
      // Let queued writes, promotions and GC finish before releasing the handles.
      await ctx.kbLocks.drain();
      await ctx.indexMaintenance.drain();
      ctx.tables.closeAll();
      listeners.clear();
    },
  };
}
