// Read-only mode: write tools are not registered at all, search and resources keep working.
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
import { makeTempDir, type TempDir } from '../helpers/temp-dir.js';

let dir: TempDir;
let t: TestServer;
beforeAll(async () => {
  dir = await makeTempDir();
  const writer = await startTestServer({ dataDir: dir.path });
  await callTool(writer.client, 'upsert_chunks', { kb: 'docs', chunks: sampleChunks() });
  await writer.close();
  t = await startTestServer({ dataDir: dir.path, args: ['--read-only'] });
});
afterAll(async () => {
  await t.close();
  await dir.remove();
});

it('lists only the read tools', async () => {
  const { tools } = await t.client.listTools();
  expect(tools.map((tool) => tool.name)).toEqual([
    'hybrid_search',
    'read_chunks',
    'read_document',
    'compare_generations',
  ]);
});

it('refuses calls to write tools', async () => {
  const result = await callTool(t.client, 'upsert_chunks', { kb: 'docs', chunks: sampleChunks() });
  expect(result.isError).toBe(true);
  expect(textOf(result)).toMatch(
    /Tool "upsert_chunks" not found; available tools: hybrid_search, read_chunks, read_document, compare_generations$/,
  );
});

it('still searches and reports read_only in status', async () => {
  const out = structured(
    await callTool(t.client, 'hybrid_search', { kb: 'docs', query: 'npm' }),
    hybridSearch.outputSchema,
  );
  expect(out.results.length).toBeGreaterThan(0);
  const status = await t.client.readResource({ uri: 'rag-studio://status' });
  expect(JSON.parse((status.contents[0] as { text: string }).text).read_only).toBe(true);
});
