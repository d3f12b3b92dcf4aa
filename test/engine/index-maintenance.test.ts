// Background index refresh: after enough writes, unindexed rows are merged into the indexes automatically.
import { connect } from '@lancedb/lancedb';
import { afterEach, describe, expect, it } from 'vitest';
import { openEngine } from '../../src/engine/index.js';
import { openTestEngine, type TestEngine } from '../helpers/engine.js';
import { KeywordEmbedder } from '../helpers/keyword-embedder.js';

let t: TestEngine;
afterEach(async () => t?.close());

const rows = (from: number, n: number) =>
  Array.from({ length: n }, (_, i) => ({ chunkId: `r${from + i}`, documentId: 'd', content: `cat number ${from + i}` }));

async function unindexedAfterClose(t: TestEngine): Promise<Record<string, number>> {
  await t.engine.close(); // waits for background refreshes
  const engine = await openEngine({ dataDir: t.dir.path, embedder: new KeywordEmbedder() });
  try {
    const detail = await engine.describeKnowledgeBase('kb');
    return Object.fromEntries(detail.indexes.map((i) => [i.name, i.unindexedRows]));
  } finally {
    await engine.close();
  }
}

describe('background index maintenance', () => {
  it('refreshes the BM25 and id indexes once the unindexed rows reach the threshold', async () => {
    t = await openTestEngine({ indexRefreshRows: 500 });
    await t.engine.upsertChunks('kb', rows(0, 300));
    await t.engine.upsertChunks('kb', rows(300, 300));
    const unindexed = await unindexedAfterClose(t);
    expect(unindexed.content_idx).toBe(0);
    expect(unindexed.chunk_id_idx).toBe(0);
  });

  it('leaves small writes to exhaustive search, and builds the vector index once past brute force', async () => {
    t = await openTestEngine({ indexRefreshRows: 10_000, defaultIndexConfig: { bruteForceThreshold: 400 } });
    await t.engine.upsertChunks('kb', rows(0, 300));
    expect((await unindexedAfterClose(t)).content_idx).toBe(300);
    await t.dir.remove();
    t = await openTestEngine({ indexRefreshRows: 10_000, defaultIndexConfig: { bruteForceThreshold: 400 } });
    await t.engine.upsertChunks('kb', rows(0, 500));
    const unindexed = await unindexedAfterClose(t);
    expect(unindexed.embedding_idx).toBe(0);
    expect(unindexed.content_idx).toBe(0);
  });

  it('leaves a building generation to its seal, then indexes everything at once', async () => {
    t = await openTestEngine({ indexRefreshRows: 500 });
    await t.engine.upsertChunks('kb', rows(0, 10));
    await t.engine.createGeneration('kb');
    await t.engine.upsertChunks('kb', rows(0, 600), { generation: 2 });
    await t.engine.close();
    const raw = await (await connect(t.dir.path)).openTable('kb-kb-g2');
    expect((await raw.indexStats('content_idx'))?.numUnindexedRows).toBe(600);
    raw.close();
    const engine = await openEngine({ dataDir: t.dir.path, embedder: new KeywordEmbedder() });
    try {
      const unindexed = async () => {
        const gen2 = await engine.search({ kb: 'kb', mode: 'lexical', text: 'cat', generation: 2, limit: 100 });
        expect(gen2.results).toHaveLength(100);
        await engine.promoteGeneration('kb', 2);
        return (await engine.describeKnowledgeBase('kb')).indexes.find((i) => i.name === 'content_idx')!.unindexedRows;
      };
      expect(await unindexed()).toBe(0);
    } finally {
      await engine.close();
    }
  });
});
