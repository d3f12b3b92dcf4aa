// The whole agent journey over MCP: create a KB, search three ways with filters, rebuild, promote, roll back, GC.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { contentSchema as generationsSchema } from '../../src/resources/generations.js';
import { TOOLS } from '../../src/tools/index.js';
import {
  callTool,
  readJson,
  sampleChunks,
  startTestServer,
  structured,
  type TestServer,
} from '../helpers/mcp-client.js';

let t: TestServer;
const KB = 'handbook';

const search = async (args: Record<string, unknown>) =>
  structured(
    await callTool(t.client, 'hybrid_search', { kb: KB, ...args }),
    TOOLS.hybrid_search.outputSchema,
  );
const ids = (out: { results: Array<{ chunk_id: string }> }) => out.results.map((r) => r.chunk_id);
const generations = async () =>
  (await readJson(t.client, `rag-studio://knowledge-bases/${KB}/generations`, generationsSchema)).generations;

beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => t.close());

it('creates the knowledge base on the first upsert', async () => {
  const out = structured(
    await callTool(t.client, 'upsert_chunks', { kb: KB, chunks: sampleChunks() }),
    TOOLS.upsert_chunks.outputSchema,
  );
  expect(out).toMatchObject({ kb: KB, generation: 1, upserted: 4, inserted: 4, updated: 0 });
});

it('searches lexically with a metadata filter', async () => {
  const out = await search({ query: 'npm', mode: 'lexical', filter: { 'metadata.lang': 'en' } });
  expect(out.mode).toBe('lexical');
  expect(ids(out)).toContain('install-1');
  expect(ids(out)).not.toContain('faq-de-1');
  expect(out.results.every((r) => r.metadata.lang === 'en')).toBe(true);
  expect(out.results[0]?.scores.lexical).toBeGreaterThan(0);
});

it('searches by vector with an $in filter', async () => {
  const out = await search({
    query: 'install with npm ci',
    mode: 'vector',
    filter: { document_id: { $in: ['guide'] } },
  });
  expect(out.mode).toBe('vector');
  expect(out.results.length).toBe(2);
  expect(out.results.every((r) => r.document_id === 'guide')).toBe(true);
  expect(out.results[0]?.scores.vector).toEqual(expect.any(Number));
});

it('searches hybrid with range and $or filters and each fusion method', async () => {
  for (const fusion of ['rrf', 'weighted', 'adaptive'] as const) {
    const out = await search({
      query: 'garbage collection configuration',
      fusion,
      filter: { page_number: { $gte: 3 } },
    });
    expect(out.mode).toBe('hybrid');
    expect(out.fusion).toBe(fusion);
    expect(ids(out).sort()).toEqual(['config-1', 'faq-1']);
  }
  const either = await search({
    query: 'install',
    filter: { $or: [{ 'metadata.lang': 'de' }, { anchor: '#config' }] },
  });
  expect(ids(either).sort()).toEqual(['config-1', 'faq-de-1']);
  const injected = await search({ query: 'install', filter: { title: "x' OR '1'='1" } });
  expect(injected.results).toEqual([]);
});

it('pages with limit and offset', async () => {
  const all = await search({ query: 'npm install configuration garbage', mode: 'lexical', limit: 10 });
  const second = await search({
    query: 'npm install configuration garbage',
    mode: 'lexical',
    limit: 1,
    offset: 1,
  });
  expect(ids(second)).toEqual(ids(all).slice(1, 2));
});

it('builds a new generation invisibly, promotes it, and rolls back', async () => {
  const created = structured(
    await callTool(t.client, 'create_generation', { kb: KB, copy_from_active: true }),
    TOOLS.create_generation.outputSchema,
  );
  expect(created).toMatchObject({ kb: KB, generation: 2, status: 'building', copied: 4 });

  const extra = {
    chunk_id: 'release-1',
    document_id: 'notes',
    content: 'Release notes: zebra crossing feature added.',
  };
  structured(
    await callTool(t.client, 'upsert_chunks', { kb: KB, generation: 2, chunks: [extra] }),
    TOOLS.upsert_chunks.outputSchema,
  );
  expect(ids(await search({ query: 'zebra', mode: 'lexical' }))).toEqual([]);
  const preview = await search({ query: 'zebra', mode: 'lexical', generation: 2 });
  expect(preview.generation).toBe(2);
  expect(ids(preview)).toEqual(['release-1']);

  const promoted = structured(
    await callTool(t.client, 'promote_generation', { kb: KB, generation: 2 }),
    TOOLS.promote_generation.outputSchema,
  );
  expect(promoted).toMatchObject({ active_generation: 2, previous_generation: 1, unchanged: false });
  expect(ids(await search({ query: 'zebra', mode: 'lexical' }))).toEqual(['release-1']);

  const again = structured(
    await callTool(t.client, 'promote_generation', { kb: KB, generation: 2 }),
    TOOLS.promote_generation.outputSchema,
  );
  expect(again).toMatchObject({ active_generation: 2, unchanged: true, epoch: promoted.epoch });

  const rollback = structured(
    await callTool(t.client, 'promote_generation', { kb: KB, generation: 1 }),
    TOOLS.promote_generation.outputSchema,
  );
  expect(rollback).toMatchObject({ active_generation: 1, previous_generation: 2 });
  expect(rollback.epoch).toBeGreaterThan(promoted.epoch);
  expect(ids(await search({ query: 'zebra', mode: 'lexical' }))).toEqual([]);
  expect(Object.fromEntries((await generations()).map((g) => [g.generation, g.status]))).toEqual({
    1: 'active',
    2: 'archived',
  });
});

it('deletes a whole document', async () => {
  const out = structured(
    await callTool(t.client, 'delete_chunks', { kb: KB, document_ids: ['faq-de'] }),
    TOOLS.delete_chunks.outputSchema,
  );
  expect(out).toMatchObject({ kb: KB, generation: 1, deleted: 1 });
  expect(ids(await search({ query: 'Installation Deutsch', mode: 'lexical' }))).not.toContain('faq-de-1');
});

it('collects garbage: the dry run predicts exactly what the real run deletes', async () => {
  // One more promotion puts generation 2 a full epoch behind, outside a zero retention window.
  const created = structured(
    await callTool(t.client, 'create_generation', { kb: KB, copy_from_active: true }),
    TOOLS.create_generation.outputSchema,
  );
  await callTool(t.client, 'promote_generation', { kb: KB, generation: created.generation });
  const policy = { kb: KB, retention_epochs: 0, min_age_seconds: 0 };

  const dry = structured(
    await callTool(t.client, 'run_gc', { ...policy, dry_run: true }),
    TOOLS.run_gc.outputSchema,
  );
  expect(dry.dry_run).toBe(true);
  expect(dry.deleted.map((d) => d.generation)).toContain(2);
  expect(dry.deleted.map((d) => d.generation)).not.toContain(created.generation);
  expect((await generations()).map((g) => g.generation)).toContain(2);

  const real = structured(await callTool(t.client, 'run_gc', policy), TOOLS.run_gc.outputSchema);
  expect(real.dry_run).toBe(false);
  const key = (d: { kb: string; generation: number }) => `${d.kb}/${d.generation}`;
  expect(real.deleted.map(key).sort()).toEqual(dry.deleted.map(key).sort());
  expect(real.reclaimed_bytes).toBeGreaterThan(0);
  const left = await generations();
  expect(left.map((g) => g.generation)).not.toContain(2);
  expect(left.find((g) => g.status === 'active')?.generation).toBe(created.generation);
  expect(ids(await search({ query: 'npm', mode: 'lexical' }))).toContain('install-1');
});
