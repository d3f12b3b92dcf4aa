// A throwaway local LanceDB table that held-out calibration probes are searched in, and its clean-up.
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, Index, MatchQuery, type Table } from '@lancedb/lancedb';
import { Field, FixedSizeList, Float32, Schema, Utf8 } from 'apache-arrow';
import { rowsToArrow } from '../storage/arrow-rows.js';
import type { Metric } from '../types.js';
import { similarity } from './retrieve.js';

/** Prefix of the temporary directories; a directory older than STALE_MS was left by a killed process. */
export const PROBE_DIR_PREFIX = 'rag-studio-probes-';
/** Far above the calibration's time cap, so a live calibration's directory is never taken for a stale one. */
export const STALE_MS = 60 * 60 * 1000;

export interface ProbeRow {
  chunkId: string;
  /** What lexical search scores (title and content, as the KB's own lexical field). */
  text: string;
  vector: Float32Array;
}

/**
 * The rows of one calibration in a local table (never in the store: an `s3://` KB calibrates on local disk too),
 * searched the way the KB's generation tables are: BM25 over the text with the same tokenizer settings, and
 * exact vector search with the generation's metric, scores turned into similarities as retrieve.ts does.
 */
export class ProbeTable {
  private constructor(
    private readonly dir: string,
    private readonly table: Table,
    private readonly metric: Metric,
  ) {}

  static async create(rows: readonly ProbeRow[], dimension: number, metric: Metric): Promise<ProbeTable> {
    await removeStaleProbeDirs();
    const dir = await mkdtemp(join(tmpdir(), PROBE_DIR_PREFIX));
    try {
      const schema = new Schema([
        new Field('chunk_id', new Utf8(), false),
        new Field('text', new Utf8(), false),
        new Field('vector', new FixedSizeList(dimension, new Field('item', new Float32(), true)), false),
      ]);
      const db = await connect(dir);
      const table = await db.createTable(
        'probes',
        rowsToArrow(
          schema,
          rows.map((r) => ({ chunk_id: r.chunkId, text: r.text, vector: r.vector })),
        ),
      );
      await table.createIndex('text', { config: Index.fts({ withPosition: false }) });
      return new ProbeTable(dir, table, metric);
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
  }

  /** `depth` candidates of one side, best first, ties by chunk id (as the KB's own search orders them). */
  async search(
    side: { vector: Float32Array } | { text: string },
    depth: number,
  ): Promise<Array<{ id: string; score: number }>> {
    const found =
      'vector' in side
        ? (
            (await this.table
              .vectorSearch(side.vector)
              .distanceType(this.metric)
              .select(['chunk_id', '_distance'])
              .limit(depth)
              .toArray()) as Array<{ chunk_id: string; _distance: number }>
          ).map((r) => ({ id: r.chunk_id, score: similarity(this.metric, Number(r._distance)) }))
        : (
            (await this.table
              .query()
              .fullTextSearch(new MatchQuery(side.text, 'text'))
              .select(['chunk_id', '_score'])
              .limit(depth)
              .toArray()) as Array<{ chunk_id: string; _score: number }>
          ).map((r) => ({ id: r.chunk_id, score: Number(r._score) }));
    return found.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  async dispose(): Promise<void> {
    this.table.close();
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** Removes probe directories a killed process left behind (older than STALE_MS); errors are ignored. */
export async function removeStaleProbeDirs(now = Date.now()): Promise<void> {
  const root = tmpdir();
  const names = await readdir(root).catch(() => [] as string[]);
  for (const name of names) {
    if (!name.startsWith(PROBE_DIR_PREFIX)) continue;
    const path = join(root, name);
    const modified = await stat(path).then(
      (s) => s.mtimeMs,
      () => now,
    );
    if (now - modified > STALE_MS) await rm(path, { recursive: true, force: true }).catch(() => undefined);
  }
}
