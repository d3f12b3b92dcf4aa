// Generation lifecycle on real LanceDB: build, search by id, promote, roll back, epochs, bad transitions.
import { afterEach, describe, expect, it } from 'vitest';
import { animalCorpus, openTestEngine, type TestEngine } from '../../helpers/engine.js';
import { openEngine } from '../../../src/engine/index.js';

let t: TestEngine;
afterEach(async () => t?.close());

describe('generations', () => {
  it('builds a new generation invisibly, promotes it atomically, and rolls back', async () => {
    t = await openTestEngine();
    await t.engine.upsertChunks('docs', animalCorpus());
    const created = await t.engine.createGeneration('docs');
    expect(created).toMatchObject({ kb: 'docs', generation: 2, status: 'building', copied: 0 });
    await t.engine.upsertChunks(
      'docs',
      [{ chunkId: 'new', documentId: 'n', content: 'a fresh zebra rebuild' }],
      { generation: 2 },
    );

    const defaultSearch = await t.engine.search({ kb: 'docs', mode: 'lexical', text: 'zebra' });
    expect(defaultSearch.generation).toBe(1);
    expect(defaultSearch.results).toHaveLength(0);
    const explicit = await t.engine.search({ kb: 'docs', mode: 'lexical', text: 'zebra', generation: 2 });
    expect(explicit.results.map((r) => r.chunkId)).toEqual(['new']);

    const promoted = await t.engine.promoteGeneration('docs', 2);
    expect(promoted).toMatchObject({
      activeGeneration: 2,
      previousGeneration: 1,
      epoch: 1,
      sealed: true,
      unchanged: false,
    });
    expect((await t.engine.search({ kb: 'docs', mode: 'lexical', text: 'zebra' })).generation).toBe(2);
    const gens = await t.engine.listGenerations('docs');
    expect(gens.map((g) => [g.generation, g.status])).toEqual([
      [1, 'archived'],
      [2, 'active'],
    ]);
    expect(gens[0]!.archivedAt).not.toBeNull();
    expect(gens[0]!.archivedEpoch).toBe(1);

    const rollback = await t.engine.promoteGeneration('docs', 1);
    expect(rollback).toMatchObject({ activeGeneration: 1, previousGeneration: 2, epoch: 2, sealed: false });
    const cat = await t.engine.search({ kb: 'docs', mode: 'lexical', text: 'cat' });
    expect(cat.generation).toBe(1);
    expect(cat.results[0]!.chunkId).toBe('c1');
    expect((await t.engine.promoteGeneration('docs', 1)).unchanged).toBe(true);
    expect((await t.engine.describeKnowledgeBase('docs')).epoch).toBe(2);
  });

  it('copies the active generation, keeping vectors, and survives a reopen', async () => {
    t = await openTestEngine();
    await t.engine.upsertChunks('docs', animalCorpus());
    const created = await t.engine.createGeneration('docs', { copyFromActive: true });
    expect(created.copied).toBe(6);
    const info = (await t.engine.listGenerations('docs')).find((g) => g.generation === 2)!;
    expect(info).toMatchObject({ status: 'building', chunkCount: 6 });
    expect(info.embedding?.model).toBe('keyword-test');
    await t.engine.sealGeneration('docs', 2);
    expect((await t.engine.listGenerations('docs'))[1]!.status).toBe('ready');
    await t.engine.promoteGeneration('docs', 2);
    await t.engine.close();
    const reopened = await openEngine({ dataDir: t.dir.path, embedder: t.engine.embedder! });
    try {
      const r = await reopened.search({ kb: 'docs', mode: 'hybrid', text: 'banana' });
      expect(r.generation).toBe(2);
      expect(r.results[0]!.chunkId).toBe('c5');
      expect((await reopened.listKnowledgeBases())[0]).toMatchObject({
        activeGeneration: 2,
        epoch: 1,
        generations: 2,
      });
    } finally {
      await reopened.close();
    }
  });

  it('refuses promotions and writes that make no sense, saying why', async () => {
    t = await openTestEngine();
    await t.engine.upsertChunks('docs', animalCorpus());
    await t.engine.createGeneration('docs');
    await expect(t.engine.promoteGeneration('docs', 2)).rejects.toMatchObject({
      code: 'INVALID_STATE',
      message: expect.stringMatching(/empty/),
    });
    await expect(t.engine.promoteGeneration('docs', 7)).rejects.toMatchObject({
      code: 'GENERATION_NOT_FOUND',
    });
    await expect(t.engine.promoteGeneration('nope', 1)).rejects.toMatchObject({ code: 'KB_NOT_FOUND' });
    await t.engine.upsertChunks('docs', animalCorpus(), { generation: 2 });
    await t.engine.promoteGeneration('docs', 2);
    await expect(t.engine.upsertChunks('docs', animalCorpus(), { generation: 1 })).rejects.toMatchObject({
      code: 'INVALID_STATE',
    });
    await expect(t.engine.createGeneration('docs', { metric: 'manhattan' as never })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
  });

  it('keeps each generation in its own metric', async () => {
    t = await openTestEngine();
    await t.engine.upsertChunks('docs', animalCorpus());
    await t.engine.createGeneration('docs', { metric: 'l2' });
    await t.engine.upsertChunks('docs', animalCorpus(), { generation: 2 });
    await t.engine.promoteGeneration('docs', 2);
    const r = await t.engine.search({ kb: 'docs', mode: 'vector', text: 'fish boat', limit: 2 });
    expect(r.results[0]!.chunkId).toBe('c3');
    expect((await t.engine.describeKnowledgeBase('docs')).metric).toBe('l2');
  });
});
