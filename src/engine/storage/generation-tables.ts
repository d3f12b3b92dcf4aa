// One LanceDB table per generation: naming, cached handles, creation with its indexes, stats, drop.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Index, type Connection, type Table } from '@lancedb/lancedb';
import { EngineError, storageError } from '../errors.js';
import type { IndexConfig, Metric } from '../types.js';
import { backfillSql, LATER_COLUMNS, LEXICAL_COLUMN, RESULT_COLUMNS } from './chunk-fields.js';
import { chunkSchema } from './chunk-schema.js';

/** `kb-<kb>-g<n>`: KB names cannot contain upper case or start with `_`, so no clash with `_catalog`. */
export function generationTableName(kb: string, generation: number): string {
  return `kb-${kb}-g${generation}`;
}

export { LEXICAL_COLUMN } from './chunk-fields.js';
/**
 * The BM25 fields of tables written before `search_text` (two fields queried together). Such a table is
 * searched this way until its first write migrates it; the migration then drops these indexes.
 */
export const LEGACY_LEXICAL_COLUMNS = ['content', 'title'] as const;
export const VECTOR_INDEX_NAME = 'embedding_idx';

export interface TableStats {
  chunkCount: number;
  /** Data files plus index files, as LanceDB reports them (works on object storage too). */
  bytes: number;
}

/** Keeps one open handle per table: opening a LanceDB table reads its manifest, so reuse it. */
export class GenerationTables {
  private readonly handles = new Map<string, Promise<Table | undefined>>();

  /** @param localRoot the data directory when it is a local path (for repairing half-deleted tables). */
  constructor(
    private readonly db: Connection,
    private readonly localRoot?: string,
  ) {}

  /** The table, or undefined when the generation has never been written. */
  open(name: string): Promise<Table | undefined> {
    let handle = this.handles.get(name);
    if (!handle) {
      handle = this.db.openTable(name).catch((error: unknown) => {
        this.handles.delete(name);
        if (/not found|does not exist|was not found/i.test(String(error))) return undefined;
        throw storageError(`opening table ${name}`, error);
      });
      this.handles.set(name, handle);
    }
    return handle;
  }

  /**
   * Creates the table (or opens one a crashed earlier attempt left) with its BM25 and id indexes, which
   * LanceDB builds fine on an empty table and then keeps usable: unindexed rows are searched flat.
   */
  async create(name: string, dimension: number): Promise<Table> {
    const existing = await this.open(name);
    if (existing) {
      const existingDim = await embeddingDimension(existing);
      if (existingDim === dimension) {
        // Columns first (an index may need a new one), then indexes: a crash between creating the table and
        // its indexes, or in the middle of a migration, leaves some missing, and they are added now.
        await ensureChunkColumns(existing);
        await ensureBaseIndexes(existing);
        return existing;
      }
      // Never drop data to make room: this table belongs to a generation the catalog records.
      throw new EngineError(
        'INVALID_STATE',
        `table ${name} holds ${existingDim}-d vectors but its generation expects ${dimension}-d; ` +
          'create a new generation instead of writing to this one',
      );
    }
    try {
      const table = await this.db.createEmptyTable(name, chunkSchema(dimension), { existOk: true });
      await ensureBaseIndexes(table);
      this.handles.set(name, Promise.resolve(table));
      return table;
    } catch (error) {
      this.handles.delete(name);
      throw storageError(`creating table ${name}`, error);
    }
  }

  /**
   * Drops a table. The cached handle is forgotten but not closed: a listing may still be reading through it,
   * and closing a native handle under a reader crashed the process. A directory a crash left half-deleted
   * (LanceDB can no longer open or drop it) is removed directly when the storage is a local directory.
   */
  async drop(name: string): Promise<void> {
    this.handles.delete(name);
    try {
      await this.db.dropTable(name);
    } catch (error) {
      if (/not found|does not exist|was not found/i.test(String(error))) return;
      if (this.localRoot === undefined) throw storageError(`dropping table ${name}`, error);
      await rm(join(this.localRoot, `${name}.lance`), { recursive: true, force: true }).catch(
        (rmError: unknown) => {
          throw storageError(`dropping table ${name}`, rmError);
        },
      );
    }
  }

  /**
   * Moves the cached handles of `kb`'s tables to their newest version. A writer calls it once it holds the
   * KB's lease: a handle may lag other processes' commits by the staleness bound, and compacting or copying
   * from an old version can meet files another process's cleanup already removed.
   */
  async followLatest(kb: string): Promise<void> {
    const prefix = `kb-${kb}-g`;
    const handles = [...this.handles.entries()]
      .filter(([name]) => name.startsWith(prefix))
      .map(([, handle]) => handle);
    await Promise.all(
      handles.map(async (handle) => {
        const table = await handle.catch(() => undefined);
        await table?.checkoutLatest().catch(() => undefined); // a dropped table fails its next real use instead
      }),
    );
  }

  async tableNames(): Promise<string[]> {
    return this.db.tableNames();
  }

  closeAll(): void {
    for (const handle of this.handles.values()) void handle.then((t) => t?.close()).catch(() => undefined);
    this.handles.clear();
  }
}

/**
 * Adds the chunk fields a table written by an older version lacks, in one commit: plain fields filled with
 * nulls (metadata only in Lance), derived ones (search_text) computed from the row (their column is written).
 * Writers call it before their first write; readers never change a table and read missing columns as null
 * instead (see readableResultColumns).
 */
export async function ensureChunkColumns(table: Table): Promise<void> {
  const present = new Set((await table.schema()).fields.map((f) => f.name));
  const missing = LATER_COLUMNS.filter((f) => !present.has(f.column));
  if (missing.length === 0) return;
  await table.addColumns(missing.map((f) => ({ name: f.column, valueSql: backfillSql(f) })));
}

/** What searches of one table version need to know about its layout. */
export interface ReadableLayout {
  /** RESULT_COLUMNS this table has (an old table lacks the later ones until its next write). */
  columns: string[];
  /**
   * `combined`: BM25 over `search_text`; `fields`: a table not migrated yet (or whose migration a crash cut
   * short before the new index committed), searched over its two indexed fields as before.
   */
  lexical: 'combined' | 'fields';
}

const layoutCache = new WeakMap<Table, { version: number; layout: ReadableLayout }>();

/**
 * The table's layout, read once per version (schema and index list both come from the manifest). Pass
 * `version` when it was just read, to save a round trip into LanceDB.
 */
export async function readableLayout(table: Table, version?: number): Promise<ReadableLayout> {
  version ??= await table.version();
  const known = layoutCache.get(table);
  if (known && known.version === version) return known.layout;
  const [schema, indexes] = await Promise.all([table.schema(), table.listIndices()]);
  const present = new Set(schema.fields.map((f) => f.name));
  const indexed = new Set(indexes.map((i) => i.columns.join(',')));
  const legacy = !indexed.has(LEXICAL_COLUMN) && LEGACY_LEXICAL_COLUMNS.every((c) => indexed.has(c));
  const layout: ReadableLayout = {
    columns: RESULT_COLUMNS.filter((c) => present.has(c)),
    lexical: legacy ? 'fields' : 'combined',
  };
  layoutCache.set(table, { version, layout });
  return layout;
}

/** RESULT_COLUMNS this table has (an old table lacks the later ones until its next write), per version. */
export async function readableResultColumns(table: Table, version?: number): Promise<string[]> {
  return (await readableLayout(table, version)).columns;
}

/**
 * The BM25 (search_text) and id (chunk_id, document_id) indexes every generation table carries. A table
 * migrated from the two-field layout loses its content and title BM25 indexes only once the search_text one
 * has committed, so a crash at any step leaves one complete lexical index to search, and the next write
 * finishes the job.
 */
async function ensureBaseIndexes(table: Table): Promise<void> {
  const indexes = await table.listIndices();
  const present = new Set(indexes.map((i) => i.columns.join(',')));
  if (!present.has(LEXICAL_COLUMN)) {
    await table.createIndex(LEXICAL_COLUMN, { config: Index.fts({ withPosition: false }), replace: true });
  }
  for (const column of ['chunk_id', 'document_id']) {
    if (!present.has(column)) await table.createIndex(column, { config: Index.btree(), replace: true });
  }
  // Dead weight once search_text is indexed: every optimize() would keep merging new rows into them.
  for (const index of indexes) {
    const column = index.columns.join(',');
    // Only the BM25 indexes of the old layout were ever built on these columns.
    if ((LEGACY_LEXICAL_COLUMNS as readonly string[]).includes(column)) await table.dropIndex(index.name);
  }
}

export async function tableStats(table: Table | undefined): Promise<TableStats> {
  if (!table) return { chunkCount: 0, bytes: 0 };
  const [stats, indexes] = await Promise.all([table.stats(), table.listIndices()]);
  const indexBytes = indexes.reduce(
    (sum, index) => sum + Number((index as { sizeBytes?: number }).sizeBytes ?? 0),
    0,
  );
  return { chunkCount: stats.numRows, bytes: stats.totalBytes + indexBytes };
}

/**
 * Brings every index up to date: optimize() merges rows written since the BM25, id and vector indexes were
 * built into them (and compacts small fragments). The vector index is (re)trained only when the table is at
 * or above the brute-force threshold and has none yet, or when its partitions were trained on fewer than
 * half of today's rows (they would no longer fit the data).
 */
export async function refreshIndexes(table: Table, metric: Metric, config: IndexConfig): Promise<void> {
  const rows = await table.countRows();
  const dimension = await embeddingDimension(table);
  if (config.type !== 'none' && dimension > 0 && rows >= config.bruteForceThreshold) {
    const current = (await table.listIndices()).find((i) => i.name === VECTOR_INDEX_NAME);
    const trainedOn = Number((current as { numIndexedRows?: number } | undefined)?.numIndexedRows ?? 0);
    if (!current || trainedOn < rows / 2) {
      await table.createIndex('embedding', {
        config: vectorIndex(metric, config, rows, dimension),
        replace: true,
        name: VECTOR_INDEX_NAME,
      });
    }
  }
  await table.optimize();
}

/** Width of the embedding column; 0 when there is none (a lexical-only generation). */
export async function embeddingDimension(table: Table): Promise<number> {
  const field = (await table.schema()).fields.find((f) => f.name === 'embedding');
  return (field?.type as { listSize?: number } | undefined)?.listSize ?? 0;
}

function vectorIndex(metric: Metric, config: IndexConfig, rows: number, dimension: number): Index {
  // About 4k rows per partition (LanceDB's guidance): with nprobes 20 a query scans ~80k PQ codes at any size.
  const numPartitions = config.numPartitions ?? Math.max(1, Math.round(rows / 4096));
  if (config.type === 'ivf_hnsw_sq') {
    return Index.hnswSq({
      distanceType: metric,
      numPartitions,
      ...(config.m !== undefined ? { m: config.m } : {}),
      ...(config.efConstruction !== undefined ? { efConstruction: config.efConstruction } : {}),
    });
  }
  if (config.type === 'auto' || config.type === 'ivf_rq') {
    // RaBitQ packs 8 dimensions per byte; other widths fall back to unquantized IVF.
    return dimension % 8 === 0
      ? Index.ivfRq({ distanceType: metric, numPartitions })
      : Index.ivfFlat({ distanceType: metric, numPartitions });
  }
  // IVF-PQ: 4 dimensions per sub-vector; dim/8 lost a third of recall@10 on clustered test data (0.68 vs 0.97).
  const numSubVectors = config.numSubVectors ?? largestDivisorAtMost(dimension, Math.max(1, dimension / 4));
  return Index.ivfPq({ distanceType: metric, numPartitions, numSubVectors });
}

/** PQ needs the dimension to split evenly into sub-vectors. */
function largestDivisorAtMost(n: number, limit: number): number {
  for (let d = Math.floor(limit); d > 1; d--) if (n % d === 0) return d;
  return 1;
}
