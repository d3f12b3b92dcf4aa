// Rewrites a generation table as version 0.2 wrote it: every field but search_text, BM25 on content and title.
import * as lancedb from '@lancedb/lancedb';
import { Schema } from 'apache-arrow';
import { rowsToArrow } from '../../src/engine/storage/arrow-rows.js';
import { chunkSchema } from '../../src/engine/storage/chunk-schema.js';

/** The two-field layout: the same rows, without the combined column, indexed as before the migration. */
export async function rewriteAsTwoFieldLayout(
  dataDir: string,
  tableName: string,
  dimension: number,
): Promise<void> {
  const db = await lancedb.connect(dataDir);
  const current = await db.openTable(tableName);
  const rows = (await current.query().toArray()) as Array<Record<string, unknown>>;
  current.close();
  await db.dropTable(tableName);
  const schema = new Schema(chunkSchema(dimension).fields.filter((f) => f.name !== 'search_text'));
  const oldRows = rows.map(({ search_text: _dropped, ...r }) => ({
    ...r,
    ...(dimension > 0 ? { embedding: Float32Array.from(r.embedding as ArrayLike<number>) } : {}),
    created_at: Number(r.created_at),
    updated_at: Number(r.updated_at),
  }));
  const old = await db.createTable(tableName, rowsToArrow(schema, oldRows), { schema });
  for (const column of ['content', 'title']) {
    await old.createIndex(column, { config: lancedb.Index.fts({ withPosition: false }) });
  }
  for (const column of ['chunk_id', 'document_id']) {
    await old.createIndex(column, { config: lancedb.Index.btree() });
  }
  old.close();
  db.close();
}

/** Column names and the columns each index covers, as a table's manifest says now. */
export async function tableLayout(
  dataDir: string,
  tableName: string,
): Promise<{ columns: string[]; indexed: string[] }> {
  const db = await lancedb.connect(dataDir);
  const table = await db.openTable(tableName);
  try {
    return {
      columns: (await table.schema()).fields.map((f) => f.name),
      indexed: (await table.listIndices()).map((i) => i.columns.join(',')).sort(),
    };
  } finally {
    table.close();
    db.close();
  }
}
