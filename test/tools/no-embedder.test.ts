// Without an embedding model (`none`): text chunks go into a lexical-only generation, hybrid answers lexically
// with a warning, caller-supplied vectors still work, and a rebuild once a model is configured embeds them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detailContentSchema } from '../../src/resources/knowledge-bases.js';
import * as createGeneration from '../../src/tools/create-generation.js';
import * as hybridSearch from '../../src/tools/hybrid-search.js';
import * as upsertChunks from '../../src/tools/upsert-chunks.js';
import {
  callTool,
  readJson,
  sampleChunks,
  startTestServer,
  structured,
  textOf,
  type TestServer,
} from '../helpers/mcp-client.js';
import { makeTempDir, type TempDir } from '../helpers/temp-dir.js';

let t: TestServer;
let dir: TempDir;
beforeAll(async () => {
  dir = await makeTempDir('rag-studio-none-');
  t = await startTestServer({ model: 'none', dataDir: dir.path });
  // Caller-supplied vectors make an `external` space, as before.
  const chunks = sampleChunks().map((chunk, i) => ({ ...chunk, embedding: [1, i, 0.5, -i] }));
  const result = await callTool(t.client, 'upsert_chunks', { kb: 'plain', chunks });
  expect(result.isError, textOf(result)).toBeFalsy();
});
afterAll(async () => {
  await t.close();
  await dir.remove();
});

describe('caller-supplied vectors', () => {
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

  it('refuses a call where only some chunks bring a vector, saying both ways out', async () => {
    const [first, second] = sampleChunks();
    const result = await callTool(t.client, 'upsert_chunks', {
      kb: 'mixed',
      chunks: [{ ...first, embedding: [1, 0, 0, 0] }, second],
    });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/^EMBEDDER_UNAVAILABLE: .*every chunk, or none at all/);
  });
});

describe('text chunks: a lexical-only knowledge base', () => {
  it('stores text-only chunks without an embedding model', async () => {
    const out = structured(
      await callTool(t.client, 'upsert_chunks', { kb: 'notes', chunks: sampleChunks() }),
      upsertChunks.outputSchema,
    );
    expect(out.inserted).toBe(sampleChunks().length);
    const detail = await readJson(t.client, 'rag-studio://knowledge-bases/notes', detailContentSchema);
    expect(detail.embedding_model).toBe('lexical-only');
    expect(detail.dimension).toBe(0);
  });

  it('answers lexical searches', async () => {
    const out = structured(
      await callTool(t.client, 'hybrid_search', {
        kb: 'notes',
        query: 'garbage collection',
        mode: 'lexical',
      }),
      hybridSearch.outputSchema,
    );
    expect(out.results[0]?.chunk_id).toBe('faq-1');
    expect(out.warnings).toEqual([]);
  });

  it('answers hybrid searches lexically, with a warning saying how to add vectors', async () => {
    const out = structured(
      await callTool(t.client, 'hybrid_search', { kb: 'notes', query: 'npm install' }),
      hybridSearch.outputSchema,
    );
    expect(out.mode).toBe('lexical');
    expect(out.results[0]?.chunk_id).toBe('install-1');
    expect(out.warnings.join(' ')).toMatch(/lexical-only/);
    expect(out.warnings.join(' ')).toContain(
      'To add vectors, configure an embedding model (RAG_STUDIO_EMBEDDING_MODEL), then create_generation with ' +
        'copy_from_active (it embeds every chunk) and promote_generation.',
    );
  });

  it('refuses vector mode and chunks that bring vectors, with the code first', async () => {
    const search = await callTool(t.client, 'hybrid_search', { kb: 'notes', query: 'npm', mode: 'vector' });
    expect(textOf(search)).toMatch(/^INVALID_INPUT: .*lexical-only/);
    const [first] = sampleChunks();
    const upsert = await callTool(t.client, 'upsert_chunks', {
      kb: 'notes',
      chunks: [{ ...first, chunk_id: 'v', embedding: [1, 2, 3, 4] }],
    });
    expect(textOf(upsert)).toMatch(/^MODEL_MISMATCH: .*lexical-only/);
  });

  it('copies lexical-only while still without a model', async () => {
    const out = structured(
      await callTool(t.client, 'create_generation', { kb: 'notes', copy_from_active: true }),
      createGeneration.outputSchema,
    );
    expect(out.copied).toBe(sampleChunks().length);
    const search = structured(
      await callTool(t.client, 'hybrid_search', { kb: 'notes', query: 'npm', generation: out.generation }),
      hybridSearch.outputSchema,
    );
    expect(search.mode).toBe('lexical');
    expect(search.results.length).toBeGreaterThan(0);
  });
});

describe('the rebuild once a model is configured', () => {
  it('create_generation copy_from_active embeds every chunk; promoted, hybrid search runs both sides', async () => {
    await t.close();
    t = await startTestServer({ model: 'hash', dataDir: dir.path });
    // The old generation stays lexical-only even now that a model exists: writes to it store no vectors.
    const late = structured(
      await callTool(t.client, 'upsert_chunks', {
        kb: 'notes',
        chunks: [
          { chunk_id: 'late-1', document_id: 'late', content: 'Written after the model was configured.' },
        ],
      }),
      upsertChunks.outputSchema,
    );
    expect(late.inserted).toBe(1);

    const rebuilt = structured(
      await callTool(t.client, 'create_generation', { kb: 'notes', copy_from_active: true }),
      createGeneration.outputSchema,
    );
    expect(rebuilt.copied).toBe(sampleChunks().length + 1);
    const promoted = await callTool(t.client, 'promote_generation', {
      kb: 'notes',
      generation: rebuilt.generation,
    });
    expect(promoted.isError, textOf(promoted)).toBeFalsy();

    const detail = await readJson(t.client, 'rag-studio://knowledge-bases/notes', detailContentSchema);
    expect(detail.embedding_model).toBe('hash');
    expect(detail.dimension).toBe(384);
    const out = structured(
      await callTool(t.client, 'hybrid_search', { kb: 'notes', query: 'npm install', limit: 5 }),
      hybridSearch.outputSchema,
    );
    expect(out.mode).toBe('hybrid');
    expect(out.results.every((r) => r.scores.vector !== undefined || r.scores.lexical !== undefined)).toBe(
      true,
    );
    expect(out.results.some((r) => r.scores.vector !== undefined)).toBe(true);
    const vectorOnly = structured(
      await callTool(t.client, 'hybrid_search', { kb: 'notes', query: 'model configured', mode: 'vector' }),
      hybridSearch.outputSchema,
    );
    expect(vectorOnly.results.map((r) => r.chunk_id)).toContain('late-1');
  });
});

it('reports no embedder in the status resource', async () => {
  const noModel = await startTestServer({ model: 'none' });
  try {
    const status = await noModel.client.readResource({ uri: 'rag-studio://status' });
    const first = status.contents[0] as { text: string };
    expect(JSON.parse(first.text).embedder).toBeNull();
  } finally {
    await noModel.close();
  }
});
