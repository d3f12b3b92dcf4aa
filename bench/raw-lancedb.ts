// The baseline: the same queries straight on @lancedb/lancedb (same table, same indexes, RRF fused in JS),
// and exact (index-free) nearest neighbours as the ground truth of ANN recall.
import { connect, MatchQuery, type Connection, type Table } from '@lancedb/lancedb';
import { RESULT_COLUMNS } from '../src/engine/storage/chunk-schema.js';
import {
  generationTableName,
  LEXICAL_COLUMN,
  VECTOR_INDEX_NAME,
} from '../src/engine/storage/generation-tables.js';
import type { IndexConfig, KnowledgeBaseEngine } from '../src/engine/types.js';
import { BENCH_KB } from './engine-bench.js';
import { fuseRrfIds, type BenchMode, type BenchQuery, type SearchFn } from './query-timing.js';

export interface RawTable {
  table: Table;
  indexConfig: IndexConfig;
  /** True when the table has an ANN index (at or above the brute-force threshold). */
  indexed: boolean;
  /** LanceDB's index type, e.g. `IvfRq`, or null. */
  indexType: string | null;
  close(): void;
}

/** Opens the active generation's table through a connection of its own. */
export async function openRawTable(engine: KnowledgeBaseEngine, dataDir: string): Promise<RawTable> {
  const detail = await engine.describeKnowledgeBase(BENCH_KB);
  const active = detail.generationList.find((g) => g.status === 'active');
  if (!active) throw new Error('the bench KB has no active generation');
  const db: Connection = await connect(dataDir);
  const table = await db.openTable(generationTableName(BENCH_KB, active.generation));
  const vectorIndex = (await table.listIndices()).find((i) => i.name === VECTOR_INDEX_NAME);
  return {
    table,
    indexConfig: active.indexConfig,
    indexed: vectorIndex !== undefined,
    indexType: vectorIndex?.indexType ?? null,
    close: () => {
      table.close();
      db.close();
    },
  };
}

/** What a user of raw LanceDB would write for the engine's three modes (same columns, same candidate counts). */
export function rawSearch(raw: RawTable, limit = 10): SearchFn {
  const vectorIds = async (vector: Float32Array, k: number) => {
    let query = raw.table
      .vectorSearch(vector)
      .column('embedding')
      .distanceType('cosine')
      .select([...RESULT_COLUMNS, '_distance'])
      .limit(k);
    if (raw.indexed) {
      if (raw.indexConfig.nprobes) query = query.nprobes(raw.indexConfig.nprobes);
      if (raw.indexConfig.refineFactor) query = query.refineFactor(raw.indexConfig.refineFactor);
      if (raw.indexConfig.ef) query = query.ef(raw.indexConfig.ef);
    }
    return (await query.toArray()).map((row) => String(row.chunk_id));
  };
  const lexicalIds = async (text: string, k: number) =>
    (
      await raw.table
        .query()
        .fullTextSearch(new MatchQuery(text, LEXICAL_COLUMN))
        .select([...RESULT_COLUMNS, '_score'])
        .limit(k)
        .toArray()
    ).map((row) => String(row.chunk_id));
  return async (mode: BenchMode, q: BenchQuery) => {
    if (mode === 'vector') return vectorIds(q.vector, limit);
    if (mode === 'lexical') return lexicalIds(q.text, limit);
    const [v, l] = await Promise.all([vectorIds(q.vector, 2 * limit), lexicalIds(q.text, 2 * limit)]);
    return fuseRrfIds(v, l, limit);
  };
}

/** Exact top-k by cosine distance, bypassing any vector index. */
export async function exactNeighbours(raw: RawTable, vector: Float32Array, k = 10): Promise<string[]> {
  const rows = await raw.table
    .vectorSearch(vector)
    .column('embedding')
    .distanceType('cosine')
    .bypassVectorIndex()
    .select(['chunk_id', '_distance'])
    .limit(k)
    .toArray();
  return rows.map((row) => String(row.chunk_id));
}

/** Mean recall@k of `search`'s vector mode against exact neighbours. */
export async function recallAtK(
  raw: RawTable,
  search: SearchFn,
  queries: readonly BenchQuery[],
  k = 10,
): Promise<number> {
  let found = 0;
  for (const q of queries) {
    const truth = new Set(await exactNeighbours(raw, q.vector, k));
    found += (await search('vector', q)).slice(0, k).filter((id) => truth.has(id)).length;
  }
  return found / (queries.length * k);
}
