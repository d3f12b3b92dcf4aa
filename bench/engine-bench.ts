// The engine under test: bulk upsert with supplied vectors, seal, promotions, searches and GC on one KB.
import type { KnowledgeBaseEngine } from '../src/engine/types.js';
import type { BenchMode, BenchQuery, SearchFn } from './query-timing.js';
import type { SyntheticCorpus } from './synthetic-corpus.js';

export const BENCH_KB = 'bench';

export interface LoadResult {
  generation: number;
  chunks: number;
  /** Time inside upsertChunks only (data generation excluded). */
  upsertMs: number;
  chunksPerSecond: number;
  /** chunks/s of the first and the last upsert call: later calls merge into a non-empty table. */
  firstCallChunksPerSecond: number;
  lastCallChunksPerSecond: number;
  calls: number;
}

/** Writes `size` chunks into a new building generation in calls of `callSize`, printing progress. */
export async function loadCorpus(
  engine: KnowledgeBaseEngine,
  corpus: SyntheticCorpus,
  size: number,
  callSize: number,
  progress: (message: string) => void,
): Promise<LoadResult> {
  const { generation } = await engine.createGeneration(BENCH_KB);
  let upsertMs = 0;
  const rates: number[] = [];
  const started = performance.now();
  for (let start = 0; start < size; start += callSize) {
    const chunks = corpus.batch(start, Math.min(callSize, size - start));
    const callStarted = performance.now();
    await engine.upsertChunks(BENCH_KB, chunks, { generation });
    const ms = performance.now() - callStarted;
    upsertMs += ms;
    rates.push(chunks.length / (ms / 1000));
    const done = start + chunks.length;
    const eta = ((performance.now() - started) / done) * (size - done);
    progress(
      `upserted ${done.toLocaleString('en')}/${size.toLocaleString('en')} chunks` +
        ` (this call ${Math.round(rates.at(-1)!).toLocaleString('en')} chunks/s, ETA ${Math.round(eta / 1000)} s)`,
    );
  }
  return {
    generation,
    chunks: size,
    upsertMs,
    chunksPerSecond: size / (upsertMs / 1000),
    firstCallChunksPerSecond: rates[0]!,
    lastCallChunksPerSecond: rates.at(-1)!,
    calls: rates.length,
  };
}

export interface PromotionResult {
  /** Sealing the loaded generation: BM25/id index merge and, above the threshold, the ANN index build. */
  sealMs: number;
  /** Promotions of the (sealed) loaded generation, each a rollback from a tiny second generation. */
  promotionMs: number[];
  medianPromotionMs: number;
}

/**
 * Seals the loaded generation (timed separately), promotes it, then switches back and forth with a tiny sealed
 * generation `rounds` times, timing each promotion of the big one: only the atomic switch is measured.
 */
export async function sealAndPromote(
  engine: KnowledgeBaseEngine,
  corpus: SyntheticCorpus,
  generation: number,
  rounds: number,
): Promise<PromotionResult> {
  const sealStarted = performance.now();
  await engine.sealGeneration(BENCH_KB, generation);
  const sealMs = performance.now() - sealStarted;
  await engine.promoteGeneration(BENCH_KB, generation);
  const { generation: tiny } = await engine.createGeneration(BENCH_KB);
  await engine.upsertChunks(BENCH_KB, corpus.batch(0, 16), { generation: tiny });
  await engine.sealGeneration(BENCH_KB, tiny);
  const promotionMs: number[] = [];
  for (let round = 0; round < rounds; round++) {
    await engine.promoteGeneration(BENCH_KB, tiny);
    const started = performance.now();
    await engine.promoteGeneration(BENCH_KB, generation);
    promotionMs.push(performance.now() - started);
  }
  const sorted = [...promotionMs].sort((a, b) => a - b);
  return { sealMs, promotionMs, medianPromotionMs: sorted[Math.floor(sorted.length / 2)]! };
}

/** Engine search with a given query vector (no embedder involved), top 10. */
export function engineSearch(engine: KnowledgeBaseEngine): SearchFn {
  return async (mode: BenchMode, q: BenchQuery) => {
    const response = await engine.search({
      kb: BENCH_KB,
      mode,
      limit: 10,
      ...(mode !== 'vector' ? { text: q.text } : {}),
      ...(mode !== 'lexical' ? { vector: q.vector } : {}),
    });
    return response.results.map((r) => r.chunkId);
  };
}

/** Full GC with no retention: drops the archived tiny generation and compacts/cleans the active one. */
export async function timeGc(
  engine: KnowledgeBaseEngine,
): Promise<{ ms: number; reclaimedBytes: number; deleted: number }> {
  const started = performance.now();
  const report = await engine.gc({ kb: BENCH_KB, retentionEpochs: 0, minAgeSeconds: 0 });
  return {
    ms: performance.now() - started,
    reclaimedBytes: report.reclaimedBytes,
    deleted: report.deleted.length,
  };
}
