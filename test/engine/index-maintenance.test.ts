// Background index refresh: after enough writes, unindexed rows are merged into the indexes automatically.
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
});
