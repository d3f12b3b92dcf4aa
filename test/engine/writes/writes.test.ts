// Upsert and delete against real LanceDB: idempotence, created_at, validation before write, mismatches.
import { readdir } from 'node:fs/promises';
import { connect } from '@lancedb/lancedb';
import { engineErrorText } from '../../../src/config/engine-error-text.js';
import { afterEach, describe, expect, it } from 'vitest';
import { animalCorpus, expectCode, openTestEngine, type TestEngine } from '../../helpers/engine.js';
import { KeywordEmbedder } from '../../helpers/keyword-embedder.js';

let t: TestEngine;
afterEach(async () => t?.close());

describe('upsertChunks', () => {
  it('creates the KB with generation 1 active on first write, and is idempotent by chunk_id', async () => {
    t = await openTestEngine();
    const first = await t.engine.upsertChunks('docs', animalCorpus());
    expect(first).toMatchObject({ kb: 'docs', generation: 1, upserted: 6, inserted: 6, updated: 0 });
    const kbs = await t.engine.listKnowledgeBases();
    expect(kbs).toHaveLength(1);
    expect(kbs[0]).toMatchObject({ name: 'docs', activeGeneration: 1, chunkCount: 6, epoch: 0 });
    expect(kbs[0]!.embedding).toMatchObject({ model: 'keyword-test', dimension: 17 });

    const before = await t.engine.search({ kb: 'docs', mode: 'lexical', text: 'cat', limit: 1 });
    await new Promise((r) => setTimeout(r, 15));
    const again = await t.engine.upsertChunks('docs', [
      { ...animalCorpus()[0]!, content: 'The cat is now a tiger cat' },
    ]);
    expect(again).toMatchObject({ upserted: 1, inserted: 0, updated: 1 });
    const after = await t.engine.search({ kb: 'docs', mode: 'lexical', text: 'tiger', limit: 5 });
    expect(after.results.map((r) => r.chunkId)).toEqual(['c1']);
    expect(after.results[0]!.createdAt).toBe(before.results[0]!.createdAt);
    expect(after.results[0]!.updatedAt > before.results[0]!.updatedAt).toBe(true);
    expect((await t.engine.listKnowledgeBases())[0]!.chunkCount).toBe(6);
  });

  it('writes each batch of new and replaced chunks as one commit, so a crash leaves it whole or absent', async () => {
    t = await openTestEngine({ indexRefreshRows: 0, writeBatchSize: 4 });
    await t.engine.upsertChunks('docs', animalCorpus());
    const db = await connect(t.dir.path);
    const table = await db.openTable('kb-docs-g1');
    try {
      const before = await table.version();
      // 3 replaced + 5 new chunks in batches of 4: two commits, each mixing both kinds.
      const replaced = animalCorpus()
        .slice(0, 3)
        .map((c) => ({ ...c, content: `${c.content} again` }));
      const fresh = ['n1', 'n2', 'n3', 'n4', 'n5'].map((id) => ({
        chunkId: id,
        documentId: 'dn',
        content: `new ${id}`,
      }));
      const result = await t.engine.upsertChunks('docs', [
        replaced[0]!,
        fresh[0]!,
        replaced[1]!,
        fresh[1]!,
        replaced[2]!,
        ...fresh.slice(2),
      ]);
      expect(result).toMatchObject({ inserted: 5, updated: 3 });
      await table.checkoutLatest();
      expect((await table.version()) - before).toBe(2);
      expect(await table.countRows()).toBe(animalCorpus().length + 5);
    } finally {
      table.close();
      db.close();
    }
  });

  it('keeps created_at and counts replacements exactly in a call large enough to scan for existing ids', async () => {
    t = await openTestEngine({ indexRefreshRows: 0 });
    const chunk = (i: number, text: string) => ({
      chunkId: `c${i}`,
      documentId: `d${i % 7}`,
      content: `${text} ${i}`,
    });
    await t.engine.upsertChunks(
      'docs',
      Array.from({ length: 2500 }, (_, i) => chunk(i, 'cat')),
    );
    const before = await t.engine.search({
      kb: 'docs',
      mode: 'lexical',
      text: 'cat',
      limit: 1,
      filter: { chunk_id: 'c1234' },
    });
    await new Promise((r) => setTimeout(r, 15));
    // 2,490 of the old ids and 10 new ones: over the 2,000 ids from which existing ids are found by a scan.
    const again = await t.engine.upsertChunks(
      'docs',
      Array.from({ length: 2500 }, (_, i) => chunk(i + 10, 'dog')),
    );
    expect(again).toMatchObject({ upserted: 2500, inserted: 10, updated: 2490 });
    const after = await t.engine.search({
      kb: 'docs',
      mode: 'lexical',
      text: 'dog',
      limit: 1,
      filter: { chunk_id: 'c1234' },
    });
    expect(after.results[0]!.content).toBe('dog 1234');
    expect(after.results[0]!.createdAt).toBe(before.results[0]!.createdAt);
    expect(after.results[0]!.updatedAt > before.results[0]!.updatedAt).toBe(true);
    expect((await t.engine.listKnowledgeBases())[0]!.chunkCount).toBe(2510);
  });

  it('makes new rows searchable at once, lexically and by vector', async () => {
    t = await openTestEngine();
    await t.engine.upsertChunks('docs', animalCorpus());
    await t.engine.upsertChunks('docs', [
      { chunkId: 'n1', documentId: 'd9', content: 'zebra crossing with a cherry' },
    ]);
    const lexical = await t.engine.search({ kb: 'docs', mode: 'lexical', text: 'zebra' });
    expect(lexical.results.map((r) => r.chunkId)).toEqual(['n1']);
    const vector = await t.engine.search({ kb: 'docs', mode: 'vector', text: 'cherry', limit: 2 });
    expect(vector.results.map((r) => r.chunkId)).toContain('n1');
  });

  it('rejects a batch with one bad chunk and writes nothing, listing every problem by index', async () => {
    t = await openTestEngine();
    await t.engine.upsertChunks('docs', animalCorpus());
    const bad = [
      { chunkId: 'ok', documentId: 'd', content: 'fine' },
      { chunkId: '', documentId: 'd', content: 'no id' },
      {
        chunkId: 'x',
        documentId: 'd',
        content: 'nan vector',
        embedding: [Number.NaN, ...new Array(16).fill(0)],
      },
    ];
    const error = await expectCode(t.engine.upsertChunks('docs', bad as never), 'INVALID_INPUT');
    expect(error.message).toMatch(/1/);
    expect(error.message).toMatch(/2/);
    const count = (await t.engine.listKnowledgeBases())[0]!.chunkCount;
    expect(count).toBe(6);
    const search = await t.engine.search({ kb: 'docs', mode: 'lexical', text: 'fine' });
    expect(search.results).toHaveLength(0);
  });

  it('rejects bad KB names before touching disk', async () => {
    t = await openTestEngine();
    const entriesBefore = await readdir(t.dir.path);
    for (const name of ['../x', 'A B', '', 'a'.repeat(65), '_catalog', 'x/y']) {
      await expectCode(t.engine.upsertChunks(name, animalCorpus()), 'INVALID_INPUT');
    }
    expect(await readdir(t.dir.path)).toEqual(entriesBefore);
    expect(await t.engine.listKnowledgeBases()).toEqual([]);
  });

  it('refuses all-zero vectors under cosine (never findable by vector search), and accepts them under l2', async () => {
    t = await openTestEngine();
    const chunks = [
      { chunkId: 'a', documentId: 'd', content: 'a vector', embedding: [1, 0, 0] },
      { chunkId: 'z', documentId: 'd', content: 'zero vector', embedding: [0, 0, 0] },
    ];
    const refused = await expectCode(t.engine.upsertChunks('cos', chunks), 'INVALID_INPUT');
    expect(refused.message).toMatch(
      /^1 of 2 chunks have an all-zero embedding \(chunk 1\), so none was written: new knowledge base "cos" uses cosine/,
    );
    expect(await t.engine.listKnowledgeBases()).toEqual([]);
    await t.engine.upsertChunks('cos', chunks.slice(0, 1));
    const query = await expectCode(
      t.engine.search({ kb: 'cos', mode: 'vector', vector: [0, 0, 0] }),
      'INVALID_INPUT',
    );
    expect(query.message).toMatch(/`vector` is all zeros; generation 1 of "cos" uses cosine similarity/);

    await t.engine.createGeneration('euclid', { metric: 'l2' });
    await t.engine.upsertChunks('euclid', chunks, { generation: 1 });
    await t.engine.promoteGeneration('euclid', 1);
    const near = await t.engine.search({ kb: 'euclid', mode: 'vector', vector: [0, 0, 0.1], limit: 2 });
    expect(near.results.map((r) => r.chunkId)).toEqual(['z', 'a']);
  });

  it('records caller vectors as an external space and enforces its dimension', async () => {
    t = await openTestEngine();
    const withVectors = animalCorpus().map((c, i) => ({ ...c, embedding: [1, i, 0.5] }));
    await t.engine.upsertChunks('ext', withVectors);
    expect((await t.engine.listKnowledgeBases())[0]!.embedding).toEqual({ model: 'external', dimension: 3 });
    await expectCode(
      t.engine.upsertChunks('ext', [{ chunkId: 'z', documentId: 'd', content: 'x', embedding: [1, 2] }]),
      'DIMENSION_MISMATCH',
    );
    const noVector = await expectCode(
      t.engine.upsertChunks('ext', [{ chunkId: 'z', documentId: 'd', content: 'x' }]),
      'MODEL_MISMATCH',
    );
    expect(noVector.message).toMatch(/To change models: createGeneration, .* then promoteGeneration/);
    expect(engineErrorText(noVector)).toMatch(
      /To change models: create_generation, .* then promote_generation/,
    );
    const hits = await t.engine.search({ kb: 'ext', mode: 'vector', vector: [1, 5, 0.5], limit: 1 });
    expect(hits.results[0]!.chunkId).toBe('c6');
  });

  it('fails with MODEL_MISMATCH when the configured model differs from the generation', async () => {
    t = await openTestEngine();
    await t.engine.upsertChunks('docs', animalCorpus());
    const { openEngine } = await import('../../../src/engine/index.js');
    await t.engine.close();
    const other = await openEngine({
      dataDir: t.dir.path,
      embedder: new KeywordEmbedder({ id: 'other-model' }),
    });
    try {
      const error = await expectCode(
        other.upsertChunks('docs', [{ chunkId: 'q', documentId: 'd', content: 'cat' }]),
        'MODEL_MISMATCH',
      );
      expect(error.message).toMatch(/keyword-test/);
      await expectCode(other.search({ kb: 'docs', mode: 'vector', text: 'cat' }), 'MODEL_MISMATCH');
      const hybrid = await other.search({ kb: 'docs', mode: 'hybrid', text: 'cat' });
      expect(hybrid.mode).toBe('lexical');
      expect(hybrid.warnings.join(' ')).toMatch(/MODEL_MISMATCH/);
      expect(hybrid.results[0]!.chunkId).toBe('c1');
    } finally {
      await other.close();
    }
  });
});

describe('embedding space of a lazily loaded model', () => {
  // Like a transformer model not yet downloaded: width and file hash are unknown until the first embed.
  it('records the width and revision known only after loading, and searches it', async () => {
    const lazy = new KeywordEmbedder({ lazy: true });
    expect(lazy.dimension).toBe(0);
    t = await openTestEngine({ embedder: lazy });
    await t.engine.upsertChunks('docs', animalCorpus());
    const info = (await t.engine.listGenerations('docs'))[0]!;
    expect(info.embedding).toMatchObject({ model: 'keyword-test', dimension: 17, revision: 'sha256:lazy' });
    const r = await t.engine.search({ kb: 'docs', mode: 'vector', text: 'banana', limit: 1 });
    expect(r.results[0]!.chunkId).toBe('c5');
  });
});

describe('deleteChunks', () => {
  it('deletes by chunk ids and by document ids and returns the count', async () => {
    t = await openTestEngine();
    await t.engine.upsertChunks('docs', animalCorpus());
    expect(await t.engine.deleteChunks('docs', { chunkIds: ['c1', 'missing'] })).toMatchObject({
      deleted: 1,
      generation: 1,
    });
    expect(await t.engine.deleteChunks('docs', { documentIds: ['d2'] })).toMatchObject({ deleted: 2 });
    expect(await t.engine.deleteChunks('docs', { chunkIds: ["c5' OR '1'='1"] })).toMatchObject({
      deleted: 0,
    });
    expect((await t.engine.listKnowledgeBases())[0]!.chunkCount).toBe(3);
    await expectCode(t.engine.deleteChunks('docs', {}), 'INVALID_INPUT');
    await expectCode(t.engine.deleteChunks('nope', { chunkIds: ['a'] }), 'KB_NOT_FOUND');
  });
});
