// Every resource through a real MCP client: listing, templates, completion, JSON content, misses, list_changed.
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentSchema as generationsSchema } from '../../src/resources/generations.js';
import { RESOURCE_NOT_FOUND } from '../../src/resources/index.js';
import { detailContentSchema, listContentSchema } from '../../src/resources/knowledge-bases.js';
import { contentSchema as statusSchema } from '../../src/resources/status.js';
import {
  callTool,
  readJson,
  sampleChunks,
  startTestServer,
  structured,
  type TestServer,
} from '../helpers/mcp-client.js';
import * as upsertChunks from '../../src/tools/upsert-chunks.js';

let t: TestServer;

beforeAll(async () => {
  t = await startTestServer();
  for (const kb of ['alpha', 'alpine', 'beta']) {
    structured(
      await callTool(t.client, 'upsert_chunks', { kb, chunks: sampleChunks() }),
      upsertChunks.outputSchema,
    );
  }
});
afterAll(async () => t.close());

describe('listing', () => {
  it('lists the fixed resources and one entry per knowledge base', async () => {
    const { resources } = await t.client.listResources();
    const uris = resources.map((r) => r.uri);
    expect(uris).toEqual(
      expect.arrayContaining([
        'rag-studio://knowledge-bases',
        'rag-studio://status',
        'rag-studio://knowledge-bases/alpha',
        'rag-studio://knowledge-bases/alpine',
        'rag-studio://knowledge-bases/beta',
      ]),
    );
    expect(resources.every((r) => r.mimeType === 'application/json')).toBe(true);
  });

  it('lists every template', async () => {
    const { resourceTemplates } = await t.client.listResourceTemplates();
    expect(resourceTemplates.map((r) => r.uriTemplate).sort()).toEqual([
      'rag-studio://jobs/{id}',
      'rag-studio://knowledge-bases/{kb}',
      'rag-studio://knowledge-bases/{kb}/documents',
      'rag-studio://knowledge-bases/{kb}/documents{?offset,limit,path}',
      'rag-studio://knowledge-bases/{kb}/documents{?offset,limit}',
      'rag-studio://knowledge-bases/{kb}/generations',
      'rag-studio://knowledge-bases/{kb}/golden-queries',
    ]);
  });

  it('completes kb names for both templates', async () => {
    for (const uri of [
      'rag-studio://knowledge-bases/{kb}',
      'rag-studio://knowledge-bases/{kb}/generations',
    ]) {
      const { completion } = await t.client.complete({
        ref: { type: 'ref/resource', uri },
        argument: { name: 'kb', value: 'al' },
      });
      expect(completion.values.sort()).toEqual(['alpha', 'alpine']);
    }
  });
});

describe('reading', () => {
  it('rag-studio://knowledge-bases summarises every KB', async () => {
    const list = await readJson(t.client, 'rag-studio://knowledge-bases', listContentSchema);
    const alpha = list.knowledge_bases.find((kb) => kb.name === 'alpha');
    expect(alpha).toMatchObject({
      active_generation: 1,
      chunk_count: 4,
      embedding_model: 'hash',
      dimension: 384,
    });
    expect(alpha!.bytes).toBeGreaterThan(0);
  });

  it('rag-studio://knowledge-bases/{kb} details one KB', async () => {
    const detail = await readJson(t.client, 'rag-studio://knowledge-bases/beta', detailContentSchema);
    expect(detail).toMatchObject({ name: 'beta', active_generation: 1, epoch: expect.any(Number) });
    expect(detail.generations.map((g) => g.status)).toEqual(['active']);
  });

  it('rag-studio://knowledge-bases/{kb}/generations lists generations', async () => {
    const gens = await readJson(
      t.client,
      'rag-studio://knowledge-bases/alpha/generations',
      generationsSchema,
    );
    expect(gens.kb).toBe('alpha');
    expect(gens.generations[0]).toMatchObject({
      generation: 1,
      status: 'active',
      chunk_count: 4,
      embedding_model: 'hash',
    });
  });

  it('rag-studio://status reports version, data dir, embedder and GC loop', async () => {
    const status = await readJson(t.client, 'rag-studio://status', statusSchema);
    expect(status.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(status.data_dir).toBe(t.dataDir);
    expect(status.embedder).toMatchObject({ model: 'hash', dimension: 384, state: 'ready' });
    expect(status.reranker).toBeNull();
    expect(status.gc.interval_seconds).toBe(0);
    expect(status.limits.max_chunks_per_call).toBeGreaterThan(0);
  });

  it('an unknown KB is a resource-not-found protocol error', async () => {
    for (const uri of [
      'rag-studio://knowledge-bases/missing',
      'rag-studio://knowledge-bases/missing/generations',
    ]) {
      const error = await t.client.readResource({ uri }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(McpError);
      expect((error as McpError).code).toBe(RESOURCE_NOT_FOUND);
      // Exactly what the README promises a client sees: one SDK prefix, then the engine's code.
      expect((error as McpError).message).toBe(
        'MCP error -32002: KB_NOT_FOUND: no knowledge base "missing"; existing: alpha, alpine, beta. ' +
          'Upsert chunks into a new name to create one.',
      );
    }
  });

  it('an unknown URI is a protocol error too', async () => {
    await expect(t.client.readResource({ uri: 'rag-studio://nothing-here' })).rejects.toBeInstanceOf(
      McpError,
    );
  });
});

describe('index freshness', () => {
  it('a small knowledge base shows no unindexed rows once writes pause for the idle delay', async () => {
    const quick = await startTestServer({ engine: { indexIdleMs: 50 } });
    try {
      await callTool(quick.client, 'upsert_chunks', { kb: 'small', chunks: sampleChunks() });
      const unindexed = async () =>
        (await readJson(quick.client, 'rag-studio://knowledge-bases/small', detailContentSchema)).indexes.map(
          (i) => i.unindexed_rows,
        );
      // Polled, not timed: the refresh runs in the background some time after the 50 ms pause.
      await expect
        .poll(async () => (await unindexed()).every((n) => n === 0), { timeout: 20_000 })
        .toBe(true);
    } finally {
      await quick.close();
    }
  });
});

describe('notifications/resources/list_changed', () => {
  it('fires when a knowledge base is created', async () => {
    const next = t.nextListChanged();
    await callTool(t.client, 'upsert_chunks', { kb: 'gamma', chunks: sampleChunks() });
    await next;
  });

  it('fires when a generation is created and when one is promoted', async () => {
    let next = t.nextListChanged();
    const created = await callTool(t.client, 'create_generation', { kb: 'gamma', copy_from_active: true });
    await next;
    const generation = (created.structuredContent as { generation: number }).generation;
    next = t.nextListChanged();
    await callTool(t.client, 'promote_generation', { kb: 'gamma', generation });
    await next;
    const gens = await readJson(
      t.client,
      'rag-studio://knowledge-bases/gamma/generations',
      generationsSchema,
    );
    expect(gens.generations.map((g) => [g.generation, g.status])).toEqual([
      [1, 'archived'],
      [2, 'active'],
    ]);
  });

  it('does not fire for plain searches', async () => {
    const before = t.listChanged();
    await callTool(t.client, 'hybrid_search', { kb: 'gamma', query: 'install' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(t.listChanged()).toBe(before);
  });
});

describe('MCP logging', () => {
  it('forwards logs only after the client sets a level, and filters by it', async () => {
    t.logger.log('warning', 'before any level was set');
    await t.client.setLoggingLevel('warning');
    t.logger.log('info', 'too verbose for warning');
    t.logger.log('error', 'the disk is on fire', { kb: 'alpha' });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(t.logMessages.map((m) => [m.level, (m.data as { message: string }).message])).toEqual([
      ['error', 'the disk is on fire'],
    ]);
    expect(t.logMessages[0]?.data).toMatchObject({ kb: 'alpha' });
    // stderr got everything at or above the logger's own level, regardless of the client.
    expect(t.stderr.join('')).toContain('before any level was set');
  });
});
