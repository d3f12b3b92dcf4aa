// Every documented limit: a call at the limit passes, one past it fails with a clear error naming the limit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HashEmbedder } from '../../src/engine/embedding/index.js';
import {
  DEFAULT_LIMITS,
  isEngineError,
  openEngine,
  type KnowledgeBaseEngine,
} from '../../src/engine/index.js';
import { callTool, readJson, startTestServer, textOf, type TestServer } from '../helpers/mcp-client.js';
import { makeTempDir, type TempDir } from '../helpers/temp-dir.js';
import { FUZZ_LIMITS, FUZZ_SERVER_ARGS } from './harness/fuzz-calls.js';
import { nested } from './harness/fuzz-values.js';
import { z } from 'zod';

const L = { ...FUZZ_LIMITS, maxLimit: 20 };
let t: TestServer;

beforeAll(async () => {
  t = await startTestServer({ args: [...FUZZ_SERVER_ARGS, '--max-limit', String(L.maxLimit)] });
  await callTool(t.client, 'upsert_chunks', {
    kb: 'docs',
    chunks: [{ chunk_id: 'c0', document_id: 'd0', content: 'alpha limits' }],
  });
});
afterAll(async () => t?.close());

const chunk = (i: number, extra: Record<string, unknown> = {}) => ({
  chunk_id: `c${i}`,
  document_id: 'd',
  content: 'alpha',
  ...extra,
});

/** Expects success for `atLimit` and, for `overLimit`, an isError whose text starts with one of `codes` and matches `says`. */
async function limitHolds(
  tool: string,
  atLimit: Record<string, unknown>,
  overLimit: Record<string, unknown>,
  codes: string[],
  says: RegExp,
) {
  const ok = await callTool(t.client, tool, atLimit);
  expect(ok.isError ? textOf(ok) : 'ok').toBe('ok');
  const refused = await callTool(t.client, tool, overLimit);
  expect(refused.isError).toBe(true);
  const text = textOf(refused);
  expect(
    codes.some((code) => text.startsWith(`${code}: `)),
    text,
  ).toBe(true);
  expect(text).toMatch(says);
}

describe('configured limits, through MCP', () => {
  it('reports every configured limit in rag-studio://status', async () => {
    const status = await readJson(
      t.client,
      'rag-studio://status',
      z.object({ limits: z.record(z.string(), z.number()) }),
    );
    expect(status.limits).toMatchObject({
      max_chunks_per_call: L.maxChunksPerCall,
      max_content_bytes: L.maxContentBytes,
      max_metadata_bytes: L.maxMetadataBytes,
      max_metadata_depth: L.maxMetadataDepth,
      max_query_length: L.maxQueryLength,
      max_limit: L.maxLimit,
      max_filter_nodes: L.maxFilterNodes,
      max_filter_depth: L.maxFilterDepth,
      max_delete_ids: L.maxDeleteIds,
    });
  });

  it('content bytes per chunk (UTF-8 bytes, not characters)', async () => {
    const at = 'é'.repeat(L.maxContentBytes / 2);
    await limitHolds(
      'upsert_chunks',
      { kb: 'docs', chunks: [chunk(1, { content: at })] },
      { kb: 'docs', chunks: [chunk(1, { content: `${at}x` })] },
      ['INVALID_INPUT'],
      new RegExp(`${L.maxContentBytes + 1} bytes.*limit is ${L.maxContentBytes}`),
    );
  });

  it('chunks per call', async () => {
    const many = (n: number) => Array.from({ length: n }, (_, i) => chunk(i));
    await limitHolds(
      'upsert_chunks',
      { kb: 'docs', chunks: many(L.maxChunksPerCall) },
      { kb: 'docs', chunks: many(L.maxChunksPerCall + 1) },
      ['LIMIT_EXCEEDED'],
      new RegExp(`at most ${L.maxChunksPerCall}`),
    );
  });

  it('metadata bytes', async () => {
    // {"a":"…"} is 8 bytes plus the string.
    const md = (n: number) => ({ a: 'x'.repeat(n - 8) });
    await limitHolds(
      'upsert_chunks',
      { kb: 'docs', chunks: [chunk(1, { metadata: md(L.maxMetadataBytes) })] },
      { kb: 'docs', chunks: [chunk(1, { metadata: md(L.maxMetadataBytes + 1) })] },
      ['INVALID_INPUT'],
      new RegExp(`limit is ${L.maxMetadataBytes}`),
    );
  });

  it('metadata depth', async () => {
    await limitHolds(
      'upsert_chunks',
      { kb: 'docs', chunks: [chunk(1, { metadata: nested(L.maxMetadataDepth) })] },
      { kb: 'docs', chunks: [chunk(1, { metadata: nested(L.maxMetadataDepth + 1) })] },
      ['INVALID_INPUT'],
      new RegExp(`deeper than ${L.maxMetadataDepth}`),
    );
  });

  it('id length', async () => {
    const id = (n: number) => 'i'.repeat(n);
    await limitHolds(
      'upsert_chunks',
      { kb: 'docs', chunks: [chunk(1, { chunk_id: id(L.maxIdLength) })] },
      { kb: 'docs', chunks: [chunk(1, { chunk_id: id(L.maxIdLength + 1) })] },
      ['INVALID_INPUT'],
      new RegExp(`limit is ${L.maxIdLength}`),
    );
  });

  it('query length', async () => {
    const q = (n: number) => `alpha ${'q'.repeat(n - 6)}`;
    await limitHolds(
      'hybrid_search',
      { kb: 'docs', query: q(L.maxQueryLength) },
      { kb: 'docs', query: q(L.maxQueryLength + 1) },
      ['LIMIT_EXCEEDED'],
      /RAG_STUDIO_MAX_QUERY_LENGTH/,
    );
  });

  it('search limit (configured, no tool cap of its own) and offset', async () => {
    await limitHolds(
      'hybrid_search',
      { kb: 'docs', query: 'alpha', limit: L.maxLimit },
      { kb: 'docs', query: 'alpha', limit: L.maxLimit + 1 },
      ['INVALID_INPUT', 'LIMIT_EXCEEDED'],
      new RegExp(`1 to ${L.maxLimit}`),
    );
    await limitHolds(
      'hybrid_search',
      { kb: 'docs', query: 'alpha', offset: L.maxOffset },
      { kb: 'docs', query: 'alpha', offset: L.maxOffset + 1 },
      ['INVALID_INPUT', 'LIMIT_EXCEEDED'],
      new RegExp(`0 to ${L.maxOffset}`),
    );
    // The engine, not a schema constant, refuses a limit: its message names the configured maximum.
    const over = await callTool(t.client, 'hybrid_search', { kb: 'docs', query: 'alpha', limit: 101 });
    expect(textOf(over)).toMatch(
      new RegExp(`^INVALID_INPUT: limit must be an integer from 1 to ${L.maxLimit}`),
    );
  });

  it('a limit configured above the default 100 is usable through the tool', async () => {
    const wide = await startTestServer({ args: ['--max-limit', '150'] });
    try {
      await callTool(wide.client, 'upsert_chunks', {
        kb: 'docs',
        chunks: Array.from({ length: 120 }, (_, i) => chunk(i, { content: `alpha ${i}` })),
      });
      const many = await callTool(wide.client, 'hybrid_search', { kb: 'docs', query: 'alpha', limit: 150 });
      expect(many.isError ? textOf(many) : 'ok').toBe('ok');
      expect((many.structuredContent as { results: unknown[] }).results).toHaveLength(120);
      const over = await callTool(wide.client, 'hybrid_search', { kb: 'docs', query: 'alpha', limit: 151 });
      expect(textOf(over)).toMatch(/^INVALID_INPUT: limit must be an integer from 1 to 150/);
    } finally {
      await wide.close();
    }
  });

  it('filter nodes: the object, the condition, the operator and each $in value count one', async () => {
    const f = (values: number) => ({ chunk_id: { $in: Array.from({ length: values }, (_, i) => `v${i}`) } });
    await limitHolds(
      'hybrid_search',
      { kb: 'docs', query: 'alpha', filter: f(L.maxFilterNodes - 3) },
      { kb: 'docs', query: 'alpha', filter: f(L.maxFilterNodes - 2) },
      ['INVALID_INPUT', 'LIMIT_EXCEEDED'],
      new RegExp(`more than ${L.maxFilterNodes} nodes`),
    );
  });

  it('filter depth: a flat filter is depth 1, each $and/$or adds one', async () => {
    const f = (depth: number) => {
      let filter: Record<string, unknown> = { document_id: 'd' };
      for (let i = 1; i < depth; i++) filter = { $and: [filter] };
      return filter;
    };
    await limitHolds(
      'hybrid_search',
      { kb: 'docs', query: 'alpha', filter: f(L.maxFilterDepth) },
      { kb: 'docs', query: 'alpha', filter: f(L.maxFilterDepth + 1) },
      ['INVALID_INPUT', 'LIMIT_EXCEEDED'],
      new RegExp(`deeper than ${L.maxFilterDepth}`),
    );
  });

  it('ids per delete call', async () => {
    const ids = (n: number, p = 'x') => Array.from({ length: n }, (_, i) => `${p}${i}`);
    await limitHolds(
      'delete_chunks',
      { kb: 'docs', chunk_ids: ids(L.maxDeleteIds) },
      { kb: 'docs', chunk_ids: ids(L.maxDeleteIds + 1) },
      ['LIMIT_EXCEEDED'],
      new RegExp(`at most ${L.maxDeleteIds}`),
    );
  });

  it('ids per delete call count chunk_ids plus document_ids together, as documented', async () => {
    // DEFAULT_LIMITS.maxDeleteIds: "Chunk ids plus document ids in one delete call" (they were once checked apart).
    const half = L.maxDeleteIds / 2;
    const ids = (n: number, p: string) => Array.from({ length: n }, (_, i) => `${p}${i}`);
    await limitHolds(
      'delete_chunks',
      { kb: 'docs', chunk_ids: ids(half, 'c'), document_ids: ids(half, 'd') },
      { kb: 'docs', chunk_ids: ids(half, 'c'), document_ids: ids(half + 1, 'd') },
      ['LIMIT_EXCEEDED'],
      new RegExp(`${L.maxDeleteIds}`),
    );
  });
});

describe('default limits, on the engine', () => {
  let dir: TempDir;
  let engine: KnowledgeBaseEngine;
  beforeAll(async () => {
    dir = await makeTempDir();
    engine = await openEngine({ dataDir: dir.path, embedder: new HashEmbedder() });
    await engine.upsertChunks('docs', [{ chunkId: 'c0', documentId: 'd0', content: 'alpha defaults' }]);
  });
  afterAll(async () => {
    await engine?.close();
    await dir?.remove();
  });

  const refused = async (call: Promise<unknown>, code: string, says: RegExp) => {
    const error = await call.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isEngineError(error), String(error)).toBe(true);
    expect((error as { code: string }).code).toBe(code);
    expect((error as Error).message).toMatch(says);
  };
  const D = DEFAULT_LIMITS;

  it('are the documented values', () => {
    expect(engine.limits).toEqual({
      maxChunksPerCall: 100_000,
      maxContentBytes: 262_144,
      maxMetadataBytes: 16_384,
      maxMetadataDepth: 8,
      maxIdLength: 512,
      maxQueryLength: 4096,
      maxLimit: 100,
      maxOffset: 10_000,
      maxFilterNodes: 64,
      maxFilterDepth: 6,
      maxDeleteIds: 10_000,
      maxCitationBytes: 4096,
      maxSearchCacheBytes: 64 * 1024 * 1024,
    });
  });

  it('content: 256 KiB passes, one byte more is refused', async () => {
    await engine.upsertChunks('docs', [
      { chunkId: 'big', documentId: 'd', content: `alpha ${'x'.repeat(D.maxContentBytes - 6)}` },
    ]);
    await refused(
      engine.upsertChunks('docs', [
        { chunkId: 'big', documentId: 'd', content: `alpha ${'x'.repeat(D.maxContentBytes - 5)}` },
      ]),
      'INVALID_INPUT',
      /262145 bytes/,
    );
  });

  it('chunks, metadata, query, limit, offset, filter and delete ids one past the default', async () => {
    const one = (extra: Record<string, unknown>) => [
      { chunkId: 'm', documentId: 'd', content: 'alpha', ...extra },
    ];
    await refused(
      engine.upsertChunks(
        'docs',
        Array.from({ length: D.maxChunksPerCall + 1 }, () => ({}) as never),
      ),
      'LIMIT_EXCEEDED',
      /100000/,
    );
    await refused(
      engine.upsertChunks('docs', one({ metadata: { a: 'x'.repeat(D.maxMetadataBytes) } })),
      'INVALID_INPUT',
      /16384/,
    );
    await refused(
      engine.upsertChunks('docs', one({ metadata: nested(D.maxMetadataDepth + 1) })),
      'INVALID_INPUT',
      /deeper than 8/,
    );
    await refused(
      engine.search({ kb: 'docs', text: 'q'.repeat(D.maxQueryLength + 1) }),
      'LIMIT_EXCEEDED',
      /4096/,
    );
    await refused(
      engine.search({ kb: 'docs', text: 'alpha', limit: D.maxLimit + 1 }),
      'INVALID_INPUT',
      /1 to 100/,
    );
    await refused(
      engine.search({ kb: 'docs', text: 'alpha', offset: D.maxOffset + 1 }),
      'INVALID_INPUT',
      /0 to 10000/,
    );
    await refused(
      engine.search({
        kb: 'docs',
        text: 'alpha',
        filter: { chunk_id: { $in: Array.from({ length: D.maxFilterNodes }, (_, i) => `v${i}`) } },
      }),
      'INVALID_INPUT',
      /more than 64 nodes/,
    );
    let deep: Record<string, unknown> = { document_id: 'd' };
    for (let i = 0; i < D.maxFilterDepth; i++) deep = { $or: [deep] };
    await refused(
      engine.search({ kb: 'docs', text: 'alpha', filter: deep as never }),
      'INVALID_INPUT',
      /deeper than 6/,
    );
    await refused(
      engine.deleteChunks('docs', {
        chunkIds: Array.from({ length: D.maxDeleteIds + 1 }, (_, i) => `x${i}`),
      }),
      'LIMIT_EXCEEDED',
      /10000/,
    );
    // And the largest legal values pass.
    await engine.search({
      kb: 'docs',
      text: 'q'.repeat(D.maxQueryLength),
      limit: D.maxLimit,
      offset: D.maxOffset,
    });
    await engine.deleteChunks('docs', {
      chunkIds: Array.from({ length: D.maxDeleteIds }, (_, i) => `x${i}`),
    });
  });
});
