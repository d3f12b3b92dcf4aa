// Fusion calibration through a real MCP client: a KB made by upsert_chunks alone, golden queries, read-only servers.
import { afterEach, describe, expect, it } from 'vitest';
import { detailContentSchema } from '../../src/resources/knowledge-bases.js';
import * as hybridSearch from '../../src/tools/hybrid-search.js';
import * as upsertChunks from '../../src/tools/upsert-chunks.js';
import { corpus } from '../helpers/calibration-corpus.js';
import { callTool, readJson, startTestServer, structured, type TestServer } from '../helpers/mcp-client.js';
import { makeTempDir, type TempDir } from '../helpers/temp-dir.js';

const KB_URI = 'rag-studio://knowledge-bases/kb';
const { chunks } = corpus(80);
const toolChunks = chunks.map((c) => ({
  chunk_id: c.chunkId,
  document_id: c.documentId,
  content: c.content,
}));

let servers: TestServer[] = [];
let dir: TempDir | undefined;
afterEach(async () => {
  for (const s of servers.reverse()) await s.close();
  servers = [];
  await dir?.remove();
  dir = undefined;
});

async function start(options: Parameters<typeof startTestServer>[0]): Promise<TestServer> {
  const server = await startTestServer(options);
  servers.push(server);
  return server;
}

async function upsert(t: TestServer): Promise<void> {
  for (const part of [toolChunks.slice(0, 40), toolChunks.slice(40)])
    structured(
      await callTool(t.client, 'upsert_chunks', { kb: 'kb', chunks: part }),
      upsertChunks.outputSchema,
    );
}

async function search(t: TestServer, query: string) {
  return structured(
    await callTool(t.client, 'hybrid_search', { kb: 'kb', query }),
    hybridSearch.outputSchema,
  );
}

describe('fusion calibration seen by an MCP client', () => {
  it('a KB made only by upsert_chunks shows calibrated weights, and golden queries then override them', async () => {
    const t = await start({ engine: { indexIdleMs: 50 } });
    await upsert(t);
    // Polled, not timed: the calibration runs in the background once the writes pause.
    await expect
      .poll(async () => (await readJson(t.client, KB_URI, detailContentSchema)).fusion_calibration, {
        timeout: 60_000,
        interval: 200,
      })
      .not.toBeNull();
    const detail = await readJson(t.client, KB_URI, detailContentSchema);
    const calibration = detail.fusion_calibration!;
    expect(calibration).toMatchObject({
      source: 'probes',
      reason: 'uncalibrated',
      chunk_count: 80,
      golden: null,
    });
    expect(calibration.weights.vector + calibration.weights.lexical).toBeCloseTo(1, 6);
    expect(calibration.took_ms).toBeGreaterThanOrEqual(0);
    expect(Date.parse(calibration.calibrated_at)).not.toBeNaN();
    expect(detail.generations[0]!.status).toBe('active');
    expect(detail.generations[0]!.fusion_calibration).toEqual(calibration);

    const answer = await search(t, chunks[5]!.content.split(' ').slice(0, 5).join(' '));
    expect(answer.fusion).toBe('calibrated');
    expect(answer.fusion_weights).toMatchObject({ source: 'calibrated', prior: calibration.weights });

    const queries = chunks.slice(0, 5).map((c) => ({
      query: c.content.split(' ').slice(2, 7).join(' '),
      expected_document_ids: [c.documentId],
    }));
    const set = await callTool(t.client, 'set_golden_queries', { kb: 'kb', queries });
    expect(set.isError).toBeFalsy();
    await t.engine.calibrationsSettled();
    const golden = (await readJson(t.client, KB_URI, detailContentSchema)).fusion_calibration!;
    expect(golden).toMatchObject({ source: 'golden', reason: 'golden', golden_revision: 1 });
    expect(golden.golden).toMatchObject({ queries: 5, k: 10 });
    expect(golden.golden!.ndcg.fused).toBeGreaterThan(0.5);
  });

  it('a read-only server answers with equal priors and writes no calibration', async () => {
    dir = await makeTempDir();
    const writer = await start({ dataDir: dir.path, engine: { indexIdleMs: 0 } });
    await upsert(writer);
    await writer.close();
    servers = [];

    const reader = await start({ dataDir: dir.path, args: ['--read-only'] });
    for (const query of ['kalomi tunera', 'sovi pedu gozeka']) {
      const answer = await search(reader, query);
      expect(answer.fusion_weights).toMatchObject({ source: 'uncalibrated' });
    }
    await reader.engine.calibrationsSettled();
    expect((await readJson(reader.client, KB_URI, detailContentSchema)).fusion_calibration).toBeNull();
    await reader.close();
    servers = [];

    // The store itself holds none either: a writer opened on it sees an uncalibrated generation.
    const check = await start({ dataDir: dir.path, engine: { indexIdleMs: 0 } });
    expect((await readJson(check.client, KB_URI, detailContentSchema)).fusion_calibration).toBeNull();
  });
});
