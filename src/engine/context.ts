// The engine's shared state, handed to the free functions that implement each verb.
import { KeyedMutex, Semaphore, type KbLock } from './concurrency.js';
import { KbWriterLocks, type Coordination } from './coordination/coordination.js';
import { EngineError } from './errors.js';
import type { Catalog, GenerationRecord } from './storage/catalog.js';
import type { GenerationTables } from './storage/generation-tables.js';
import type { GoldenQueryStore } from './storage/golden-queries.js';
import { IndexMaintenance, type IndexMaintenanceOptions } from './storage/index-maintenance.js';
import { estimateResponseBytes, ResultCache } from './search/result-cache.js';
import type {
  Embedder,
  EngineEvent,
  EngineLimits,
  EngineLog,
  IndexConfig,
  Metric,
  Reranker,
  SearchResponse,
} from './types.js';

/** Defaults for settings the caller did not give. */
export interface ResolvedSettings {
  defaultMetric: Metric;
  defaultIndexConfig: IndexConfig;
  writeBatchSize: number;
  indexRefreshRows: number;
  indexIdleMs: number;
  gcIntervalSeconds: number;
  retentionEpochs: number;
  minAgeSeconds: number;
  buildingTtlSeconds: number;
  /** How old a process's view of the catalog and tables may get before a read checks the store (0: always). */
  stalenessMs: number;
  /** Lifetime of a cross-process lease or pin set without a heartbeat (how long a crashed holder blocks). */
  leaseTtlMs: number;
  /** Probe queries of each kind a fusion calibration draws (draw-probes.ts). */
  calibrationProbes: number;
}

export const DEFAULT_INDEX_CONFIG: IndexConfig = {
  type: 'auto',
  bruteForceThreshold: 50_000,
  nprobes: 20,
  // RaBitQ codes rank roughly; exact re-ranking of 40 × limit candidates kept recall@10 at 1.0 on 300k
  // clustered 384-d vectors where 10 × limit gave 0.92 (and 0.73 at 1M), for +0–3 ms.
  refineFactor: 40,
  m: 20,
  efConstruction: 300,
};

export interface EngineContext {
  catalog: Catalog;
  /** Each KB's golden queries (promotion gate); read from the newest store version on every use. */
  goldenQueries: GoldenQueryStore;
  tables: GenerationTables;
  embedder: Embedder | undefined;
  /** Reorders the top candidates of `rerank: true` searches; undefined when not configured. */
  reranker: Reranker | undefined;
  limits: EngineLimits;
  settings: ResolvedSettings;
  readOnly: boolean;
  /**
   * Serializes writes, generation changes and GC per KB, across every process on the store; the job runs on
   * a catalog brought to the newest version after the lock was taken. Searches never take it.
   */
  kbLocks: KbLock;
  /** Bounds concurrent heavy work: index builds, copies, GC, big upserts. */
  heavy: Semaphore;
  /** Cross-process leases (writer locks, the GC lease) and the generation pins of in-flight searches. */
  coordination: Coordination;
  indexMaintenance: IndexMaintenance;
  cache: ResultCache<SearchResponse>;
  emit(event: EngineEvent): void;
  log: EngineLog;
}

export function createContextParts(
  heavyConcurrency: number,
  cache: { size: number; maxBytes: number },
  indexMaintenance: IndexMaintenanceOptions,
  log: EngineLog,
  coordination: Coordination,
  catalog: Catalog,
  tables: GenerationTables,
) {
  const heavy = new Semaphore(heavyConcurrency);
  const kbLocks = new KbWriterLocks(new KeyedMutex(), coordination, async (kb) => {
    await catalog.follow(0);
    await tables.followLatest(kb);
  });
  return {
    kbLocks,
    heavy,
    coordination,
    indexMaintenance: new IndexMaintenance(heavy, kbLocks, indexMaintenance, log),
    cache: new ResultCache<SearchResponse>(cache.size, cache.maxBytes, estimateResponseBytes),
  };
}

/** KB names a KB_NOT_FOUND message lists; the rest are counted (500 names made a 3.6 KB message). */
const LISTED_KBS = 10;

/**
 * KB_NOT_FOUND with the existing KBs most like the requested name (longest shared prefix first), so an
 * agent can correct a typo, and the count of the others.
 */
export function kbNotFound(ctx: EngineContext, kb: string): EngineError {
  const existing = ctx.catalog.knowledgeBases();
  const shared = (name: string) => {
    let n = 0;
    while (n < name.length && n < kb.length && name[n] === kb[n]) n++;
    return n;
  };
  const listed = [...existing]
    .sort((a, b) => shared(b) - shared(a) || a.localeCompare(b))
    .slice(0, LISTED_KBS)
    .sort();
  const more =
    existing.length > listed.length
      ? ` and ${existing.length - listed.length} more (${existing.length} in all; rag-studio://knowledge-bases lists them)`
      : '';
  return new EngineError(
    'KB_NOT_FOUND',
    `no knowledge base "${kb}"; existing: ${listed.length ? listed.join(', ') : '(none)'}${more}. ` +
      'Upsert chunks into a new name to create one.',
  );
}

export function requireGeneration(ctx: EngineContext, kb: string, generation: number): GenerationRecord {
  const record = ctx.catalog.get(kb, generation);
  if (record) return record;
  if (ctx.catalog.generations(kb).length === 0) throw kbNotFound(ctx, kb);
  const live = ctx.catalog
    .generations(kb)
    .map((g) => `${g.generation} (${g.status})`)
    .join(', ');
  throw new EngineError(
    'GENERATION_NOT_FOUND',
    `knowledge base "${kb}" has no generation ${generation}; it has: ${live}`,
  );
}

export function requireWritable(ctx: EngineContext): void {
  if (ctx.readOnly) {
    throw new EngineError('INVALID_STATE', 'the engine is read-only{setting}; writes are disabled', {
      setting: 'readOnly',
    });
  }
}
