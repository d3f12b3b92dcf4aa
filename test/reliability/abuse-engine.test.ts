// Abuse suite, engine and tool side: inputs at and past the documented limits, each refused or bounded.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settledHeap } from '../helpers/heap.js';
import { callTool, startTestServer, textOf, type TestServer } from '../helpers/mcp-client.js';

const MiB = 1024 * 1024;
let t: TestServer;

beforeAll(async () => {
  t = await startTestServer({
    args: ['--max-search-cache-bytes', String(8 * MiB)],
    // No idle index refresh: its commit, 2 s after the upsert, changes the table version in the cache key, and
    // on a loaded machine it could land between a search and its repeat (seen at load 16: "cached" false).
    engine: { indexIdleMs: 0 },
  });
});
afterAll(async () => {
  await t?.close();
});

describe('search result cache', () => {
  it('holds large distinct result sets within its byte budget', async () => {
    // 10 chunks of ~200 KB (under the 256 KiB content limit), all matching the word "common".
    const chunks = Array.from({ length: 10 }, (_, i) => ({
      chunkId: `big-${i}`,
      documentId: 'big',
      content: `common topic${i} ${'lorem ipsum dolor sit amet '.repeat(7400)}`,
      embedding: [1, i + 1, 0.5, 2],
    }));
    await t.engine.upsertChunks('cache', chunks);
    // Vector searches (BM25 over unindexed 200 KB rows is slow); each distinct query vector is a distinct key.
    const search = (query: string, limit: number) => {
      const seed = [...query].reduce((sum, ch) => sum + ch.charCodeAt(0) * 31, 1);
      return t.engine.search({
        kb: 'cache',
        vector: [1, 1, seed % 97, 1 + (seed % 13)],
        mode: 'vector',
        limit,
      });
    };
    await search('common warmup', 4);
    const before = await settledHeap();
    // 30 distinct searches of 4 such hits (~0.8 MB each): a count-only cache kept all ~25 MB, this one
    // at most its 8 MiB estimate (which counts 2 bytes per character, so ~4 MB here).
    for (let i = 0; i < 30; i++) expect((await search(`common distinct${i}`, 4)).results).toHaveLength(4);
    const grown = (await settledHeap()) - before;
    expect(grown).toBeLessThan(10 * MiB);
    // The cache still works within the budget: the latest search is served from it.
    expect((await search('common distinct29', 4)).cached).toBe(true);
    // A result set over a quarter of the budget is not cached at all.
    expect((await search('common huge', 10)).cached).toBe(false);
    expect((await search('common huge', 10)).cached).toBe(false);
  });
});

describe('citation fields', () => {
  it.each(['title', 'source_path', 'license', 'version', 'anchor'])(
    'an oversized %s is refused with a clear INVALID_INPUT',
    async (field) => {
      const result = await callTool(t.client, 'upsert_chunks', {
        kb: 'citations',
        chunks: [{ chunk_id: 'c1', document_id: 'd', content: 'text', [field]: 'x'.repeat(5000) }],
      });
      expect(result.isError).toBe(true);
      expect(textOf(result)).toMatch(
        /^INVALID_INPUT: 1 of 1 chunks are invalid.*is 5000 bytes in UTF-8; the limit is 4096 \(RAG_STUDIO_MAX_CITATION_BYTES\)/,
      );
    },
  );

  it('a citation at the limit is stored and returned whole', async () => {
    const title = 'é'.repeat(2048); // 4,096 UTF-8 bytes
    const ok = await callTool(t.client, 'upsert_chunks', {
      kb: 'citations',
      chunks: [{ chunk_id: 'c1', document_id: 'd', content: 'text at limit', title }],
    });
    expect(ok.isError).toBeFalsy();
    const hits = await t.engine.search({ kb: 'citations', text: 'limit', mode: 'lexical' });
    expect(hits.results[0]?.citation.title).toBe(title);
  });
});

describe('filters', () => {
  it('a __proto__ key is refused, not dropped (which ran the search unfiltered)', async () => {
    await t.engine.upsertChunks('protos', [
      { chunkId: 'a', documentId: 'd1', content: 'alpha text' },
      { chunkId: 'b', documentId: 'd2', content: 'alpha words' },
    ]);
    for (const filter of ['{"__proto__": {"document_id": "d1"}}', '{"$or": [{"__proto__": 1}]}']) {
      const result = await callTool(t.client, 'hybrid_search', {
        kb: 'protos',
        query: 'alpha',
        filter: JSON.parse(filter) as Record<string, unknown>,
      });
      expect(result.isError, filter).toBe(true);
      expect(textOf(result)).toMatch(/filter key "__proto__" is not a filter key/);
    }
    // The engine API refuses it too (JSON.parse makes it an own key).
    await expect(
      t.engine.search({ kb: 'protos', text: 'alpha', filter: JSON.parse('{"__proto__": {"x": 1}}') }),
    ).rejects.toThrow(/unknown filter key "__proto__"/);
  });

  it('filters and metadata nested 100,000 deep are refused with a message, not a stack overflow', async () => {
    let filter: unknown = { document_id: 'd1' };
    for (let i = 0; i < 100_000; i++) filter = { $and: [filter] };
    const search = await callTool(t.client, 'hybrid_search', { kb: 'protos', query: 'alpha', filter });
    expect(search.isError).toBe(true);
    expect(textOf(search)).toMatch(/filter is nested deeper than 64 levels; flatten it/);
    expect(textOf(search)).not.toMatch(/call stack/);

    let metadata: unknown = { leaf: 1 };
    for (let i = 0; i < 100_000; i++) metadata = { k: metadata };
    const upsert = await callTool(t.client, 'upsert_chunks', {
      kb: 'protos',
      chunks: [{ chunk_id: 'deep', document_id: 'd', content: 'deep', metadata }],
    });
    expect(upsert.isError).toBe(true);
    expect(textOf(upsert)).toMatch(/metadata is nested deeper than 64 levels/);
    // Through the engine API the configured limit answers first, before any recursion.
    await expect(
      t.engine.upsertChunks('protos', [
        { chunkId: 'deep', documentId: 'd', content: 'deep', metadata: metadata as Record<string, never> },
      ]),
    ).rejects.toThrow(/metadata is nested deeper than 8 levels/);
    let engineFilter: unknown = { document_id: 'd1' };
    for (let i = 0; i < 100_000; i++) engineFilter = { $or: [engineFilter] };
    await expect(
      t.engine.search({ kb: 'protos', text: 'alpha', filter: engineFilter as Record<string, never> }),
    ).rejects.toThrow(/nested deeper than 6 levels/);
  });
});

describe('vectors in float32 terms', () => {
  const dims = (value: number) => [value, value, value, value];

  it('refuses vectors that are zero in float32 (1e-46) or whose squared length underflows (1e-40)', async () => {
    await t.engine.upsertChunks('vectors', [
      { chunkId: 'ok', documentId: 'd', content: 'fine', embedding: [1, 0, 0, 0] },
    ]);
    for (const tiny of [1e-46, 1e-40]) {
      await expect(
        t.engine.upsertChunks('vectors', [
          { chunkId: 'tiny', documentId: 'd', content: 'x', embedding: dims(tiny) },
        ]),
      ).rejects.toThrow(/all-zero embedding.*below float32 precision/s);
      const search = await callTool(t.client, 'hybrid_search', {
        kb: 'vectors',
        vector: dims(tiny),
        mode: 'vector',
      });
      expect(search.isError).toBe(true);
      expect(textOf(search)).toMatch(/^INVALID_INPUT: `vector` is all zeros;.*count as zero/);
    }
  });

  it('refuses vectors whose squared length overflows float32 (1e30, 3e38), stored or queried', async () => {
    for (const huge of [1e20, 1e30, 3e38]) {
      await expect(
        t.engine.upsertChunks('vectors', [
          { chunkId: 'huge', documentId: 'd', content: 'x', embedding: dims(huge) },
        ]),
      ).rejects.toThrow(/embedding has a squared length of .* beyond what float32 distances can hold/);
      const search = await callTool(t.client, 'hybrid_search', {
        kb: 'vectors',
        vector: dims(huge),
        mode: 'vector',
      });
      expect(search.isError).toBe(true);
      expect(textOf(search)).toMatch(/^INVALID_INPUT: `vector` has a squared length of/);
    }
    // Large but safe components still work, and the chunk is found with a finite score.
    await t.engine.upsertChunks('vectors', [
      { chunkId: 'big', documentId: 'd', content: 'x', embedding: dims(1e18) },
    ]);
    const found = await t.engine.search({ kb: 'vectors', vector: dims(1e18), mode: 'vector', limit: 2 });
    expect(found.results[0]?.chunkId).toBe('big');
    expect(Number.isFinite(found.results[0]?.score)).toBe(true);
  });
});

describe('resource completion', () => {
  it.each(['constructor', '__proto__', 'valueOf', 'toString', 'hasOwnProperty'])(
    'an argument named %s completes to nothing',
    async (name) => {
      const { completion } = await t.client.complete({
        ref: { type: 'ref/resource', uri: 'rag-studio://knowledge-bases/{kb}' },
        argument: { name, value: 'abc' },
      });
      expect(completion.values).toEqual([]);
    },
  );
});

describe('error text', () => {
  it('KB_NOT_FOUND lists ten names, the closest first, and counts the rest', async () => {
    const names = Array.from({ length: 16 }, (_, i) => `team-${String(i).padStart(2, '0')}`);
    for (const name of names) await t.engine.createGeneration(name);
    const result = await callTool(t.client, 'hybrid_search', { kb: 'team-x', query: 'anything' });
    const text = textOf(result);
    expect(text).toMatch(/^KB_NOT_FOUND: no knowledge base "team-x"; existing: /);
    expect(text).toMatch(/and \d+ more \(\d+ in all; rag-studio:\/\/knowledge-bases lists them\)/);
    const listed = /existing: (.*?) and/.exec(text)![1]!.split(', ');
    expect(listed).toHaveLength(10);
    expect(listed.every((name) => name.startsWith('team-'))).toBe(true);
  });

  it('an unknown tool name is quoted back at most 64 characters long', async () => {
    const name = 'x'.repeat(1_000_000);
    const result = await callTool(t.client, name, {});
    expect(result.isError).toBe(true);
    const text = textOf(result);
    expect(text.length).toBeLessThan(400);
    expect(text).toMatch(/Tool "x{64}"… \(1000000 characters\) not found; available tools: hybrid_search/);
    for (const trick of ['constructor', 'valueOf']) {
      expect(textOf(await callTool(t.client, trick, {}))).toMatch(new RegExp(`Tool "${trick}" not found`));
    }
  });
});
