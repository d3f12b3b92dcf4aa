// Without an embedding model: hybrid falls back to lexical and says so; vector mode fails with a code.
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as hybridSearch from '../../src/tools/hybrid-search.js';
import {
  callTool,
  sampleChunks,
  startTestServer,
  structured,
  textOf,
  type TestServer,
} from '../helpers/mcp-client.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ model: 'none' });
  // Without a model, chunks bring their own vectors (an `external` embedding space).
  const chunks = sampleChunks().map((chunk, i) => ({ ...chunk, embedding: [1, i, 0.5, -i] }));
  const result = await callTool(t.client, 'upsert_chunks', { kb: 'plain', chunks });
  expect(result.isError, textOf(result)).toBeFalsy();
});
afterAll(async () => t.close());

it('runs a text-only hybrid search lexically and explains why in warnings', async () => {
  const out = structured(
    await callTool(t.client, 'hybrid_search', { kb: 'plain', query: 'npm install' }),
    hybridSearch.outputSchema,
  );
  expect(out.mode).toBe('lexical');
  expect(out.warnings.length).toBeGreaterThan(0);
  expect(out.results.map((r) => r.chunk_id)).toContain('install-1');
});

it('still answers vector searches given a vector', async () => {
  const out = structured(
    await callTool(t.client, 'hybrid_search', {
      kb: 'plain',
      vector: [1, 0, 0.5, 0],
      mode: 'vector',
      limit: 2,
    }),
    hybridSearch.outputSchema,
  );
  expect(out.results).toHaveLength(2);
});

it('fails a text-only vector search clearly', async () => {
  const result = await callTool(t.client, 'hybrid_search', {
    kb: 'plain',
    query: 'npm install',
    mode: 'vector',
  });
  expect(result.isError).toBe(true);
  expect(textOf(result)).toMatch(/^[A-Z_]+: /);
});

it('reports no embedder in the status resource', async () => {
  const status = await t.client.readResource({ uri: 'rag-studio://status' });
  const first = status.contents[0] as { text: string };
  expect(JSON.parse(first.text).embedder).toBeNull();
});
