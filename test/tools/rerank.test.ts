// hybrid_search with rerank: true through a real MCP client, on a generated cross-encoder whose scores are known.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as hybridSearch from '../../src/tools/hybrid-search.js';
import { contentSchema as statusSchema } from '../../src/resources/status.js';
import {
  callTool,
  readJson,
  startTestServer,
  structured,
  textOf,
  type TestServer,
} from '../helpers/mcp-client.js';
import { makeTempDir, type TempDir } from '../helpers/temp-dir.js';
import { writeTinyCrossEncoder } from '../helpers/tiny-model.js';

/**
 * Every passage matches "fruit"; BM25 favours the ones with the most "fruit", while the tiny cross-encoder
 * scores each passage by its count of "banana". So the two orders disagree, and the model says which is right.
 */
const PASSAGES = [
  { chunk_id: 'fruit-only', content: 'fruit fruit fruit fruit fruit', bananas: 0 },
  { chunk_id: 'one-banana', content: 'fruit fruit fruit banana', bananas: 1 },
  { chunk_id: 'three-bananas', content: 'fruit banana banana banana apple', bananas: 3 },
  { chunk_id: 'two-bananas', content: 'fruit fruit banana banana tea', bananas: 2 },
];

let temp: TempDir;
let t: TestServer;
let plain: TestServer;

beforeAll(async () => {
  temp = await makeTempDir('rag-rerank-mcp-');
  const model = await writeTinyCrossEncoder(temp.path);
  t = await startTestServer({ args: ['--rerank-model', model.dir, '--offline'] });
  plain = await startTestServer();
  for (const server of [t, plain]) {
    const chunks = PASSAGES.map(({ chunk_id, content }) => ({ chunk_id, document_id: chunk_id, content }));
    const upsert = await callTool(server.client, 'upsert_chunks', { kb: 'fruit', chunks });
    expect(upsert.isError, textOf(upsert)).toBeFalsy();
  }
});
afterAll(async () => {
  await t?.close();
  await plain?.close();
  await temp?.remove();
});

const search = async (server: TestServer, args: Record<string, unknown>) =>
  structured(
    await callTool(server.client, 'hybrid_search', { kb: 'fruit', query: 'fruit', ...args }),
    hybridSearch.outputSchema,
  );

describe('hybrid_search rerank', () => {
  it('reorders the fused candidates as the cross-encoder scores them', async () => {
    const fused = await search(t, { mode: 'lexical' });
    const reranked = await search(t, { mode: 'lexical', rerank: true });
    const byModel = [...PASSAGES].sort((a, b) => b.bananas - a.bananas).map((p) => p.chunk_id);
    // The premise: BM25 alone puts the all-"fruit" passage first, which the model ranks last.
    expect(fused.results[0]?.chunk_id).toBe('fruit-only');
    expect(reranked.results.map((r) => r.chunk_id)).toEqual(byModel);
    expect(reranked.results.map((r) => r.scores.rerank)).toEqual([3, 2, 1, 0]);
    expect(reranked.results.map((r) => r.score)).toEqual([3, 2, 1, 0]);
    expect(reranked.results.map((r) => r.ranks.rerank)).toEqual([1, 2, 3, 4]);
    // Fusion's own evidence stays: each result keeps its lexical score and rank.
    for (const result of reranked.results) expect(result.scores.lexical).toBeGreaterThan(0);
    expect(fused.results.every((r) => r.scores.rerank === undefined)).toBe(true);
  });

  it('reranks hybrid searches and pages within the reranked order', async () => {
    const page = await search(t, { rerank: true, limit: 2, offset: 1 });
    expect(page.mode).toBe('hybrid');
    expect(page.results.map((r) => r.chunk_id)).toEqual(['two-bananas', 'one-banana']);
  });

  it('limits the reranked candidates to rerank_candidates', async () => {
    const out = await search(t, { mode: 'lexical', rerank: true, rerank_candidates: 2, limit: 2 });
    // Only BM25's top two were scored; the three-banana passage was not among them.
    expect(out.results).toHaveLength(2);
    expect(out.results.map((r) => r.chunk_id)).not.toContain('three-bananas');
    expect(out.results[0]?.chunk_id).toBe('one-banana');
  });

  it('shows the reranker in rag-studio://status, loaded after the first rerank search', async () => {
    await search(t, { mode: 'lexical', rerank: true });
    const status = await readJson(t.client, 'rag-studio://status', statusSchema);
    expect(status.reranker).toMatchObject({ model: expect.stringContaining(temp.path), state: 'ready' });
  });

  it('says how to configure a reranker when the server has none', async () => {
    const result = await callTool(plain.client, 'hybrid_search', {
      kb: 'fruit',
      query: 'fruit',
      rerank: true,
    });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/^INVALID_STATE/);
    expect(textOf(result)).toMatch(/RAG_STUDIO_RERANK_MODEL/);
    expect(textOf(result)).toMatch(/Xenova\/ms-marco-MiniLM-L-6-v2/);
  });

  it('refuses a vector-only reranked search and rerank_candidates without rerank', async () => {
    const vectorOnly = await callTool(t.client, 'hybrid_search', {
      kb: 'fruit',
      vector: Array.from({ length: 384 }, () => 0.1),
      rerank: true,
    });
    expect(vectorOnly.isError).toBe(true);
    expect(textOf(vectorOnly)).toMatch(/give a non-empty `query`/);
    const stray = await callTool(t.client, 'hybrid_search', {
      kb: 'fruit',
      query: 'x',
      rerank_candidates: 5,
    });
    expect(stray.isError).toBe(true);
    expect(textOf(stray)).toMatch(/only applies with `rerank: true`/);
  });
});
