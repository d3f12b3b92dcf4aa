// compare_generations through a real MCP client on a constructed case whose every number is known in advance.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as compareGenerations from '../../src/tools/compare-generations.js';
import { callTool, startTestServer, structured, textOf, type TestServer } from '../helpers/mcp-client.js';

let t: TestServer;
const chunk = (id: string, content: string) => ({ chunk_id: `${id}-1`, document_id: id, content });
const ok = async (name: string, args: Record<string, unknown>) => {
  const result = await callTool(t.client, name, { kb: 'cmp', ...args });
  expect(result.isError, textOf(result)).toBeFalsy();
  return result;
};

/**
 * Generation 1: apple, car, rain, gone. Generation 2 (a copy): gone deleted, rain rewritten so it no longer
 * says "rain", fresh added (it also says "apple"). car and apple are untouched.
 */
beforeAll(async () => {
  t = await startTestServer();
  await ok('upsert_chunks', {
    chunks: [
      chunk('apple', 'apple fruit from the market'),
      chunk('car', 'car engine on the road'),
      chunk('rain', 'rain and cold weather'),
      chunk('gone', 'bread and cheese'),
    ],
  });
  await ok('create_generation', { copy_from_active: true });
  await ok('delete_chunks', { generation: 2, document_ids: ['gone'] });
  await ok('upsert_chunks', {
    generation: 2,
    chunks: [chunk('rain', 'snow and cold weather'), chunk('fresh', 'apple banana fruit')],
  });
});
afterAll(async () => {
  await t?.close();
});

describe('compare_generations', () => {
  it('reports overlap, rank changes, recall/nDCG and the document diff', async () => {
    const out = structured(
      await callTool(t.client, 'compare_generations', {
        kb: 'cmp',
        base: 1,
        candidate: 2,
        mode: 'lexical',
        queries: [
          { query: 'rain', expected_document_ids: ['rain'] },
          { query: 'market', expected_document_ids: ['apple'] },
          { query: 'cheese' },
        ],
      }),
      compareGenerations.outputSchema,
    );
    expect(out.content).toEqual({ added: ['fresh'], removed: ['gone'], changed: ['rain'], unchanged: 2 });

    const [rain, market, cheese] = out.queries;
    expect(rain).toMatchObject({
      overlap: 0,
      base: { chunk_ids: ['rain-1'], recall: 1, ndcg: 1 },
      candidate: { chunk_ids: [], recall: 0, ndcg: 0 },
      rank_changes: [{ chunk_id: 'rain-1', document_id: 'rain', base_rank: 1, candidate_rank: null }],
    });
    expect(market).toMatchObject({
      overlap: 1,
      base: { chunk_ids: ['apple-1'], recall: 1 },
      candidate: { chunk_ids: ['apple-1'], recall: 1 },
      rank_changes: [],
    });
    expect(cheese).toMatchObject({
      expected_document_ids: null,
      overlap: 0,
      base: { chunk_ids: ['gone-1'], recall: null, ndcg: null },
      candidate: { chunk_ids: [], recall: null },
    });
    expect(out.summary).toEqual({
      mean_overlap: 1 / 3,
      judged_queries: 2,
      base: { recall: 1, ndcg: 1 },
      candidate: { recall: 0.5, ndcg: 0.5 },
    });
  });

  it('counts a chunk that entered the top k as a rank change and halves the overlap', async () => {
    const out = structured(
      await callTool(t.client, 'compare_generations', {
        kb: 'cmp',
        base: 1,
        candidate: 2,
        mode: 'lexical',
        queries: [{ query: 'apple' }],
      }),
      compareGenerations.outputSchema,
    );
    const [apple] = out.queries;
    expect(apple?.base.chunk_ids).toEqual(['apple-1']);
    expect([...(apple?.candidate.chunk_ids ?? [])].sort()).toEqual(['apple-1', 'fresh-1']);
    expect(apple?.overlap).toBe(0.5);
    expect(apple?.rank_changes.map((c) => c.chunk_id)).toContain('fresh-1');
  });

  it('names the missing generation', async () => {
    const result = await callTool(t.client, 'compare_generations', {
      kb: 'cmp',
      base: 1,
      candidate: 9,
      queries: [{ query: 'x' }],
    });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/^GENERATION_NOT_FOUND.*no generation 9/);
  });
});
