// Markdown tables of a benchmark run (bench/results/latest.md and the results section of BENCHMARKS.md).
import { BENCH_MODES } from './query-timing.js';
import { formatCount, SYSTEM_LABELS, SYSTEMS, type BenchResults, type SizeResult } from './results-model.js';

const MB = 2 ** 20;
const ms = (v: number | undefined) =>
  v === undefined || Number.isNaN(v) ? '—' : v < 10 ? v.toFixed(2) : v.toFixed(1);
const mb = (v: number | null) => (v === null ? '—' : `${Math.round(v / MB).toLocaleString('en')} MB`);

export function formatMarkdown(results: BenchResults): string {
  const m = results.machine;
  const out: string[] = [];
  out.push(
    `Run ${results.startedAt} → ${results.finishedAt} · ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB RAM · ${m.os} · Node ${m.node}` +
      ` · @lancedb/lancedb ${m.lancedb} · @orama/orama ${m.orama} · commit ${m.commit}`,
    '',
    `Corpus: ${results.corpus.dimension}-d vectors from a mixture of ${results.corpus.clusters} Gaussians, text from a ` +
      `${results.corpus.vocabulary.toLocaleString('en')}-word Zipf vocabulary (seed ${results.corpus.seed}); ` +
      `${results.settings.queries} timed queries per mode after ${results.settings.warmup} warm-up queries, top 10, ` +
      `hybrid = RRF (k 60); engine, MCP and raw LanceDB interleaved query by query; Orama ${results.settings.oramaQueries} ` +
      `queries per mode. Upsert calls of ${results.settings.callSize.toLocaleString('en')} chunks.`,
    '',
    '### Query latency (p50 / p95 / p99, ms)',
    '',
    `| chunks | system | ${BENCH_MODES.join(' | ')} |`,
    `| --- | --- | ${BENCH_MODES.map(() => '---').join(' | ')} |`,
  );
  for (const s of results.sizes) {
    for (const system of SYSTEMS) {
      const latencies = s.latency[system];
      if (!latencies) continue;
      const cells = BENCH_MODES.map((mode) => {
        const l = latencies[mode];
        return l ? `${ms(l.p50)} / ${ms(l.p95)} / ${ms(l.p99)}` : '—';
      });
      out.push(`| ${formatCount(s.size)} | ${SYSTEM_LABELS[system]} | ${cells.join(' | ')} |`);
    }
  }
  out.push(
    '',
    '### Overheads (median over queries of the paired per-query ratio / difference)',
    '',
    `| chunks | engine ÷ raw LanceDB: ${BENCH_MODES.join(' / ')} | MCP stdio adds (ms): ${BENCH_MODES.join(' / ')} | same, vector sent as vector_base64 | MCP ping p50 ms | bytes per hit (full / snippet / none content) |`,
    '| --- | --- | --- | --- | --- | --- |',
  );
  for (const s of results.sizes) {
    const ratio = BENCH_MODES.map((mode) =>
      s.engineOverRaw[mode] === undefined ? '—' : `${s.engineOverRaw[mode]!.toFixed(2)}×`,
    );
    const added = (addedMs: Partial<Record<string, number>> | undefined) =>
      BENCH_MODES.map((mode) =>
        addedMs?.[mode] === undefined ? '—' : `${addedMs[mode] >= 0 ? '+' : ''}${addedMs[mode].toFixed(2)}`,
      ).join(' / ');
    const bytes = s.mcpBytesPerHit
      ? (['full', 'snippet', 'none'] as const)
          .map((c) =>
            s.mcpBytesPerHit![c] === undefined ? '—' : Math.round(s.mcpBytesPerHit![c]).toLocaleString('en'),
          )
          .join(' / ')
      : '—';
    out.push(
      `| ${formatCount(s.size)} | ${ratio.join(' / ')} | ${added(s.mcpAddedMs)} | ${added(s.mcpBase64AddedMs)} | ${ms(s.mcpPingMs?.p50)} | ${bytes} |`,
    );
  }
  out.push(
    '',
    '### Scale',
    '',
    '| chunks | upsert chunks/s (first → last call) | seal (index build) s | promotion ms (median) | ANN | recall@10 | GC s | disk | peak RSS server / bench | Orama insert chunks/s, heap |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  );
  for (const s of results.sizes) out.push(scaleRow(s));
  const f = results.freshKb;
  if (f) {
    out.push(
      '',
      `### Fresh ${f.chunks.toLocaleString('en')}-chunk KB (upserted in calls of 500; lexical p50 over ${f.queries} queries, ms)`,
      '',
      '| right after the writes, idle refresh off | after the idle refresh | after run_gc compaction | idle refresh done after | ratio |',
      '| --- | --- | --- | --- | --- |',
      `| ${ms(f.unindexedP50Ms)} | ${ms(f.afterIdleP50Ms)} | ${ms(f.indexedP50Ms)} | ${Math.round(f.idleRefreshWaitMs)} ms | ${f.ratio.toFixed(2)}× |`,
    );
  }
  out.push('', '### Targets', '', '| target | measured | met? | note |', '| --- | --- | --- | --- |');
  for (const t of results.targets) {
    out.push(
      `| ${t.target} | ${t.measured} | ${t.met === null ? 'n/a' : t.met ? 'yes' : '**no**'} | ${t.note} |`,
    );
  }
  const notes = results.sizes.flatMap((s) => s.notes.map((n) => `- ${formatCount(s.size)}: ${n}`));
  if (notes.length > 0) out.push('', 'Notes:', '', ...notes);
  return `${out.join('\n')}\n`;
}

function scaleRow(s: SizeResult): string {
  const l = s.load;
  const rate = (v: number) => Math.round(v).toLocaleString('en');
  const ann = s.annIndexed
    ? `${s.annIndexType ?? s.indexConfig.type}, nprobes ${s.indexConfig.nprobes ?? '—'}`
    : 'none (exact)';
  const orama =
    'skipped' in s.orama ? s.orama.skipped : `${rate(s.orama.chunksPerSecond)}, ${mb(s.orama.heapBytes)}`;
  return (
    `| ${formatCount(s.size)} | ${rate(l.chunksPerSecond)} (${rate(l.firstCallChunksPerSecond)} → ${rate(l.lastCallChunksPerSecond)}) ` +
    `| ${(s.promotion.sealMs / 1000).toFixed(1)} | ${ms(s.promotion.medianPromotionMs)} | ${ann} | ${s.recallAt10.toFixed(3)} ` +
    `| ${s.gc ? (s.gc.ms / 1000).toFixed(2) : '—'} | ${mb(s.diskBytes)} | ${mb(s.rss.serverPeakBytes)} / ${mb(s.rss.benchQueryPeakBytes)} | ${orama} |`
  );
}
