// Times systems search by search (interleaved, warm-up first) and compares them query by query.
import { percentile, summarizeLatencies, type LatencySummary } from '../src/cli/eval/latency.js';

export const BENCH_MODES = ['vector', 'lexical', 'hybrid'] as const;
export type BenchMode = (typeof BENCH_MODES)[number];

export interface BenchQuery {
  text: string;
  vector: Float32Array;
}

/** A system under test: runs one top-10 search and returns the ids it found, best first. */
export type SearchFn = (mode: BenchMode, query: BenchQuery) => Promise<string[]>;

export type ModeLatencies = Partial<Record<BenchMode, LatencySummary>>;

/** Per system and mode, every query's time in query order (index i is the same query for every system). */
export type ModeSamples = Partial<Record<BenchMode, number[]>>;

export interface SystemTimings<S extends string> {
  latencies: Partial<Record<S, ModeLatencies>>;
  samples: Partial<Record<S, ModeSamples>>;
}

/**
 * Times several systems on the same queries, interleaved: for each query every system runs once, in an order
 * rotated per query, so machine noise (other processes on a shared box) lands on all of them alike and their
 * ratios stay meaningful.
 */
export async function timeSystems<S extends string>(
  systems: Readonly<Partial<Record<S, SearchFn>>>,
  queries: readonly BenchQuery[],
  warmup: readonly BenchQuery[],
  modes: readonly BenchMode[] = BENCH_MODES,
): Promise<SystemTimings<S>> {
  const names = (Object.keys(systems) as S[]).filter((n) => systems[n] !== undefined);
  const run = (name: S) => systems[name]!;
  const samples = new Map<S, Map<BenchMode, number[]>>(names.map((n) => [n, new Map()]));
  for (const mode of modes) {
    for (const name of names) for (const q of warmup) await run(name)(mode, q);
    for (const name of names) samples.get(name)!.set(mode, []);
    for (const [i, q] of queries.entries()) {
      for (let k = 0; k < names.length; k++) {
        const name = names[(i + k) % names.length]!;
        const started = performance.now();
        const ids = await run(name)(mode, q);
        samples
          .get(name)!
          .get(mode)!
          .push(performance.now() - started);
        if (ids.length === 0 && mode !== 'lexical')
          throw new Error(`${name}: ${mode} search returned nothing for "${q.text}"`);
      }
    }
  }
  const result: SystemTimings<S> = { latencies: {}, samples: {} };
  for (const name of names) {
    const latencies: ModeLatencies = {};
    const raw: ModeSamples = {};
    for (const [mode, times] of samples.get(name)!) {
      latencies[mode] = summarizeLatencies(times);
      raw[mode] = times;
    }
    result.latencies[name] = latencies;
    result.samples[name] = raw;
  }
  return result;
}

/**
 * Median over queries of a per-query comparison of two systems' paired samples (same query, run back to back):
 * robust to the machine's noise in a way a difference of two medians is not.
 * @example pairedMedian(mcp, engine, (a, b) => a - b) // typical added milliseconds
 */
export function pairedMedian(
  a: readonly number[],
  b: readonly number[],
  compare: (a: number, b: number) => number,
): number {
  const values = a.map((x, i) => compare(x, b[i]!)).sort((x, y) => x - y);
  return percentile(values, 50);
}

/** Reciprocal rank fusion (k = 60) of two best-first id lists, as the engine's default hybrid does it. */
export function fuseRrfIds(
  vector: readonly string[],
  lexical: readonly string[],
  limit: number,
  k = 60,
): string[] {
  const scores = new Map<string, number>();
  vector.forEach((id, i) => scores.set(id, (scores.get(id) ?? 0) + 1 / (k + i + 1)));
  lexical.forEach((id, i) => scores.set(id, (scores.get(id) ?? 0) + 1 / (k + i + 1)));
  return [...scores.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, limit)
    .map(([id]) => id);
}
