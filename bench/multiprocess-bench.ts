// `npm run bench:multiprocess` (after npm run build): many processes on one data dir — staleness, freshness-check cost, 2 writers vs 1.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openEngine } from '../src/engine/index.js';

const WRITER = fileURLToPath(new URL('./multiprocess-writer.mjs', import.meta.url));
const DIM = 16;

interface Writer {
  child: ChildProcess;
  request<T>(message: Record<string, unknown>, reply: string): Promise<T>;
}

async function startWriter(dataDir: string, stalenessMs: number): Promise<Writer> {
  const child = fork(WRITER, [dataDir, String(stalenessMs)], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const request = <T>(message: Record<string, unknown>, reply: string) =>
    new Promise<T>((resolve) => {
      const onMessage = (m: { type: string }) => {
        if (m.type !== reply) return;
        child.off('message', onMessage);
        resolve(m as T);
      };
      child.on('message', onMessage);
      if (Object.keys(message).length) child.send(message);
    });
  await request({}, 'ready');
  return { child, request };
}

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
};
const round = (x: number) => Math.round(x * 100) / 100;

/** Read-after-write across processes: a child writes one chunk; this process polls search until it sees it. */
async function staleness(stalenessMs: number, probes: number) {
  const dir = await mkdtemp(join(tmpdir(), 'rag-bench-mp-'));
  const writer = await startWriter(dir, stalenessMs);
  await writer.request({ type: 'upsert-one', kb: 'kb', id: 'first', token: 'first' }, 'acked');
  const reader = await openEngine({ dataDir: dir, stalenessMs });
  const delays: number[] = [];
  try {
    for (let i = 0; i < probes; i++) {
      const token = `tok${i}x`;
      const { ackedAt } = await writer.request<{ ackedAt: number }>(
        { type: 'upsert-one', kb: 'kb', id: `p${i}`, token },
        'acked',
      );
      for (;;) {
        const found = await reader.search({ kb: 'kb', text: token, mode: 'lexical', limit: 1 });
        if (found.results.some((r) => r.chunkId === `p${i}`)) break;
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      delays.push(Date.now() - ackedAt);
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 50));
    }
  } finally {
    writer.child.send({ type: 'close' });
    await new Promise((resolve) => writer.child.on('exit', resolve));
    await reader.close();
    await rm(dir, { recursive: true, force: true });
  }
  return {
    stalenessMs,
    probes,
    p50: quantile(delays, 0.5),
    p95: quantile(delays, 0.95),
    max: Math.max(...delays),
  };
}

/** Search latency with a version check on every request (0) vs at most once a second (1000), store idle. */
async function freshnessCost(queries: number) {
  const dir = await mkdtemp(join(tmpdir(), 'rag-bench-mp-'));
  const seed = await openEngine({ dataDir: dir });
  await seed.upsertChunks(
    'kb',
    Array.from({ length: 2000 }, (_, i) => ({
      chunkId: `c${i}`,
      documentId: `d${i % 50}`,
      content: `chunk ${i} about topic ${i % 37} and words ${i % 11}`,
      embedding: Array.from({ length: DIM }, (_, d) => Math.cos(i + d) + 1.5),
    })),
  );
  await seed.close();
  // Both engines open at once and queried alternately, so machine noise hits both alike; the cost is the median
  // of the paired per-query differences.
  const lazy = await openEngine({ dataDir: dir, stalenessMs: 1000, searchCacheSize: 0 });
  const eager = await openEngine({ dataDir: dir, stalenessMs: 0, searchCacheSize: 0 });
  const timed = async (engine: typeof lazy, i: number) => {
    const started = performance.now();
    await engine.search({ kb: 'kb', text: `topic ${i % 37}`, mode: 'lexical', limit: 10 });
    return performance.now() - started;
  };
  const lazyTimes: number[] = [];
  const eagerTimes: number[] = [];
  const diffs: number[] = [];
  for (let i = 0; i < queries; i++) {
    // Alternate which goes first, so neither always runs on a warmer cache.
    let l: number;
    let e: number;
    if (i % 2) {
      l = await timed(lazy, i);
      e = await timed(eager, i);
    } else {
      e = await timed(eager, i);
      l = await timed(lazy, i);
    }
    if (i < queries / 5) continue; // warm-up
    lazyTimes.push(l);
    eagerTimes.push(e);
    diffs.push(e - l);
  }
  await lazy.close();
  await eager.close();
  await rm(dir, { recursive: true, force: true });
  return {
    queries,
    p50StalenessDefault: round(quantile(lazyTimes, 0.5)),
    p50Staleness0: round(quantile(eagerTimes, 0.5)),
    perRequestCheckMs: round(quantile(diffs, 0.5)),
  };
}

/** Aggregate write throughput: 1 writer process, 2 on one KB, 2 on two KBs. */
async function throughput(batches: number, batchSize: number) {
  const run = async (writers: number, sameKb: boolean) => {
    const dir = await mkdtemp(join(tmpdir(), 'rag-bench-mp-'));
    const children = await Promise.all([...Array(writers).keys()].map(() => startWriter(dir, 1000)));
    const started = performance.now();
    await Promise.all(
      children.map((w, i) =>
        w.request(
          { type: 'write-batches', kb: sameKb ? 'kb' : `kb${i}`, prefix: `w${i}`, batches, batchSize },
          'written',
        ),
      ),
    );
    const seconds = (performance.now() - started) / 1000;
    for (const w of children) w.child.send({ type: 'close' });
    await Promise.all(children.map((w) => new Promise((resolve) => w.child.on('exit', resolve))));
    await rm(dir, { recursive: true, force: true });
    return Math.round((writers * batches * batchSize) / seconds);
  };
  return {
    batches,
    batchSize,
    oneWriter: await run(1, true),
    twoWritersOneKb: await run(2, true),
    twoWritersTwoKbs: await run(2, false),
  };
}

async function main() {
  const out = {
    staleness: [await staleness(0, 40), await staleness(200, 40), await staleness(1000, 40)],
    freshness: await freshnessCost(1000),
    throughput: await throughput(40, 50),
    throughputBigBatches: await throughput(10, 1000),
  };
  const json = `${JSON.stringify({ measuredAt: new Date().toISOString(), ...out }, null, 2)}\n`;
  await writeFile(fileURLToPath(new URL('./results/multiprocess.json', import.meta.url)), json);
  process.stdout.write(json);
}

await main();
