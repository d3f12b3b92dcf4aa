// Data dirs written by older versions still open and search, and their first write migrates them: the first
// chunk schema (no ordinal, hash, heading path or lines) and the two-field BM25 layout (no search_text).
import * as lancedb from '@lancedb/lancedb';
import { Field, FixedSizeList, Float32, Int32, Schema, TimestampMillisecond, Utf8 } from 'apache-arrow';
import { afterEach, describe, expect, it } from 'vitest';
import { openEngine } from '../../../src/engine/index.js';
import { rowsToArrow } from '../../../src/engine/storage/arrow-rows.js';
import type { KnowledgeBaseEngine } from '../../../src/engine/index.js';
import { animalCorpus, openTestEngine, type TestEngine } from '../../helpers/engine.js';
import { KeywordEmbedder } from '../../helpers/keyword-embedder.js';
import { rewriteAsTwoFieldLayout, tableLayout } from '../../helpers/old-layout.js';

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

const ZEBRAS = [
  { chunkId: 'z1', documentId: 'dz', title: 'Zebra field notes', content: 'stripes seen on the savanna' },
  { chunkId: 'z2', documentId: 'dz', content: 'a zebra crossing in town' },
  { chunkId: 'z3', documentId: 'dg', title: 'Garden', content: 'roses and tulips' },
];

/** A KB whose generation 1 table has the two-field BM25 layout (0.2), then an engine open on it. */
async function twoFieldKb(): Promise<TestEngine> {
  const made = await openTestEngine();
  await made.engine.upsertChunks('docs', ZEBRAS);
  await made.engine.close();
  await rewriteAsTwoFieldLayout(made.dir.path, 'kb-docs-g1', 17);
  const kb: TestEngine = {
    engine: await openEngine({ dataDir: made.dir.path, embedder: new KeywordEmbedder() }),
    dir: made.dir,
    close: async () => {
      await kb.engine.close();
      await made.dir.remove();
    },
  };
  return kb;
}

async function lexicalIds(engine: KnowledgeBaseEngine, text: string): Promise<string[]> {
  const found = await engine.search({ kb: 'docs', mode: 'lexical', text, limit: 10 });
  return found.results.map((r) => r.chunkId).sort();
}

async function storedSearchText(dataDir: string): Promise<Record<string, unknown>> {
  const db = await lancedb.connect(dataDir);
  const table = await db.openTable('kb-docs-g1');
  const rows = await table.query().select(['chunk_id', 'search_text']).toArray();
  table.close();
  return Object.fromEntries(rows.map((r) => [r.chunk_id as string, r.search_text as unknown]));
}

describe('a data dir written with title and content as two BM25 fields', () => {
  it('searches both fields until the first write, which moves it to the one search_text field', async () => {
    t = await twoFieldKb();
    const { engine, dir } = t;
    expect(await lexicalIds(engine, 'zebra')).toEqual(['z1', 'z2']); // z1 by its title only
    expect(await lexicalIds(engine, 'savanna')).toEqual(['z1']);
    // Reading never changes the table.
    const before = await tableLayout(dir.path, 'kb-docs-g1');
    expect(before.columns).not.toContain('search_text');
    expect(before.indexed).toEqual(['chunk_id', 'content', 'document_id', 'title']);

    await engine.upsertChunks('docs', [
      { chunkId: 'z4', documentId: 'dz', title: 'Zebra herd', content: 'grazing animals' },
    ]);
    const after = await tableLayout(dir.path, 'kb-docs-g1');
    expect(after.columns).toContain('search_text');
    expect(after.indexed).toEqual(['chunk_id', 'document_id', 'search_text']);
    // Old rows were backfilled exactly as new rows are written.
    expect(await storedSearchText(dir.path)).toEqual({
      z1: 'Zebra field notes\nstripes seen on the savanna',
      z2: 'a zebra crossing in town',
      z3: 'Garden\nroses and tulips',
      z4: 'Zebra herd\ngrazing animals',
    });
    expect(await lexicalIds(engine, 'zebra')).toEqual(['z1', 'z2', 'z4']);
    expect(await lexicalIds(engine, 'garden')).toEqual(['z3']);
    // Results and snippets come from content, never from the combined field.
    const hit = (await engine.search({ kb: 'docs', mode: 'lexical', text: 'zebra savanna', limit: 1 }))
      .results[0]!;
    expect(hit).toMatchObject({ chunkId: 'z1', content: 'stripes seen on the savanna' });
    expect(hit.snippet).not.toContain('Zebra');
    expect(hit.citation.title).toBe('Zebra field notes');
  });

  it('a migration cut short after any of its commits searches correctly, and the next write finishes it', async () => {
    // Each Lance commit is atomic, so a SIGKILL leaves one of these states (test/reliability has the real kill).
    for (const cut of ['column added', 'new index built'] as const) {
      t = await twoFieldKb();
      await t.engine.close();
      const db = await lancedb.connect(t.dir.path);
      const table = await db.openTable('kb-docs-g1');
      await table.addColumns([{ name: 'search_text', valueSql: 'concat_ws(chr(10), title, content)' }]);
      if (cut === 'new index built')
        await table.createIndex('search_text', { config: lancedb.Index.fts({ withPosition: false }) });
      table.close();
      t.engine = await openEngine({ dataDir: t.dir.path, embedder: new KeywordEmbedder() });
      expect(await lexicalIds(t.engine, 'zebra'), cut).toEqual(['z1', 'z2']);
      expect(await lexicalIds(t.engine, 'tulips'), cut).toEqual(['z3']);

      await t.engine.upsertChunks('docs', [{ chunkId: 'z5', documentId: 'dz', content: 'zebra foal' }]);
      expect((await tableLayout(t.dir.path, 'kb-docs-g1')).indexed, cut).toEqual([
        'chunk_id',
        'document_id',
        'search_text',
      ]);
      expect(await lexicalIds(t.engine, 'zebra'), cut).toEqual(['z1', 'z2', 'z5']);
      await t.close();
      t = undefined;
    }
  });
});
