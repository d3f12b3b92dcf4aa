// Background index refresh: after enough writes, or once writes pause, unindexed rows are merged into the indexes.
import { connect } from '@lancedb/lancedb';
import { afterEach, describe, expect, it } from 'vitest';
import { openEngine } from '../../../src/engine/index.js';
import { openTestEngine, type TestEngine } from '../../helpers/engine.js';
import { KeywordEmbedder } from '../../helpers/keyword-embedder.js';

let t: TestEngine;
afterEach(async () => t?.close());

const rows = (from: number, n: number) =>
  Array.from({ length: n }, (_, i) => ({
    chunkId: `r${from + i}`,
    documentId: 'd',
    content: `cat number ${from + i}`,
  }));

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
    expect(unindexed.search_text_idx).toBe(0);
    expect(unindexed.chunk_id_idx).toBe(0);
  });

  it('indexes a small knowledge base once writes pause for the idle delay, whatever the row count', async () => {
    t = await openTestEngine({ indexRefreshRows: 10_000, indexIdleMs: 50 });
    await t.engine.upsertChunks('kb', rows(0, 30));
    await t.engine.upsertChunks('kb', rows(30, 30));
    const unindexed = async () =>
      Object.fromEntries(
        (await t.engine.describeKnowledgeBase('kb')).indexes.map((i) => [i.name, i.unindexedRows]),
      );
    // Polled, not timed: the refresh runs in the background some time after the 50 ms pause.
    await expect
      .poll(async () => (await unindexed()).search_text_idx, { timeout: 20_000, interval: 50 })
      .toBe(0);
    expect((await unindexed()).chunk_id_idx).toBe(0);
    const hits = await t.engine.search({ kb: 'kb', mode: 'lexical', text: 'cat', limit: 100 });
    expect(hits.results).toHaveLength(60);
  });

  it('without the idle refresh leaves small writes to exhaustive search; builds the vector index past brute force', async () => {
    t = await openTestEngine({
      indexRefreshRows: 10_000,
      indexIdleMs: 0,
      defaultIndexConfig: { bruteForceThreshold: 400 },
    });
    await t.engine.upsertChunks('kb', rows(0, 300));
    expect((await unindexedAfterClose(t)).search_text_idx).toBe(300);
    await t.dir.remove();
    t = await openTestEngine({
      indexRefreshRows: 10_000,
      indexIdleMs: 0,
      defaultIndexConfig: { bruteForceThreshold: 400 },
    });
    await t.engine.upsertChunks('kb', rows(0, 500));
    const unindexed = await unindexedAfterClose(t);
    expect(unindexed.embedding_idx).toBe(0);
    expect(unindexed.search_text_idx).toBe(0);
  });

  it('leaves a building generation to its seal, then indexes everything at once', async () => {
    t = await openTestEngine({ indexRefreshRows: 500 });
    await t.engine.upsertChunks('kb', rows(0, 10));
    await t.engine.createGeneration('kb');
    await t.engine.upsertChunks('kb', rows(0, 600), { generation: 2 });
    await t.engine.close();
    const raw = await (await connect(t.dir.path)).openTable('kb-kb-g2');
    expect((await raw.indexStats('search_text_idx'))?.numUnindexedRows).toBe(600);
    raw.close();
    const engine = await openEngine({ dataDir: t.dir.path, embedder: new KeywordEmbedder() });
    try {
      const unindexed = async () => {
        const gen2 = await engine.search({
          kb: 'kb',
          mode: 'lexical',
          text: 'cat',
          generation: 2,
          limit: 100,
        });
        expect(gen2.results).toHaveLength(100);
        await engine.promoteGeneration('kb', 2);
        return (await engine.describeKnowledgeBase('kb')).indexes.find((i) => i.name === 'search_text_idx')!
          .unindexedRows;
      };
      expect(await unindexed()).toBe(0);
    } finally {
      await engine.close();
    }
  });
});
