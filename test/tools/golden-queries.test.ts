// Golden queries and gated promotion through a real MCP client: refused on a regression, allowed otherwise.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as promoteGeneration from '../../src/tools/promote-generation.js';
import * as setGoldenQueries from '../../src/tools/set-golden-queries.js';
import { goldenSetSchema } from '../../src/tools/eval-query-schema.js';
import {
  callTool,
  readJson,
  startTestServer,
  structured,
  textOf,
  type TestServer,
} from '../helpers/mcp-client.js';

let t: TestServer;
const GOLDEN_URI = 'rag-studio://knowledge-bases/gold/golden-queries';
const chunk = (id: string, content: string) => ({ chunk_id: `${id}-1`, document_id: id, content });
const ok = async (name: string, args: Record<string, unknown>) => {
  const result = await callTool(t.client, name, { kb: 'gold', ...args });
  expect(result.isError, textOf(result)).toBeFalsy();
  return result;
};
const active = async () => {
  const kbs = await t.engine.listKnowledgeBases();
  return kbs.find((kb) => kb.name === 'gold')?.activeGeneration;
};

beforeAll(async () => {
  t = await startTestServer();
  await ok('upsert_chunks', {
    chunks: [
      chunk('apple', 'apple fruit from the market'),
      chunk('car', 'car engine on the road'),
      chunk('rain', 'rain and cold weather'),
    ],
  });
});
afterAll(async () => {
  await t?.close();
});

describe('set_golden_queries', () => {
  it('starts empty, stores a set with a revision, and shows it in the resource', async () => {
    const before = await readJson(t.client, GOLDEN_URI, goldenSetSchema);
    expect(before).toMatchObject({ queries: [], revision: 0, gated: false });
    const stored = structured(
      await ok('set_golden_queries', {
        queries: [
          { query: 'apple', expected_document_ids: ['apple'] },
          { query: 'car engine', expected_document_ids: ['car'] },
        ],
        tolerance: 0.1,
        if_revision: 0,
      }),
      setGoldenQueries.outputSchema,
    );
    expect(stored).toMatchObject({ revision: 1, k: 10, tolerance: 0.1, gated: true });
    const read = await readJson(t.client, GOLDEN_URI, goldenSetSchema);
    expect(read).toEqual(stored);
  });

  it('refuses a write against a stale revision, and queries without expected documents', async () => {
    const stale = await callTool(t.client, 'set_golden_queries', {
      kb: 'gold',
      queries: [{ query: 'rain', expected_document_ids: ['rain'] }],
      if_revision: 0,
    });
    expect(stale.isError).toBe(true);
    expect(textOf(stale)).toMatch(/^CONFLICT: .*revision 1, not 0/);
    const noExpected = await callTool(t.client, 'set_golden_queries', {
      kb: 'gold',
      queries: [{ query: 'rain' }],
    });
    expect(noExpected.isError).toBe(true);
    expect(textOf(noExpected)).toMatch(/expected_document_ids/);
    expect((await readJson(t.client, GOLDEN_URI, goldenSetSchema)).revision).toBe(1);
  });

  it('is visible to another engine on the same data dir', async () => {
    const other = await startTestServer({ dataDir: t.dataDir });
    try {
      const read = await readJson(other.client, GOLDEN_URI, goldenSetSchema);
      expect(read.revision).toBe(1);
      expect(read.queries.map((q) => q.query)).toEqual(['apple', 'car engine']);
    } finally {
      await other.close();
    }
  });
});

describe('promote_generation with golden queries', () => {
  it('refuses a candidate that loses recall beyond the tolerance, with a report, and changes nothing', async () => {
    await ok('create_generation', { copy_from_active: true }); // generation 2
    await ok('delete_chunks', { generation: 2, document_ids: ['car'] });
    const refused = await callTool(t.client, 'promote_generation', { kb: 'gold', generation: 2 });
    expect(refused.isError).toBe(true);
    const text = textOf(refused);
    expect(text).toMatch(/^GATE_FAILED: promotion of generation 2 of "gold" refused/);
    expect(text).toMatch(/from 100\.0% \(active generation 1\) to 50\.0%/);
    expect(text).toMatch(/"car engine" 100\.0% → 0\.0% \(lost car\)/);
    expect(text).toMatch(/tolerance 10\.0%/);
    expect(text).toMatch(/Inspect with compare_generations, fix and rebuild/);
    expect(await active()).toBe(1);
  });

  it('allows a candidate that keeps recall, and reports the gate it passed', async () => {
    await ok('create_generation', { copy_from_active: true }); // generation 3
    await ok('upsert_chunks', { generation: 3, chunks: [chunk('snow', 'snow in winter')] });
    const out = structured(await ok('promote_generation', { generation: 3 }), promoteGeneration.outputSchema);
    expect(out.active_generation).toBe(3);
    expect(out.gate).toMatchObject({
      passed: true,
      base_generation: 1,
      candidate_generation: 3,
      base_recall: 1,
      candidate_recall: 1,
      drop: 0,
      regressions: [],
      golden_revision: 1,
    });
    expect(await active()).toBe(3);
  });

  it('lets a larger tolerance or gate: false through', async () => {
    const tolerant = structured(
      await ok('promote_generation', { generation: 2, tolerance: 0.5 }),
      promoteGeneration.outputSchema,
    );
    expect(tolerant.gate).toMatchObject({ passed: true, drop: 0.5, base_generation: 3 });
    expect(tolerant.gate?.regressions.map((r) => r.query)).toEqual(['car engine']);
    const rollback = structured(
      await ok('promote_generation', { generation: 3, gate: false }),
      promoteGeneration.outputSchema,
    );
    expect(rollback.gate).toBeNull();
    expect(await active()).toBe(3);
  });

  it('removes the gate with an empty set; gate: true then says how to set one', async () => {
    await ok('set_golden_queries', { queries: [] });
    expect(await readJson(t.client, GOLDEN_URI, goldenSetSchema)).toMatchObject({
      gated: false,
      revision: 2,
    });
    const ungated = structured(
      await ok('promote_generation', { generation: 2 }),
      promoteGeneration.outputSchema,
    );
    expect(ungated.gate).toBeNull();
    const forced = await callTool(t.client, 'promote_generation', { kb: 'gold', generation: 3, gate: true });
    expect(forced.isError).toBe(true);
    expect(textOf(forced)).toMatch(
      /^INVALID_STATE: gate: true, but "gold" has no golden queries.*set_golden_queries \(queries with expected_document_ids\)/,
    );
  });

  it('goes with the knowledge base: a KB recreated under the name starts without a gate', async () => {
    await ok('set_golden_queries', { queries: [{ query: 'apple', expected_document_ids: ['apple'] }] });
    await ok('delete_knowledge_base', { confirm: 'gold' });
    await ok('upsert_chunks', { chunks: [chunk('apple', 'apple again')] });
    expect(await readJson(t.client, GOLDEN_URI, goldenSetSchema)).toMatchObject({
      revision: 0,
      gated: false,
    });
  });
});
