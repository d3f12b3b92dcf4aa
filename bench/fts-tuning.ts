// Which LanceDB full-text index settings give the best BM25 nDCG@10 on a BEIR dataset (raw LanceDB, no engine).
// Usage: tsx bench/fts-tuning.ts <beir-dir> [--split test]
import { connect, Index, MatchQuery, MultiMatchQuery, type FtsOptions, type Table } from '@lancedb/lancedb';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readBeir, type BeirDataset } from '../src/cli/eval/beir.js';
import { documentRanking, meanScores, scoreQuery } from '../src/cli/eval/metrics.js';
import { summarizeLatencies } from '../src/cli/eval/latency.js';
import { judgedQueries } from '../src/cli/eval/runner.js';

interface Variant {
  name: string;
  /** `fields`: title and content columns, queried together; `flat`: one column holding title + text. */
  layout: 'fields' | 'flat';
  fts: FtsOptions;
  /** Per-column boosts of the multi-match query, [content, title]. */
  boosts?: [number, number];
}

/** The engine's current setting first, then one change at a time. */
const VARIANTS: Variant[] = [
  {
    name: 'engine today (fields, withPosition false, rest default)',
    layout: 'fields',
    fts: { withPosition: false },
  },
  { name: 'flat title+text, defaults', layout: 'flat', fts: { withPosition: false } },
  { name: 'flat, stem off', layout: 'flat', fts: { withPosition: false, stem: false } },
  { name: 'flat, stop words kept', layout: 'flat', fts: { withPosition: false, removeStopWords: false } },
  {
    name: 'flat, stem on + stop words removed',
    layout: 'flat',
    fts: { withPosition: false, stem: true, removeStopWords: true },
  },
  {
    name: 'flat, stem + stop words + ascii folding',
    layout: 'flat',
    fts: { withPosition: false, stem: true, removeStopWords: true, asciiFolding: true },
  },
  {
    name: 'fields, stem + stop words + ascii folding',
    layout: 'fields',
    fts: { withPosition: false, stem: true, removeStopWords: true, asciiFolding: true },
  },
  {
    name: 'fields, stem off, stop words kept',
    layout: 'fields',
    fts: { withPosition: false, stem: false, removeStopWords: false },
  },
  { name: 'fields, stop words kept', layout: 'fields', fts: { withPosition: false, removeStopWords: false } },
  { name: 'fields, title boost 0.5', layout: 'fields', fts: { withPosition: false }, boosts: [1, 0.5] },
  { name: 'fields, title boost 1.5', layout: 'fields', fts: { withPosition: false }, boosts: [1, 1.5] },
  { name: 'fields, title boost 2', layout: 'fields', fts: { withPosition: false }, boosts: [1, 2] },
  {
    name: 'fields, stop words kept, title boost 1.5',
    layout: 'fields',
    fts: { withPosition: false, removeStopWords: false },
    boosts: [1, 1.5],
  },
];

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { split: { type: 'string' } },
  });
  if (positionals.length !== 1) throw new Error('usage: tsx bench/fts-tuning.ts <beir-dir> [--split test]');
  const data = await readBeir(positionals[0]!, values.split ?? 'test');
  const dir = await mkdtemp(join(tmpdir(), 'rag-studio-fts-'));
  try {
    const db = await connect(dir);
    for (const [i, variant] of VARIANTS.entries()) {
      const table = await db.createTable(`v${i}`, rowsFor(data, variant.layout));
      for (const column of variant.layout === 'flat' ? ['content'] : ['content', 'title']) {
        await table.createIndex(column, { config: Index.fts(variant.fts), replace: true });
      }
      const result = await evaluate(table, data, variant);
      process.stdout.write(
        `${variant.name.padEnd(60)} nDCG@10 ${result.ndcg10.toFixed(4)}  Recall@100 ${result.recall100.toFixed(4)}` +
          `  MRR@10 ${result.mrr10.toFixed(4)}  p50 ${result.p50} ms\n`,
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function rowsFor(data: BeirDataset, layout: Variant['layout']): Array<Record<string, string>> {
  return data.corpus.map((d) =>
    layout === 'flat'
      ? { document_id: d.id, content: `${d.title}\n\n${d.text}`.trim(), title: '' }
      : { document_id: d.id, content: d.text, title: d.title },
  );
}

async function evaluate(table: Table, data: BeirDataset, variant: Variant) {
  const { queries } = judgedQueries(data, undefined);
  const scores = [];
  const times: number[] = [];
  for (const q of queries) {
    const query =
      variant.layout === 'flat'
        ? new MatchQuery(q.text, 'content')
        : new MultiMatchQuery(q.text, ['content', 'title'], variant.boosts ? { boosts: variant.boosts } : {});
    const started = performance.now();
    const rows = await table
      .query()
      .fullTextSearch(query)
      .select(['document_id', '_score'])
      .limit(100)
      .toArray();
    times.push(performance.now() - started);
    scores.push(
      scoreQuery(
        documentRanking(
          rows.map((r) => String(r.document_id)),
          q.id,
        ),
        q.judgements,
      ),
    );
  }
  return { ...meanScores(scores), p50: summarizeLatencies(times).p50 };
}

await main();
