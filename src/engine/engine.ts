// openEngine: connects LanceDB, loads the catalog, and exposes the engine's verbs as one object.
import { connect, type Connection } from '@lancedb/lancedb';
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
import { byOlderMethod, FusionCalibrator } from './search/auto-calibration.js';
import { CALIBRATION_PROBES, MAX_CALIBRATION_PROBES, MIN_PROBES } from './search/draw-probes.js';
import { removeStaleProbeDirs } from './search/probe-table.js';
import { search } from './search/run-search.js';
import { compareGenerations } from './evaluation/compare-generations.js';
import { getGoldenQueries, setGoldenQueries } from './evaluation/golden-queries.js';
import { runPromotionGate } from './evaluation/promotion-gate.js';
import { GoldenQueryStore } from './storage/golden-queries.js';
import { Coordination } from './coordination/coordination.js';
import { FileLeaseStore } from './coordination/file-lease-store.js';
import type { LeaseStore } from './coordination/lease-store.js';
import { TableLeaseStore } from './coordination/table-lease-store.js';
import { Catalog } from './storage/catalog.js';
import { GenerationTables } from './storage/generation-tables.js';
import type { EngineEvent, EngineOptions, GcReport, GenerationInfo, KnowledgeBaseEngine } from './types.js';
import { DEFAULT_LIMITS } from './validation.js';
import { deleteKnowledgeBase } from './documents/delete-knowledge-base.js';
import { listDocuments } from './documents/list-documents.js';
import { readChunks, readDocument } from './documents/read-chunks.js';
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
          '. Set the data directory to a writable one.',
        { cause: error, setting: 'dataDir' },
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

/**
 * Leases on a local disk are files created with O_EXCL (atomic on every local filesystem, microseconds); an
 * object store has no exclusive create that every S3-compatible server honours, so there they are rows of a
 * LanceDB table updated conditionally, which rides on Lance's own conditional commit. A read-only engine
 * takes no leases (it writes nothing, so its pins are not published either).
 */
async function openLeaseStore(
  db: Connection,
  dataDir: string,
  readOnly: boolean,
): Promise<LeaseStore | undefined> {
  if (readOnly) return undefined;
  if (isLocalPath(dataDir)) return new FileLeaseStore(dataDir);
  try {
    return await TableLeaseStore.open(db);
  } catch (error) {
    throw storageError('opening the lease table', error);
  }
}

function emptyGcReport(): GcReport {
  return {
    dryRun: false,
    deleted: [],
    kept: [],
    compacted: [],
    reclaimedBytes: 0,
    reclaimedBytesByKb: {},
    tookMs: 0,
  };
}

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
    stalenessMs: options.stalenessMs ?? 1000,
    leaseTtlMs: options.leaseTtlMs ?? 10_000,
    calibrationProbes: options.calibrationProbes ?? CALIBRATION_PROBES,
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
  if (settings.leaseTtlMs < 100) throw new EngineError('INVALID_INPUT', 'leaseTtlMs must be at least 100');
  if (settings.calibrationProbes < MIN_PROBES || settings.calibrationProbes > MAX_CALIBRATION_PROBES)
    throw new EngineError(
      'INVALID_INPUT',
      `calibrationProbes must be between ${MIN_PROBES} and ${MAX_CALIBRATION_PROBES}; got ${settings.calibrationProbes}`,
    );
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
    db = await connect(options.dataDir, {
      // Table handles check the store for other processes' commits at most this old (see stalenessMs).
      readConsistencyInterval: settings.stalenessMs / 1000,
      ...(options.storageOptions ? { storageOptions: options.storageOptions } : {}),
    });
  } catch (error) {
    throw storageError(`opening the data directory ${options.dataDir}`, error);
  }
  const catalog = await Catalog.open(db, readOnly, settings.stalenessMs);
  const goldenQueries = await GoldenQueryStore.open(db, readOnly);
  const coordination = new Coordination(
    await openLeaseStore(db, options.dataDir, readOnly),
    settings.leaseTtlMs,
    log,
  );
  const listeners = new Set<(event: EngineEvent) => void>();
  const limits = { ...DEFAULT_LIMITS, ...(options.limits ?? {}) };
  const tables = new GenerationTables(db, isLocalPath(options.dataDir) ? options.dataDir : undefined);
  const ctx: EngineContext = {
    catalog,
    goldenQueries,
    tables,
    embedder: options.embedder,
    reranker: options.reranker,
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
          catalog
            .generations(kb)
            .some((g) => g.tableName === tableName && g.status !== 'marked_for_deletion'),
        // fusionCalibrator is created once ctx exists; this hook only fires after a write, long after that.
        afterIdle: (record) => fusionCalibrator.schedule(record.kb, record.generation),
      },
      log,
      coordination,
      catalog,
      tables,
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
  const fusionCalibrator = new FusionCalibrator(ctx);
  // Probe tables a killed process left in the OS temp dir: looked for once per engine, not on every calibration
  // (the temp dir can hold tens of thousands of entries). Best effort, off the open path.
  if (!readOnly) void removeStaleProbeDirs().catch(() => undefined);
  const gcLoop = new GcLoop(
    readOnly ? 0 : settings.gcIntervalSeconds,
    // One process at a time runs the background GC; the others skip their tick.
    async () => (await coordination.tryHold('gc', () => collectGarbage(ctx, {}))) ?? emptyGcReport(),
    (error) => log('error', `background GC failed: ${String(error)}`),
  );
  gcLoop.start();
  let closed = false;

  const toInfo = async (kb: string, generation: number): Promise<GenerationInfo> =>
    (await listGenerations(ctx, kb)).find((g) => g.generation === generation)!;
  /** Reads see the store as of at most stalenessMs ago; writes start from its newest version. */
  const read = async <T>(job: () => Promise<T>): Promise<T> => {
    await catalog.follow();
    try {
      return await job();
    } catch (error) {
      // Not found in a snapshot up to stalenessMs old: another process may have just created it. Look once more.
      if (!(error instanceof EngineError) || !/^(KB|GENERATION)_NOT_FOUND$/.test(error.code)) throw error;
      await catalog.follow(0);
      return job();
    }
  };
  const write = async <T>(job: () => Promise<T>): Promise<T> => {
    if (!readOnly) await catalog.follow(0);
    return job();
  };

  return {
    dataDir: options.dataDir,
    limits: ctx.limits,
    readOnly,
    embedder: options.embedder,
    reranker: options.reranker,
    listKnowledgeBases: () => read(() => listKnowledgeBases(ctx)),
    describeKnowledgeBase: (kb) => read(() => describeKnowledgeBase(ctx, kb)),
    listGenerations: (kb) => read(() => listGenerations(ctx, kb)),
    upsertChunks: (kb, chunks, opts) => write(() => upsertChunks(ctx, kb, chunks, opts)),
    deleteChunks: (kb, request) => write(() => deleteChunks(ctx, kb, request)),
    listDocuments: (kb, opts) => read(() => listDocuments(ctx, kb, opts)),
    deleteKnowledgeBase: (kb) => write(() => deleteKnowledgeBase(ctx, kb)),
    createGeneration: (kb, opts) => write(() => createGeneration(ctx, kb, opts)),
    sealGeneration: (kb, generation) =>
      write(async () => {
        const sealed = await sealGeneration(ctx, kb, generation);
        return toInfo(sealed.kb, sealed.generation);
      }),
    promoteGeneration: (kb, generation, opts = {}) =>
      write(async () => {
        const gate = await runPromotionGate(ctx, kb, generation, opts);
        // The gate measured against one active generation; the switch refuses if another became active since.
        const result = await promoteGeneration(ctx, kb, generation, gate ? gate.baseGeneration : undefined);
        return { ...result, sealed: result.sealed || (gate?.sealed ?? false), gate };
      }),
    setGoldenQueries: (kb, request) =>
      write(async () => {
        const set = await setGoldenQueries(ctx, kb, request);
        fusionCalibrator.scheduleKb(set.kb);
        return set;
      }),
    getGoldenQueries: (kb) => read(() => getGoldenQueries(ctx, kb)),
    search: (request) =>
      read(async () => {
        const response = await search(ctx, request);
        // Hybrid ran on equal priors (this generation may have grown big enough to calibrate), or on weights an
        // older probe method measured: check it off this path.
        const weights = response.fusionWeights;
        if (
          weights?.source === 'uncalibrated' ||
          (weights && byOlderMethod(ctx.catalog.get(response.kb, response.generation)?.fusionCalibration))
        )
          fusionCalibrator.schedule(response.kb, response.generation, true);
        return response;
      }),
    readChunks: (kb, request) => read(() => readChunks(ctx, kb, request)),
    readDocument: (kb, request) => read(() => readDocument(ctx, kb, request)),
    compareGenerations: (request) => read(() => compareGenerations(ctx, request)),
    gc: (opts) => write(() => collectGarbage(ctx, opts)),
    gcLoopState: () => gcLoop.snapshot(),
    calibrationsSettled: () => fusionCalibrator.settled(),
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      if (closed) return;
      closed = true;
      await gcLoop.stop();
      await fusionCalibrator.close();
      // Let queued writes, promotions and GC finish before releasing the handles.
      await ctx.kbLocks.drain();
      await ctx.indexMaintenance.drain();
      await coordination.close();
      ctx.tables.closeAll();
      listeners.clear();
    },
  };
}
