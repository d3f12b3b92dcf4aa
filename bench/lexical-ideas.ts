// Ideas beyond one BM25 field, on raw LanceDB with a BEIR dataset: a low-weight title field, RM3-style
// pseudo-relevance feedback. Usage: tsx bench/lexical-ideas.ts <beir-dir> [--split test]
import {
  BooleanQuery,
  connect,
  Index,
  MatchQuery,
  Occur,
  type FullTextQuery,
  type Table,
} from '@lancedb/lancedb';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readBeir } from '../src/cli/eval/beir.js';
import { summarizeLatencies } from '../src/cli/eval/latency.js';
import { documentRanking, meanScores, scoreQuery, type QueryScores } from '../src/cli/eval/metrics.js';
import { judgedQueries, type JudgedQuery } from '../src/cli/eval/runner.js';

/** Textbook RM3 settings (Anserini's defaults), not tuned here: 10 feedback docs, 10 terms, original weight 0.5. */
const FB_DOCS = 10;
const FB_TERMS = 10;
const ORIGINAL_WEIGHT = 0.5;

// A small English stop list for choosing expansion terms (the index removes its own stop words anyway).
const STOP = new Set(
  'a an and are as at be by for from has have in is it its of on or that the this to was were which with we our these those than then there their not no can may also been between both but into more most such other using used use while whether after before during over under within without'.split(
    ' ',
  ),
);

type Search = (q: JudgedQuery) => Promise<string[]>;

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { split: { type: 'string' } },
  });
  const data = await readBeir(positionals[0]!, values.split ?? 'test');
  const dir = await mkdtemp(join(tmpdir(), 'rag-studio-lexical-'));
  try {
    const db = await connect(dir);
    const table = await db.createTable(
      'docs',
      data.corpus.map((d) => ({
        document_id: d.id,
        search_text: d.title ? `${d.title}\n${d.text}` : d.text,
        title: d.title,
      })),
    );
    for (const column of ['search_text', 'title'])
      await table.createIndex(column, { config: Index.fts({ withPosition: false }), replace: true });
    const texts = new Map(data.corpus.map((d) => [d.id, `${d.title} ${d.text}`]));
    const flat: Search = (q) => ids(table, new MatchQuery(q.text, 'search_text'), 100);
    const variants: Array<[string, Search]> = [
      ['one field (search_text), the engine now', flat],
      ['+ title as a second field, boost 0.2', (q) => ids(table, withTitle(q.text, 0.2), 100)],
      ['+ title as a second field, boost 0.5', (q) => ids(table, withTitle(q.text, 0.5), 100)],
      [`RM3 (${FB_DOCS} docs, ${FB_TERMS} terms, original ${ORIGINAL_WEIGHT})`, (q) => rm3(table, q, texts)],
    ];
    const { queries } = judgedQueries(data, undefined);
    for (const [name, run] of variants) {
      const scores: QueryScores[] = [];
      const halves: [QueryScores[], QueryScores[]] = [[], []];
      const times: number[] = [];
      for (const [i, q] of queries.entries()) {
        const started = performance.now();
        const ranking = await run(q);
        times.push(performance.now() - started);
        const score = scoreQuery(documentRanking(ranking, q.id), q.judgements);
        scores.push(score);
        halves[i % 2]!.push(score);
      }
      const all = meanScores(scores);
      const [even, odd] = halves.map((h) => meanScores(h).ndcg10.toFixed(4));
      process.stdout.write(
        `${name.padEnd(48)} nDCG@10 ${all.ndcg10.toFixed(4)} (halves ${even} / ${odd})  Recall@100 ` +
          `${all.recall100.toFixed(4)}  MRR@10 ${all.mrr10.toFixed(4)}  p50 ${summarizeLatencies(times).p50} ms\n`,
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function withTitle(text: string, boost: number): FullTextQuery {
  return new BooleanQuery([
    [Occur.Should, new MatchQuery(text, 'search_text')],
    [Occur.Should, new MatchQuery(text, 'title', { boost })],
  ]);
}

async function ids(table: Table, query: FullTextQuery, limit: number): Promise<string[]> {
  const rows = await table
    .query()
    .fullTextSearch(query)
    .select(['document_id', '_score'])
    .limit(limit)
    .toArray();
  return rows.map((r) => String(r.document_id));
}

function words(text: string): string[] {
  return (text.toLowerCase().match(/[a-z][a-z0-9-]{2,}/g) ?? []).filter((w) => !STOP.has(w));
}

/**
 * RM3: the top FB_DOCS documents of the plain query, weighted by their BM25 scores, give each term the mass
 * Σ_d P(w|d)·score(d); the FB_TERMS heaviest join the query with that weight, the original at ORIGINAL_WEIGHT.
 */
async function rm3(table: Table, q: JudgedQuery, texts: Map<string, string>): Promise<string[]> {
  const first = await table
    .query()
    .fullTextSearch(new MatchQuery(q.text, 'search_text'))
    .select(['document_id', '_score'])
    .limit(FB_DOCS)
    .toArray();
  const total = first.reduce((s, r) => s + Number(r._score), 0) || 1;
  const mass = new Map<string, number>();
  for (const row of first) {
    const terms = words(texts.get(String(row.document_id)) ?? '');
    const weight = Number(row._score) / total / (terms.length || 1);
    for (const term of terms) mass.set(term, (mass.get(term) ?? 0) + weight);
  }
  const top = [...mass.entries()].sort((a, b) => b[1] - a[1]).slice(0, FB_TERMS);
  const sum = top.reduce((s, [, w]) => s + w, 0) || 1;
  const clauses: Array<[Occur, FullTextQuery]> = [
    [Occur.Should, new MatchQuery(q.text, 'search_text', { boost: ORIGINAL_WEIGHT })],
    ...top.map(([term, w]): [Occur, FullTextQuery] => [
      Occur.Should,
      new MatchQuery(term, 'search_text', { boost: ((1 - ORIGINAL_WEIGHT) * w) / sum }),
    ]),
  ];
  return ids(table, new BooleanQuery(clauses), 100);
}

await main();
