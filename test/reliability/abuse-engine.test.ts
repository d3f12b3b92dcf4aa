// Abuse suite, engine and tool side: inputs at and past the documented limits, each refused or bounded.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callTool, startTestServer, textOf, type TestServer } from '../helpers/mcp-client.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

async function settledHeap(): Promise<number> {
  for (let i = 0; i < 4; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return process.memoryUsage().heapUsed;
}

const MiB = 1024 * 1024;
let t: TestServer;

beforeAll(async () => {
  t = await startTestServer({ args: ['--max-search-cache-bytes', String(8 * MiB)] });
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
