// One corpus size end to end: load, seal, promote, then every system's queries, recall, GC, disk and memory.
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { summarizeLatencies, type LatencySummary } from '../src/cli/eval/latency.js';
import { openEngine } from '../src/engine/index.js';
import { BENCH_KB, engineSearch, loadCorpus, sealAndPromote, timeGc } from './engine-bench.js';
import { mcpUnavailableReason, startMcpSession, type McpSession } from './mcp-stdio.js';
import type { BenchOptions } from './options.js';
import { buildOrama } from './orama-bench.js';
import { directoryBytes, peakRssBytes, resetPeakRss } from './probes.js';
import {
  BENCH_MODES,
  pairedMedian,
  timeSystems,
  type BenchQuery,
  type SearchFn,
  type SystemTimings,
} from './query-timing.js';
import { openRawTable, rawSearch, recallAtK } from './raw-lancedb.js';
import { formatCount, type SizeResult } from './results-model.js';
import type { SyntheticCorpus } from './synthetic-corpus.js';

export async function benchSize(
  size: number,
  corpus: SyntheticCorpus,
  options: BenchOptions,
  log: (message: string) => void,
): Promise<SizeResult> {
  const label = formatCount(size);
  const say = (message: string) => log(`[${label}] ${message}`);
  const dataDir = join(options.dataRoot, `rag-studio-bench-${process.pid}-${label}`);
  await rm(dataDir, { recursive: true, force: true });
  await mkdir(dataDir, { recursive: true });
  const notes: string[] = [];
  const all = corpus.queries(options.queries + options.warmup);
  const warmup: BenchQuery[] = all.slice(0, options.warmup);
  const queries: BenchQuery[] = all.slice(options.warmup);
  const engine = await openEngine({
    dataDir,
    searchCacheSize: 0,
    gcIntervalSeconds: 0,
    ...(options.writeBatchSize ? { writeBatchSize: options.writeBatchSize } : {}),
    ...(options.indexRefreshRows !== undefined ? { indexRefreshRows: options.indexRefreshRows } : {}),
  });
  try {
    const load = await loadCorpus(engine, corpus, size, options.callSize, say);
    say(`sealing (index build)…`);
    const promotion = await sealAndPromote(engine, corpus, load.generation, options.promotions);
    say(
      `sealed in ${(promotion.sealMs / 1000).toFixed(1)} s; promotion median ${promotion.medianPromotionMs.toFixed(1)} ms`,
    );
    const raw = await openRawTable(engine, dataDir);
    const systems: Partial<Record<'engine' | 'raw' | 'mcp' | 'mcp64', SearchFn>> = {
      engine: engineSearch(engine),
    };
    if (!options.skip.has('raw')) systems.raw = rawSearch(raw);
    const mcpProblem = options.skip.has('mcp') ? 'skipped (--skip mcp)' : mcpUnavailableReason();
    let session: McpSession | undefined;
    if (mcpProblem) notes.push(`MCP stdio not measured: ${mcpProblem}`);
    else {
      try {
        session = await startMcpSession(dataDir);
        systems.mcp = session.search;
        systems.mcp64 = session.searchBase64;
      } catch (error) {
        notes.push(`MCP stdio server failed to start: ${(error as Error).message}`);
      }
    }
    say(`queries: ${Object.keys(systems).join(', ')}, interleaved…`);
    const canResetPeak = resetPeakRss();
    let timings: SystemTimings<'engine' | 'raw' | 'mcp' | 'mcp64'>;
    let serverPeakBytes: number | null = null;
    let mcpPingMs: LatencySummary | null = null;
    let mcpBytesPerHit: SizeResult['mcpBytesPerHit'] = null;
    try {
      timings = await timeSystems(systems, queries, warmup);
      serverPeakBytes = session?.peakRss() ?? null;
      if (session) mcpPingMs = await timePings(session, queries.length);
      if (session) mcpBytesPerHit = await session.bytesPerHit(queries.slice(0, 50));
    } finally {
      await session?.close();
    }
    const benchQueryPeakBytes = canResetPeak ? peakRssBytes() : null;
    const latency: SizeResult['latency'] = { ...timings.latencies };

    say(`recall@10 over ${options.recallQueries} queries…`);
    const recallAt10 = await recallAtK(raw, engineSearch(engine), queries.slice(0, options.recallQueries));
    if (!raw.indexed)
      notes.push(
        `below the brute-force threshold (${raw.indexConfig.bruteForceThreshold.toLocaleString('en')} rows): vector search is exact, recall is 1 by construction`,
      );
    raw.close();

    say('GC…');
    const gcResult = await timeGc(engine);
    const diskBytes = await directoryBytes(dataDir);
    const result: SizeResult = {
      size,
      load,
      promotion,
      annIndexed: raw.indexed,
      annIndexType: raw.indexType,
      indexConfig: raw.indexConfig,
      latency,
      engineOverRaw: {},
      mcpAddedMs: {},
      mcpBase64AddedMs: {},
      mcpPingMs,
      mcpBytesPerHit,
      recallAt10,
      gc: { ms: gcResult.ms, reclaimedBytes: gcResult.reclaimedBytes, deletedGenerations: gcResult.deleted },
      diskBytes,
      rss: { serverPeakBytes, benchQueryPeakBytes },
      orama: { skipped: 'not run' },
      notes,
    };
    for (const mode of BENCH_MODES) {
      const engine = timings.samples.engine?.[mode];
      const raw = timings.samples.raw?.[mode];
      const mcp = timings.samples.mcp?.[mode];
      const mcp64 = timings.samples.mcp64?.[mode];
      if (engine && raw) result.engineOverRaw[mode] = round(pairedMedian(engine, raw, (e, r) => e / r));
      if (engine && mcp) result.mcpAddedMs[mode] = round(pairedMedian(mcp, engine, (m, e) => m - e));
      if (engine && mcp64)
        result.mcpBase64AddedMs![mode] = round(pairedMedian(mcp64, engine, (m, e) => m - e));
    }
    await engine.close();

    if (options.skip.has('orama')) result.orama = { skipped: 'skipped (--skip orama)' };
    else if (size > options.oramaMax)
      result.orama = { skipped: `over --orama-max ${formatCount(options.oramaMax)}` };
    else {
      say('Orama: building the in-memory index…');
      const orama = await buildOrama(corpus, size, say);
      say(`Orama queries (${options.oramaQueries} per mode)…`);
      latency.orama = (
        await timeSystems({ orama: orama.search }, queries.slice(0, options.oramaQueries), warmup.slice(0, 5))
      ).latencies.orama!;
      result.orama = { chunksPerSecond: orama.chunksPerSecond, heapBytes: orama.heapBytes };
    }
    say(`done: hybrid p50 engine ${latency.engine?.hybrid?.p50} ms, recall@10 ${recallAt10.toFixed(3)}`);
    return result;
  } finally {
    await engine.close();
    if (!options.keepData) await rm(dataDir, { recursive: true, force: true });
    else say(`data kept in ${dataDir} (KB "${BENCH_KB}")`);
  }
}

async function timePings(session: McpSession, count: number): Promise<LatencySummary> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await session.ping();
    times.push(performance.now() - started);
  }
  return summarizeLatencies(times);
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
