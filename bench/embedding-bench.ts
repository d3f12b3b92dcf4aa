// Embedding benchmark (not a test): chunks/s per batch size for the hash embedder and the tiny ONNX model, and event-loop lag.
// Run: npx tsx bench/embedding-bench.ts   → prints a Markdown table, writes bench/results/embedding.json
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { HashEmbedder, TransformersEmbedder } from '../src/engine/embedding/index.js';
import type { Embedder } from '../src/engine/types.js';
import { writeTinyModel } from '../test/helpers/tiny-model.js';

const BATCH_SIZES = [1, 8, 32, 128] as const;
const LAG_CHUNKS = 10_000;
const HASH_CHUNKS = 20_000;
const MODEL_CHUNKS = 4_096;

interface ThroughputRow {
  embedder: string;
  batchSize: number;
  chunks: number;
  seconds: number;
  chunksPerSecond: number;
}

interface LagRow {
  scenario: string;
  chunks: number;
  seconds: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** ~60-word chunks from a fixed vocabulary and a seeded generator: the same text every run. */
function makeChunks(count: number, seed = 7): string[] {
  const words =
    'the a of and to in vector search index query document chunk embedding model cat dog car road market price rain code test music song fruit red blue old new fast slow one two three'.split(
      ' ',
    );
  let state = seed;
  const next = (): number => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state;
  };
  return Array.from({ length: count }, (_, index) => {
    const length = 40 + (next() % 40);
    const picked = Array.from({ length }, () => words[next() % words.length] as string);
    return `chunk ${index}: ${picked.join(' ')}.`;
  });
}

/** Feeds all chunks as calls of `batchSize` texts, as an upsert of that many chunks at a time would. */
async function throughput(
  embedder: Embedder,
  name: string,
  chunks: string[],
  batchSize: number,
): Promise<ThroughputRow> {
  await embedder.embedDocuments(chunks.slice(0, Math.min(64, chunks.length)));
  const started = performance.now();
  for (let start = 0; start < chunks.length; start += batchSize) {
    await embedder.embedDocuments(chunks.slice(start, start + batchSize));
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    embedder: name,
    batchSize,
    chunks: chunks.length,
    seconds,
    chunksPerSecond: chunks.length / seconds,
  };
}

/** Event-loop delay while `work` runs, sampled at 1 ms resolution, with a timer ticking as a search would. */
async function lagDuring(scenario: string, chunks: number, work: () => Promise<unknown>): Promise<LagRow> {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  const ticker = setInterval(() => undefined, 5);
  histogram.enable();
  const started = performance.now();
  await work();
  const seconds = (performance.now() - started) / 1000;
  histogram.disable();
  clearInterval(ticker);
  const ms = (nanoseconds: number): number => nanoseconds / 1e6;
  return {
    scenario,
    chunks,
    seconds,
    p50Ms: ms(histogram.percentile(50)),
    p99Ms: ms(histogram.percentile(99)),
    maxMs: ms(histogram.max),
  };
}

const round = (value: number, digits = 1): string => value.toFixed(digits);

async function main(): Promise<void> {
  const temp = await mkdtemp(join(tmpdir(), 'rag-embedding-bench-'));
  const opened: Embedder[] = [];
  try {
    const model = await writeTinyModel(temp, { quantized: true });
    const modelsDir = join(temp, 'models');
    const rows: ThroughputRow[] = [];

    const hash = new HashEmbedder();
    const hashChunks = makeChunks(HASH_CHUNKS);
    for (const batchSize of BATCH_SIZES)
      rows.push(await throughput(hash, 'hash (384-d)', hashChunks, batchSize));

    const modelChunks = makeChunks(MODEL_CHUNKS);
    for (const batchSize of BATCH_SIZES) {
      const tiny = new TransformersEmbedder({ model: model.dir, modelsDir, offline: true, batchSize });
      opened.push(tiny);
      rows.push(await throughput(tiny, `tiny ONNX (${model.hidden}-d, worker)`, modelChunks, batchSize));
    }

    const lagChunks = makeChunks(LAG_CHUNKS, 11);
    const lags: LagRow[] = [];
    lags.push(
      await lagDuring('idle (baseline)', 0, () => new Promise((resolve) => setTimeout(resolve, 1000))),
    );
    const tiny = new TransformersEmbedder({ model: model.dir, modelsDir, offline: true, batchSize: 32 });
    opened.push(tiny);
    await tiny.embedQuery('warm up');
    lags.push(
      await lagDuring('tiny ONNX, one upsert of 10k chunks, batch 32', LAG_CHUNKS, () =>
        tiny.embedDocuments(lagChunks),
      ),
    );
    lags.push(
      await lagDuring('hash, one upsert of 10k chunks (main thread, yields every 8 ms)', LAG_CHUNKS, () =>
        hash.embedDocuments(lagChunks),
      ),
    );

    const environment = {
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: availableParallelism(),
      date: new Date().toISOString(),
    };
    const lines = [
      `Embedding throughput (${environment.cores} cores, ${environment.cpu}, Node ${environment.node})`,
      '',
      '| embedder | batch | chunks | seconds | chunks/s |',
      '| --- | ---: | ---: | ---: | ---: |',
      ...rows.map(
        (row) =>
          `| ${row.embedder} | ${row.batchSize} | ${row.chunks} | ${round(row.seconds, 2)} | ${round(row.chunksPerSecond, 0)} |`,
      ),
      '',
      'Event-loop delay while embedding (monitorEventLoopDelay, 1 ms resolution)',
      '',
      '| scenario | chunks | seconds | p50 ms | p99 ms | max ms |',
      '| --- | ---: | ---: | ---: | ---: | ---: |',
      ...lags.map(
        (lag) =>
          `| ${lag.scenario} | ${lag.chunks} | ${round(lag.seconds, 2)} | ${round(lag.p50Ms)} | ${round(lag.p99Ms)} | ${round(lag.maxMs)} |`,
      ),
    ];
    const output = join(dirname(fileURLToPath(import.meta.url)), 'results', 'embedding.json');
    await mkdir(dirname(output), { recursive: true });
    await writeFile(
      output,
      `${JSON.stringify({ environment, throughput: rows, eventLoopLag: lags }, null, 2)}\n`,
    );
    console.log(lines.join('\n'));
    console.log(`\nwrote ${output}`);
  } finally {
    await Promise.all(opened.map((embedder) => embedder.close?.()));
    await rm(temp, { recursive: true, force: true });
  }
}

await main();
