// ANN index quality: above the brute-force threshold, recall@10 on clustered data is at least 0.95.
import { afterEach, describe, expect, it } from 'vitest';
import { clusteredVectors, exactTopK } from '../helpers/clustered-vectors.js';
import { openTestEngine, type TestEngine } from '../helpers/engine.js';

let t: TestEngine;
afterEach(async () => t?.close());

const COUNT = 12_000;
const DIM = 64;

async function recallWith(type: 'ivf_pq' | 'ivf_hnsw_sq'): Promise<{ recall: number; indexed: boolean }> {
  t = await openTestEngine({ defaultIndexConfig: { type, bruteForceThreshold: 5_000 } });
  const vectors = clusteredVectors(COUNT, DIM, 40, 7);
  await t.engine.upsertChunks(
    'ann',
    vectors.map((v, i) => ({ chunkId: `v${i}`, documentId: `d${i % 100}`, content: `vector ${i}`, embedding: v })),
  );
  await t.engine.createGeneration('ann', { copyFromActive: true });
  await t.engine.promoteGeneration('ann', 2); // seals: builds the ANN index
  const detail = await t.engine.describeKnowledgeBase('ann');
  const indexed = detail.indexes.some((i) => i.name === 'embedding_idx');
  const queries = clusteredVectors(40, DIM, 40, 99);
  let found = 0;
  for (const q of queries) {
    const truth = new Set(exactTopK(vectors, q, 10).map((i) => `v${i}`));
    const r = await t.engine.search({ kb: 'ann', mode: 'vector', vector: q, limit: 10 });
    found += r.results.filter((h) => truth.has(h.chunkId)).length;
  }
  return { recall: found / (queries.length * 10), indexed };
}

describe('ANN recall', () => {
  it('IVF-PQ keeps recall@10 >= 0.95 of brute force on clustered data', async () => {
    const { recall, indexed } = await recallWith('ivf_pq');
    expect(indexed).toBe(true);
    expect(recall).toBeGreaterThanOrEqual(0.95);
  });

  it('IVF_HNSW_SQ keeps recall@10 >= 0.95 of brute force on clustered data', async () => {
    const { recall, indexed } = await recallWith('ivf_hnsw_sq');
    expect(indexed).toBe(true);
    expect(recall).toBeGreaterThanOrEqual(0.95);
  });
});
