// A throwaway local LanceDB table that held-out calibration probes are searched in, and its clean-up.
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, Index, MatchQuery, type Table } from '@lancedb/lancedb';
import { Field, Schema, Utf8 } from 'apache-arrow';
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
 * The rows of one calibration, searched the way the KB's generation tables are: BM25 over the text with the
 * same tokenizer settings in a local LanceDB table (never in the store: an `s3://` KB calibrates on local disk
 * too), and exact vector search with the generation's metric, scores turned into similarities as retrieve.ts
 * does. The vector side is scanned here in memory, as LanceDB's flat search computes it (exactDistance): the
 * rows are in memory already, and a LanceDB flat query took 20–65 ms on 150 to 5,000 rows of 384-d vectors on
 * a 2-core machine, where the in-memory scan takes a few ms.
 */
export class ProbeTable {
  private readonly norms: Float64Array;

  private constructor(
    private readonly dir: string,
    private readonly table: Table,
    private readonly metric: Metric,
    private readonly rows: readonly ProbeRow[],
  ) {
    this.norms = Float64Array.from(rows, (r) => Math.sqrt(dot(r.vector, r.vector)));
  }

  static async create(rows: readonly ProbeRow[], metric: Metric): Promise<ProbeTable> {
    const dir = await mkdtemp(join(tmpdir(), PROBE_DIR_PREFIX));
    try {
      const schema = new Schema([
        new Field('chunk_id', new Utf8(), false),
        new Field('text', new Utf8(), false),
      ]);
      const db = await connect(dir);
      const table = await db.createTable(
        'probes',
        rowsToArrow(
          schema,
          rows.map((r) => ({ chunk_id: r.chunkId, text: r.text })),
        ),
      );
      await table.createIndex('text', { config: Index.fts({ withPosition: false }) });
      return new ProbeTable(dir, table, metric, rows);
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
        ? this.nearest(side.vector)
        : (
            (await this.table
              .query()
              .fullTextSearch(new MatchQuery(side.text, 'text'))
              .select(['chunk_id', '_score'])
              .limit(depth)
              .toArray()) as Array<{ chunk_id: string; _score: number }>
          ).map((r) => ({ id: r.chunk_id, score: Number(r._score) }));
    return found
      .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .slice(0, depth);
  }

  /** Every row's similarity to `query`; rows without a cosine (a zero vector on either side) are left out, as LanceDB does. */
  private nearest(query: Float32Array): Array<{ id: string; score: number }> {
    const queryNorm = Math.sqrt(dot(query, query));
    const found: Array<{ id: string; score: number }> = [];
    for (const [i, row] of this.rows.entries()) {
      const distance = exactDistance(this.metric, query, row.vector, queryNorm, this.norms[i]!);
      if (!Number.isNaN(distance)) found.push({ id: row.chunkId, score: similarity(this.metric, distance) });
    }
    return found;
  }

  async dispose(): Promise<void> {
    this.table.close();
    await rm(this.dir, { recursive: true, force: true });
  }
}

/**
 * LanceDB's flat-search distance (checked against it in calibration.test.ts): cosine 1 − cos (NaN for a zero
 * vector), dot 1 − a·b, l2 the squared Euclidean distance; rounded to float32 as LanceDB computes it.
 */
export function exactDistance(
  metric: Metric,
  a: Float32Array,
  b: Float32Array,
  normA = Math.sqrt(dot(a, a)),
  normB = Math.sqrt(dot(b, b)),
): number {
  if (metric === 'l2') {
    let sum = 0;
    for (let i = 0; i < a.length; i++) sum += (a[i]! - b[i]!) ** 2;
    return Math.fround(sum);
  }
  const product = dot(a, b);
  if (metric === 'dot') return Math.fround(1 - product);
  return normA === 0 || normB === 0 ? NaN : Math.fround(1 - product / (normA * normB));
}

function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
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
