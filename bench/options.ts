// Flags of `npm run bench`.
import { parseArgs } from 'node:util';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface BenchOptions {
  sizes: number[];
  queries: number;
  warmup: number;
  recallQueries: number;
  /** Chunks per upsertChunks call (the engine's limit is 100k per call). */
  callSize: number;
  /** Engine writeBatchSize (rows per commit); undefined keeps the engine default. */
  writeBatchSize: number | undefined;
  promotions: number;
  oramaMax: number;
  /** Timed Orama queries per mode (it is slow at 100k; p99 of few samples is close to the max). */
  oramaQueries: number;
  /** Engine indexRefreshRows (background index refresh after writes); undefined keeps the engine default. */
  indexRefreshRows: number | undefined;
  skip: Set<'mcp' | 'orama' | 'raw' | 'fresh'>;
  /** Measure only the fresh small KB (no corpus sizes). */
  freshOnly: boolean;
  outDir: string;
  dataRoot: string;
  keepData: boolean;
  seed: number | undefined;
  /** Rewrite the results section of BENCHMARKS.md. */
  updateBenchmarksMd: boolean;
  /** Re-render the outputs from a results JSON instead of measuring. */
  render: string | undefined;
}

export const BENCH_USAGE = `Usage: npm run bench -- [options]

  --sizes <list>          corpus sizes, e.g. 10k,100k,1m (default 10k,100k)
  --queries <n>           timed queries per mode and system (default 200)
  --warmup <n>            untimed warm-up queries per mode and system (default 20)
  --recall-queries <n>    queries for recall@10 against brute force (default 100)
  --call-size <n>         chunks per upsert call (default 50000; the engine takes at most 100000)
  --write-batch <n>       engine writeBatchSize, rows per commit (default: the engine's)
  --promotions <n>        timed promotions per size (default 5)
  --orama-max <n>         largest size Orama is run at (default 100k)
  --orama-queries <n>     timed Orama queries per mode (default 50)
  --index-refresh-rows <n> engine indexRefreshRows; 0 turns background index refresh off (default: the engine's)
  --skip <list>           any of mcp, orama, raw, fresh (the fresh ~4k-chunk KB before/after its idle index refresh)
  --fresh-only            measure only the fresh ~4k-chunk KB
  --out <dir>             results directory (default bench/results)
  --data-root <dir>       where the per-size data directories go (default: the OS temp dir)
  --keep-data             keep the data directories
  --seed <n>              corpus seed
  --update-benchmarks-md  replace the generated section of BENCHMARKS.md with this run's tables
  --render <json>         measure nothing: re-render the tables and chart from a results JSON
`;

export function parseSize(text: string): number {
  const match = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(text.trim());
  if (!match) throw new Error(`bad size "${text}"; use e.g. 10k, 100k, 1m or 25000`);
  const factor = { '': 1, k: 1_000, m: 1_000_000 }[match[2]!.toLowerCase() as '' | 'k' | 'm'];
  return Math.round(Number(match[1]) * factor);
}

export function parseBenchArgs(argv: readonly string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      sizes: { type: 'string' },
      queries: { type: 'string' },
      warmup: { type: 'string' },
      'recall-queries': { type: 'string' },
      'call-size': { type: 'string' },
      'write-batch': { type: 'string' },
      promotions: { type: 'string' },
      'orama-max': { type: 'string' },
      'orama-queries': { type: 'string' },
      'index-refresh-rows': { type: 'string' },
      skip: { type: 'string' },
      out: { type: 'string' },
      'data-root': { type: 'string' },
      'keep-data': { type: 'boolean' },
      seed: { type: 'string' },
      'update-benchmarks-md': { type: 'boolean' },
      'fresh-only': { type: 'boolean' },
      render: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  const count = (value: string | undefined, fallback: number) =>
    value === undefined ? fallback : parseSize(value);
  const skip = new Set(
    (values.skip ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
  for (const s of skip)
    if (!['mcp', 'orama', 'raw', 'fresh'].includes(s))
      throw new Error(`--skip takes mcp, orama, raw, fresh; got "${s}"`);
  const sizes = (values.sizes ?? '10k,100k')
    .split(',')
    .map(parseSize)
    .sort((a, b) => a - b);
  if (sizes.some((s) => s < 1000)) throw new Error('sizes must be at least 1k');
  const callSize = count(values['call-size'], 50_000);
  if (callSize % 10_000 !== 0 || callSize > 100_000)
    throw new Error('--call-size must be a multiple of 10k, at most 100k');
  return {
    sizes,
    queries: count(values.queries, 200),
    warmup: count(values.warmup, 20),
    recallQueries: count(values['recall-queries'], 100),
    callSize,
    writeBatchSize: values['write-batch'] === undefined ? undefined : parseSize(values['write-batch']),
    promotions: count(values.promotions, 5),
    oramaMax: count(values['orama-max'], 100_000),
    oramaQueries: count(values['orama-queries'], 50),
    indexRefreshRows:
      values['index-refresh-rows'] === undefined ? undefined : parseSize(values['index-refresh-rows']),
    skip: skip as Set<'mcp' | 'orama' | 'raw' | 'fresh'>,
    freshOnly: values['fresh-only'] === true,
    outDir: values.out ?? join(dirname(fileURLToPath(import.meta.url)), 'results'),
    dataRoot: values['data-root'] ?? tmpdir(),
    keepData: values['keep-data'] === true,
    seed: values.seed === undefined ? undefined : Number(values.seed),
    updateBenchmarksMd: values['update-benchmarks-md'] === true,
    render: values.render,
  };
}
