// The eval report: its JSON shape, the published baselines printed beside it, and the text table.
import type { FusionCalibration } from '../../engine/types.js';
import type { LatencySummary } from './latency.js';
import type { ModeResult } from './runner.js';

export interface PublishedBaseline {
  system: string;
  /** nDCG@10, or the published range. */
  ndcg10: number | [number, number];
  /** Which of our modes it compares with. */
  comparesWith: 'lexical' | 'vector';
  /** The qrels split the number was published for. */
  split: string;
  source: string;
}

/** Published nDCG@10 by dataset directory name (lower case). */
export const PUBLISHED_BASELINES: Readonly<Record<string, PublishedBaseline[]>> = {
  scifact: [
    {
      system: 'BM25 (Anserini; multifield 0.665, flat 0.679)',
      ndcg10: [0.665, 0.679],
      comparesWith: 'lexical',
      split: 'test',
      source: 'BEIR (Thakur et al., 2021) and Anserini',
    },
    {
      system: 'bge-small-en-v1.5, dense',
      ndcg10: 0.713,
      comparesWith: 'vector',
      split: 'test',
      source: 'MTEB leaderboard',
    },
  ],
};

export function baselinesFor(datasetName: string): PublishedBaseline[] {
  const key = Object.keys(PUBLISHED_BASELINES).find((name) => datasetName.toLowerCase().includes(name));
  return key === undefined ? [] : PUBLISHED_BASELINES[key]!;
}

export interface EvalReport {
  dataset: {
    name: string;
    dir: string;
    split: string;
    documents: number;
    chunks: number;
    /** Judged queries evaluated. */
    queries: number;
    /** Judged query ids absent from queries.jsonl (not evaluated). */
    missingQueries: number;
  };
  model: { id: string; dimension: number; semantic: boolean };
  chunking: { chunkSize: number | null; title: 'field' | 'prepend' };
  ingest: { upsertMs: number; chunksPerSecond: number; indexMs: number };
  /** What seal-time calibration measured for the `calibrated` (default) fusion; null when it did not run. */
  fusionCalibration: FusionCalibration | null;
  queryEmbedding: LatencySummary | null;
  modes: ModeResult[];
  baselines: PublishedBaseline[];
  notes: string[];
  engine: { lancedb: string; node: string };
}

const fixed = (x: number, digits = 3) => (Number.isFinite(x) ? x.toFixed(digits) : '—');

export function formatReportTable(report: EvalReport): string {
  const { dataset, model, ingest } = report;
  const lines: string[] = [];
  lines.push(
    `rag-studio-mcp eval · ${dataset.name} (${dataset.split}) · ${dataset.documents} documents → ${dataset.chunks} chunks` +
      ` · ${dataset.queries} queries · model ${model.id} (${model.dimension}-d)`,
  );
  lines.push(
    `ingest ${fixed(ingest.upsertMs / 1000, 1)} s (${Math.round(ingest.chunksPerSecond)} chunks/s incl. embedding),` +
      ` seal + promote ${fixed(ingest.indexMs / 1000, 1)} s` +
      (report.queryEmbedding
        ? `; query embedding p50 ${fixed(report.queryEmbedding.p50, 2)} ms (not in the latencies below)`
        : ''),
  );
  const calibration = report.fusionCalibration;
  if (calibration) {
    lines.push(
      `fusion calibration (in seal + promote): vector ${fixed(calibration.weights.vector, 2)}, lexical ` +
        `${fixed(calibration.weights.lexical, 2)} from ${calibration.probes} ${calibration.probeKind ?? ''} probes` +
        (calibration.guard
          ? ` guarded by ${calibration.guard.probes} verbatim ones (allowed vector ${fixed(calibration.guard.allowed.min, 2)}–${fixed(calibration.guard.allowed.max, 2)})`
          : '') +
        ` in ${calibration.tookMs} ms ` +
        `(probe MRR vector ${fixed(calibration.probeMrr.vector)}, lexical ${fixed(calibration.probeMrr.lexical)}, ` +
        `fused ${fixed(calibration.probeMrr.fused)})`,
    );
  }
  lines.push('');
  const header = ['mode', 'nDCG@10', 'Recall@100', 'MRR@10', 'p50 ms', 'p95 ms', 'errors'];
  const rows = report.modes.map((m) => [
    m.mode,
    fixed(m.ndcg10),
    fixed(m.recall100),
    fixed(m.mrr10),
    fixed(m.latency.p50, 2),
    fixed(m.latency.p95, 2),
    String(m.errors),
  ]);
  lines.push(...alignColumns([header, ...rows]));
  if (report.baselines.length > 0) {
    lines.push('', `Published nDCG@10 on ${dataset.name}, for comparison:`);
    for (const b of report.baselines) {
      const value = Array.isArray(b.ndcg10) ? `${fixed(b.ndcg10[0])}–${fixed(b.ndcg10[1])}` : fixed(b.ndcg10);
      const compare =
        b.split === dataset.split
          ? `compare with ${b.comparesWith}`
          : `published for the ${b.split} split, not ${dataset.split}: not directly comparable`;
      lines.push(`  ${b.system}: ${value} on ${dataset.name}-${b.split}  (${compare}; ${b.source})`);
    }
  }
  for (const m of report.modes)
    if (m.firstError) lines.push(`${m.mode}: ${m.errors} failed queries, first: ${m.firstError}`);
  for (const note of report.notes) lines.push(`note: ${note}`);
  return `${lines.join('\n')}\n`;
}

/** Left-aligns the first column, right-aligns the rest. */
function alignColumns(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) =>
    r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '),
  );
}
