// A data dir whose generation table was written with the first chunk schema (no ordinal, hash, heading path or
// lines) still opens and searches (missing fields read as null), and its first write adds the columns.
import * as lancedb from '@lancedb/lancedb';
import { Field, FixedSizeList, Float32, Int32, Schema, TimestampMillisecond, Utf8 } from 'apache-arrow';
import { afterEach, describe, expect, it } from 'vitest';
import { openEngine } from '../../../src/engine/index.js';
import { rowsToArrow } from '../../../src/engine/storage/arrow-rows.js';
import { animalCorpus, openTestEngine, type TestEngine } from '../../helpers/engine.js';
import { KeywordEmbedder } from '../../helpers/keyword-embedder.js';

/** The column set of every table written before chunk-fields.ts existed, spelled out as it was. */
function firstSchema(dimension: number): Schema {
  return new Schema([
    new Field('chunk_id', new Utf8(), false),
    new Field('document_id', new Utf8(), false),
    new Field('kb_id', new Utf8(), false),
    new Field('content', new Utf8(), false),
    new Field('title', new Utf8(), true),
    new Field('source_path', new Utf8(), true),
    new Field('license', new Utf8(), true),
    new Field('version', new Utf8(), true),
    new Field('anchor', new Utf8(), true),
    new Field('page_number', new Int32(), true),
    new Field('metadata', new Utf8(), true, new Map([['ARROW:extension:name', 'arrow.json']])),
    new Field('embedding', new FixedSizeList(dimension, new Field('item', new Float32(), true)), false),
    new Field('created_at', new TimestampMillisecond(), false),
    new Field('updated_at', new TimestampMillisecond(), false),
  ]);
}

let t: TestEngine | undefined;
afterEach(async () => t?.close());

describe('a data dir written with the first chunk schema', () => {
  it('searches with the new fields as null, and the first write migrates the table by adding them', async () => {
    t = await openTestEngine();
    await t.engine.upsertChunks('docs', animalCorpus());
    await t.engine.close();

    // Rewrite generation 1's table as an old version wrote it: same rows, the first column set, its indexes.
    const db = await lancedb.connect(t.dir.path);
    const current = await db.openTable('kb-docs-g1');
    const rows = (await current.query().toArray()) as Array<Record<string, unknown>>;
    current.close();
    await db.dropTable('kb-docs-g1');
    const schema = firstSchema(17);
    const oldRows = rows.map((r) => ({
      ...r,
      embedding: Float32Array.from(r.embedding as ArrayLike<number>),
      created_at: Number(r.created_at),
      updated_at: Number(r.updated_at),
    }));
    const old = await db.createTable('kb-docs-g1', rowsToArrow(schema, oldRows), { schema });
    for (const column of ['content', 'title']) {
      await old.createIndex(column, { config: lancedb.Index.fts({ withPosition: false }) });
    }
    for (const column of ['chunk_id', 'document_id']) {
      await old.createIndex(column, { config: lancedb.Index.btree() });
    }
    expect((await old.schema()).fields.map((f) => f.name)).not.toContain('ordinal');
    old.close();

    const engine = await openEngine({ dataDir: t.dir.path, embedder: new KeywordEmbedder() });
    t.engine = engine;
    const found = await engine.search({ kb: 'docs', mode: 'hybrid', text: 'cat', limit: 3 });
    expect(found.results[0]!.chunkId).toBe('c1');
    expect(found.results[0]).toMatchObject({ ordinal: null, contentHash: null });
    expect(found.results[0]!.citation).toMatchObject({
      headingPath: null,
      lineStart: null,
      sourcePath: '/docs/d1.md',
    });
    // Reading never changes the table: a read-only process may be the one opening it.
    const reopened = await lancedb.connect(t.dir.path);
    const table = await reopened.openTable('kb-docs-g1');
    expect((await table.schema()).fields.map((f) => f.name)).not.toContain('ordinal');

    await engine.upsertChunks('docs', [{ chunkId: 'c9', documentId: 'd9', content: 'A new cat arrives' }]);
    await table.checkoutLatest();
    const columns = (await table.schema()).fields.map((f) => f.name);
    expect(columns).toEqual(
      expect.arrayContaining(['ordinal', 'content_hash', 'heading_path', 'line_start', 'line_end']),
    );
    table.close();
    const after = await engine.search({ kb: 'docs', mode: 'lexical', text: 'cat', limit: 10 });
    const byId = new Map(after.results.map((r) => [r.chunkId, r]));
    expect(byId.get('c9')).toMatchObject({ ordinal: 0 });
    expect(byId.get('c9')!.contentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(byId.get('c1')).toMatchObject({ ordinal: null, contentHash: null });
  });
});
