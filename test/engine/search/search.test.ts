// Vector, lexical and hybrid search on a small corpus with known answers, filters, snippets, cache.
import { afterEach, describe, expect, it } from 'vitest';
import { animalCorpus, openTestEngine, type TestEngine } from '../../helpers/engine.js';
import { KeywordEmbedder } from '../../helpers/keyword-embedder.js';

let t: TestEngine;
afterEach(async () => t?.close());

async function seeded(): Promise<TestEngine> {
  t = await openTestEngine();
  await t.engine.upsertChunks('docs', animalCorpus());
  return t;
}

describe('search', () => {
  it('lexical mode ranks by BM25 over title and content', async () => {
    await seeded();
    const r = await t.engine.search({ kb: 'docs', mode: 'lexical', text: 'cat' });
    expect(r.mode).toBe('lexical');
    expect(r.results[0]!.chunkId).toBe('c1');
    expect(r.results[0]!.scores.lexical).toBeGreaterThan(0);
    expect(r.results[0]!.scores.vector).toBeUndefined();
    const title = await t.engine.search({ kb: 'docs', mode: 'lexical', text: 'c4' });
    expect(title.results.map((x) => x.chunkId)).toEqual(['c4']);
  });

  it('vector mode finds the nearest chunk by meaning (embedder axes)', async () => {
    await seeded();
    const r = await t.engine.search({ kb: 'docs', mode: 'vector', text: 'banana cherry', limit: 3 });
    expect(r.results[0]!.chunkId).toBe('c5');
    expect(r.results[0]!.scores.vector).toBeGreaterThan(r.results[1]!.scores.vector!);
    expect(r.results[0]!.ranks.vector).toBe(1);
  });

  it('hybrid mode fuses both sides and reports per-side scores and ranks', async () => {
    await seeded();
    // c2 tops both sides alone; fusion must carry those very scores, not just some number.
    const vectorAlone = await t.engine.search({ kb: 'docs', mode: 'vector', text: 'dog car', limit: 1 });
    const lexicalAlone = await t.engine.search({ kb: 'docs', mode: 'lexical', text: 'dog car', limit: 1 });
    expect(vectorAlone.results[0]!.chunkId).toBe('c2');
    expect(lexicalAlone.results[0]!.chunkId).toBe('c2');
    for (const fusion of ['rrf', 'weighted', 'adaptive'] as const) {
      const r = await t.engine.search({ kb: 'docs', mode: 'hybrid', text: 'dog car', fusion, limit: 3 });
      expect(r.mode).toBe('hybrid');
      expect(r.fusion).toBe(fusion);
      expect(r.results[0]!.chunkId).toBe('c2');
      expect(r.results[0]!.scores.vector).toBeCloseTo(vectorAlone.results[0]!.score, 6);
      expect(r.results[0]!.scores.lexical).toBeCloseTo(lexicalAlone.results[0]!.score, 6);
      expect(r.results[0]!.ranks).toEqual({ vector: 1, lexical: 1 });
      // More than one result, or the ordering check below checks nothing.
      expect(r.results.length).toBeGreaterThan(1);
      for (let i = 1; i < r.results.length; i++)
        expect(r.results[i - 1]!.score).toBeGreaterThanOrEqual(r.results[i]!.score);
    }
    const rrf = await t.engine.search({
      kb: 'docs',
      mode: 'hybrid',
      text: 'dog car',
      fusion: 'rrf',
      limit: 1,
    });
    expect(rrf.results[0]!.score).toBeCloseTo(2 / 61, 6);
  });

  it('returns citations, metadata, and a snippet centred on the query terms', async () => {
    t = await openTestEngine();
    const long = `${'filler words here. '.repeat(40)}the grape harvest is central${' trailing text.'.repeat(40)}`;
    await t.engine.upsertChunks('docs', [
      {
        chunkId: 'l1',
        documentId: 'd',
        content: long,
        title: 'T',
        sourcePath: '/a.md',
        license: 'MIT',
        version: '2',
        anchor: '#x',
        pageNumber: 7,
        metadata: { a: { b: 1 } },
      },
    ]);
    const r = await t.engine.search({ kb: 'docs', mode: 'lexical', text: 'grape' });
    const hit = r.results[0]!;
    expect(hit.citation).toEqual({
      title: 'T',
      sourcePath: '/a.md',
      license: 'MIT',
      version: '2',
      anchor: '#x',
      pageNumber: 7,
      headingPath: null,
      lineStart: null,
      lineEnd: null,
    });
    expect(hit.ordinal).toBe(0);
    expect(hit.metadata).toEqual({ a: { b: 1 } });
    expect(hit.snippet!.length).toBeLessThanOrEqual(300);
    expect(hit.snippet).toContain('grape');
    expect(hit.content).toBe(long);
  });

  it('applies filters before top-k, so a filtered search still fills the limit', async () => {
    t = await openTestEngine();
    const chunks = Array.from({ length: 60 }, (_, i) => ({
      chunkId: `k${i}`,
      documentId: `doc${i % 3}`,
      content: i < 50 ? `cat cat cat number ${i}` : `cat number ${i}`,
      metadata: { lang: i >= 50 ? 'en' : 'de', n: i },
      pageNumber: i,
    }));
    await t.engine.upsertChunks('docs', chunks);
    for (const mode of ['lexical', 'vector', 'hybrid'] as const) {
      const r = await t.engine.search({
        kb: 'docs',
        mode,
        text: 'cat',
        limit: 5,
        filter: { 'metadata.lang': 'en' },
      });
      expect(r.results, mode).toHaveLength(5);
      expect(
        r.results.every((h) => h.metadata.lang === 'en'),
        mode,
      ).toBe(true);
    }
    const r = await t.engine.search({
      kb: 'docs',
      mode: 'lexical',
      text: 'cat',
      limit: 100,
      filter: { $and: [{ page_number: { $gte: 10, $lt: 20 } }, { document_id: { $in: ['doc0', 'doc1'] } }] },
    });
    expect(r.results.map((h) => h.citation.pageNumber).sort((a, b) => a! - b!)).toEqual([
      10, 12, 13, 15, 16, 18, 19,
    ]);
    const injected = await t.engine.search({
      kb: 'docs',
      mode: 'lexical',
      text: 'cat',
      filter: { chunk_id: "x' OR '1'='1" },
    });
    expect(injected.results).toHaveLength(0);
  });

  it('pages with offset and never repeats a hit', async () => {
    await seeded();
    const all = await t.engine.search({
      kb: 'docs',
      mode: 'hybrid',
      text: 'the cat dog fish bird',
      limit: 6,
    });
    const page2 = await t.engine.search({
      kb: 'docs',
      mode: 'hybrid',
      text: 'the cat dog fish bird',
      limit: 2,
      offset: 2,
    });
    expect(page2.results.map((r) => r.chunkId)).toEqual(all.results.slice(2, 4).map((r) => r.chunkId));
  });

  it('caches results but never serves them after a write', async () => {
    await seeded();
    const a = await t.engine.search({ kb: 'docs', mode: 'lexical', text: 'banana' });
    const b = await t.engine.search({ kb: 'docs', mode: 'lexical', text: 'banana' });
    expect(a.cached).toBe(false);
    expect(b.cached).toBe(true);
    await t.engine.upsertChunks('docs', [
      { chunkId: 'b2', documentId: 'd', content: 'banana banana banana' },
    ]);
    const c = await t.engine.search({ kb: 'docs', mode: 'lexical', text: 'banana' });
    expect(c.cached).toBe(false);
    expect(c.results[0]!.chunkId).toBe('b2');
  });

  it('falls back to lexical with a warning when the model failed; vector mode then fails clearly', async () => {
    t = await openTestEngine();
    await t.engine.upsertChunks('docs', animalCorpus());
    const { openEngine } = await import('../../../src/engine/index.js');
    await t.engine.close();
    const broken = new KeywordEmbedder({ state: { state: 'failed', reason: 'model files missing' } });
    const engine = await openEngine({ dataDir: t.dir.path, embedder: broken });
    try {
      const r = await engine.search({ kb: 'docs', text: 'cat' });
      expect(r.mode).toBe('lexical');
      expect(r.warnings.join(' ')).toMatch(/model files missing/);
      await expect(engine.search({ kb: 'docs', mode: 'vector', text: 'cat' })).rejects.toMatchObject({
        code: 'EMBEDDER_UNAVAILABLE',
      });
    } finally {
      await engine.close();
    }
  });

  it('rejects bad requests with the reason', async () => {
    await seeded();
    await expect(t.engine.search({ kb: 'docs', text: 'x', limit: 0 })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    await expect(t.engine.search({ kb: 'docs', text: 'x', limit: 101 })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    await expect(t.engine.search({ kb: 'docs' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(t.engine.search({ kb: 'docs', vector: [1, 2] })).rejects.toMatchObject({
      code: 'DIMENSION_MISMATCH',
    });
    await expect(t.engine.search({ kb: 'nope', text: 'x' })).rejects.toMatchObject({
      code: 'KB_NOT_FOUND',
      message: expect.stringMatching(/docs/),
    });
    await expect(t.engine.search({ kb: 'docs', text: 'x', filter: { bogus: 1 } })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    await expect(t.engine.search({ kb: 'docs', text: 'x', generation: 9 })).rejects.toMatchObject({
      code: 'GENERATION_NOT_FOUND',
    });
  });

  it('handles query text with search-syntax characters literally', async () => {
    await seeded();
    for (const text of ['"unbalanced', "x' OR '1'='1", 'cat AND dog', 'a:b (c', '*', '🙂 emoji']) {
      const r = await t.engine.search({ kb: 'docs', mode: 'hybrid', text });
      expect(Array.isArray(r.results)).toBe(true);
    }
  });
});
