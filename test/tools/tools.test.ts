// Every tool through a real MCP client: listing, output schemas, schema violations and engine errors as isError.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOOLS } from '../../src/tools/index.js';
import * as hybridSearch from '../../src/tools/hybrid-search.js';
import * as upsertChunks from '../../src/tools/upsert-chunks.js';
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
  t = await startTestServer();
  structured(
    await callTool(t.client, 'upsert_chunks', { kb: 'docs', chunks: sampleChunks() }),
    upsertChunks.outputSchema,
  );
});
afterAll(async () => t.close());

describe('tools/list', () => {
  it('lists the tools with schemas, annotations and model-oriented descriptions', async () => {
    const { tools } = await t.client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual([
      'compare_generations',
      'create_generation',
      'delete_chunks',
      'delete_knowledge_base',
      'hybrid_search',
      'ingest_documents',
      'promote_generation',
      'read_chunks',
      'read_document',
      'run_gc',
      'set_golden_queries',
      'upsert_chunks',
    ]);
    for (const tool of tools) {
      expect(tool.outputSchema?.type, tool.name).toBe('object');
      expect(tool.inputSchema.type, tool.name).toBe('object');
      expect(tool.description?.length ?? 0, tool.name).toBeGreaterThan(200);
      expect(tool.annotations?.openWorldHint, tool.name).toBe(false);
    }
    const byName = Object.fromEntries(tools.map((tool) => [tool.name, tool]));
    expect(byName.hybrid_search?.annotations?.readOnlyHint).toBe(true);
    expect(byName.delete_chunks?.annotations?.destructiveHint).toBe(true);
    expect(byName.run_gc?.annotations?.destructiveHint).toBe(true);
    expect(byName.promote_generation?.annotations).toMatchObject({
      destructiveHint: false,
      idempotentHint: true,
    });
    expect(byName.hybrid_search?.description).toContain('"metadata.lang": "en"');
    expect(Object.keys(byName.hybrid_search?.inputSchema.properties ?? {}).sort()).toEqual([
      'content',
      'filter',
      'fusion',
      'generation',
      'group_by',
      'kb',
      'limit',
      'max_tokens',
      'mode',
      'offset',
      'per_document',
      'query',
      'rerank',
      'rerank_candidates',
      'vector',
      'vector_base64',
    ]);
    // Strict objects: clients see that no other argument is accepted.
    for (const tool of tools) expect(tool.inputSchema.additionalProperties).toBe(false);
  });
});

describe('structured output', () => {
  it('hybrid_search returns results, warnings and took_ms matching its output schema', async () => {
    const result = await callTool(t.client, 'hybrid_search', { kb: 'docs', query: 'install npm', limit: 3 });
    const out = structured(result, hybridSearch.outputSchema);
    expect(out.kb).toBe('docs');
    expect(out.results.length).toBeGreaterThan(0);
    expect(out.results.length).toBeLessThanOrEqual(3);
    // The only warning here is the test model's: hybrid ran, with nothing to fall back from.
    expect(out.mode).toBe('hybrid');
    expect(out.warnings).toEqual([expect.stringMatching(/the embedding model hash is not semantic/)]);
    // A fresh (uncached) search is timed: took_ms is the engine's measurement, not a placeholder 0.
    expect(out.cached).toBe(false);
    expect(out.took_ms).toBeGreaterThan(0);
    const install = out.results.find((r) => r.chunk_id === 'install-1');
    expect(install?.citation).toEqual({
      title: 'Installation',
      source_path: 'docs/guide.md',
      anchor: '#install',
      page_number: 1,
    });
    expect(install?.metadata).toEqual({ lang: 'en', tags: ['setup'] });
  });

  it('hybrid and vector searches on the non-semantic hash model warn; lexical ones do not', async () => {
    for (const mode of ['hybrid', 'vector'] as const) {
      const out = structured(
        await callTool(t.client, 'hybrid_search', { kb: 'docs', query: 'install npm', mode }),
        hybridSearch.outputSchema,
      );
      expect(out.warnings.join(' ')).toMatch(
        /the embedding model hash is not semantic \(it is for tests only\).*configure a real model \(RAG_STUDIO_EMBEDDING_MODEL, default Xenova\/bge-small-en-v1\.5\)$/,
      );
    }
    const lexical = structured(
      await callTool(t.client, 'hybrid_search', { kb: 'docs', query: 'install npm', mode: 'lexical' }),
      hybridSearch.outputSchema,
    );
    expect(lexical.warnings).toEqual([]);
  });

  it('upsert_chunks reports inserted vs updated', async () => {
    const [first] = sampleChunks();
    const out = structured(
      await callTool(t.client, 'upsert_chunks', {
        kb: 'docs',
        chunks: [{ ...first, content: `${first!.content} Updated.` }],
      }),
      upsertChunks.outputSchema,
    );
    expect(out).toMatchObject({ kb: 'docs', upserted: 1, inserted: 0, updated: 1 });
  });

  it('every tool result parses with its declared schema', async () => {
    const gen = structured(
      await callTool(t.client, 'create_generation', { kb: 'docs', copy_from_active: true }),
      TOOLS.create_generation.outputSchema,
    );
    expect(gen.status).toBe('building');
    structured(
      await callTool(t.client, 'delete_chunks', {
        kb: 'docs',
        document_ids: ['faq-de'],
        generation: gen.generation,
      }),
      TOOLS.delete_chunks.outputSchema,
    );
    structured(
      await callTool(t.client, 'promote_generation', { kb: 'docs', generation: gen.generation }),
      TOOLS.promote_generation.outputSchema,
    );
    structured(await callTool(t.client, 'run_gc', { dry_run: true }), TOOLS.run_gc.outputSchema);
  });
});

describe('schema violations are isError results, before the engine is touched', () => {
  const cases: Array<[string, string, Record<string, unknown>, RegExp]> = [
    ['missing kb', 'hybrid_search', { query: 'x' }, /kb/],
    ['kb outside the name rule', 'hybrid_search', { kb: '../etc', query: 'x' }, /kb must be 1-64 characters/],
    ['no query nor vector', 'hybrid_search', { kb: 'docs' }, /give `query` \(text\) or `vector`/],
    ['limit over 100', 'hybrid_search', { kb: 'docs', query: 'x', limit: 101 }, /limit/],
    ['unknown mode', 'hybrid_search', { kb: 'docs', query: 'x', mode: 'semantic' }, /mode/],
    [
      'unknown filter operator',
      'hybrid_search',
      { kb: 'docs', query: 'x', filter: { title: { $regex: '.*' } } },
      /unknown operator \$regex; .* at filter\.title/,
    ],
    ['empty chunk list', 'upsert_chunks', { kb: 'docs', chunks: [] }, /chunks/],
    [
      'chunk without content',
      'upsert_chunks',
      { kb: 'docs', chunks: [{ chunk_id: 'a', document_id: 'd' }] },
      /content/,
    ],
    ['string as generation', 'promote_generation', { kb: 'docs', generation: 'two' }, /generation/],
    ['delete without ids', 'delete_chunks', { kb: 'docs' }, /at least one id/],
    ['negative retention', 'run_gc', { retention_epochs: -1 }, /retention_epochs/],
  ];
  it.each(cases)('%s', async (_label, tool, args, pattern) => {
    const result = await callTool(t.client, tool, args);
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(pattern);
  });
});

describe('engine errors are isError results starting with the code', () => {
  it('KB_NOT_FOUND names the existing knowledge bases', async () => {
    const result = await callTool(t.client, 'hybrid_search', { kb: 'nope', query: 'x' });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/^KB_NOT_FOUND: .*nope/);
    expect(textOf(result)).toContain('docs');
  });

  it('an upper-case KB name is refused with the lower-case name suggested', async () => {
    const result = await callTool(t.client, 'upsert_chunks', {
      kb: 'Docs',
      chunks: [{ chunk_id: 'c', document_id: 'd', content: 'text' }],
    });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain('did you mean "docs"?');
    const search = await callTool(t.client, 'hybrid_search', { kb: 'Team Wiki', query: 'x' });
    expect(textOf(search)).toContain('did you mean "team-wiki"?');
  });

  it('GENERATION_NOT_FOUND for a generation that does not exist', async () => {
    const result = await callTool(t.client, 'promote_generation', { kb: 'docs', generation: 99 });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/^GENERATION_NOT_FOUND: /);
  });

  it('a wrong-dimension vector is rejected with a code, not a crash', async () => {
    const result = await callTool(t.client, 'hybrid_search', {
      kb: 'docs',
      vector: [0.1, 0.2, 0.3],
      mode: 'vector',
    });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/^(DIMENSION_MISMATCH|INVALID_INPUT): /);
  });

  it('a rejected upsert batch writes nothing and lists the bad chunk', async () => {
    const chunks = [
      { chunk_id: 'ok-1', document_id: 'd', content: 'fine' },
      { chunk_id: 'bad-1', document_id: 'd', content: 'wrong vector', embedding: [1, 2] },
    ];
    const result = await callTool(t.client, 'upsert_chunks', { kb: 'docs', chunks });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/^(DIMENSION_MISMATCH|INVALID_INPUT): /);
    const search = structured(
      await callTool(t.client, 'hybrid_search', {
        kb: 'docs',
        query: 'fine',
        mode: 'lexical',
        filter: { chunk_id: 'ok-1' },
      }),
      hybridSearch.outputSchema,
    );
    expect(search.results).toEqual([]);
  });
});
