// Child of bench/multiprocess-bench.ts: an engine in its own process that writes on request (IPC) and reports timings.
import { openEngine } from '../dist/engine/index.js';

const [dataDir, stalenessMs] = process.argv.slice(2);
const engine = await openEngine({ dataDir, stalenessMs: Number(stalenessMs), indexRefreshRows: 0 });
const DIM = 16;
const vector = (i) => Array.from({ length: DIM }, (_, d) => Math.sin(i * 7 + d) + 1.5);

process.on('message', async (message) => {
  if (message.type === 'upsert-one') {
    await engine.upsertChunks(message.kb, [
      { chunkId: message.id, documentId: 'probe', content: `probe ${message.token}`, embedding: vector(1) },
    ]);
    process.send({ type: 'acked', ackedAt: Date.now() });
  } else if (message.type === 'write-batches') {
    const started = performance.now();
    for (let b = 0; b < message.batches; b++) {
      const chunks = Array.from({ length: message.batchSize }, (_, i) => ({
        chunkId: `${message.prefix}-${b}-${i}`,
        documentId: `${message.prefix}-${b}`,
        content: `batch ${b} chunk ${i} words for bm25`,
        embedding: vector(b * 1000 + i),
      }));
      await engine.upsertChunks(message.kb, chunks);
    }
    process.send({ type: 'written', ms: performance.now() - started });
  } else if (message.type === 'close') {
    await engine.close();
    process.exit(0);
  }
});
process.send({ type: 'ready' });
