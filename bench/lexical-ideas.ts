// General lexical ideas beyond one BM25 field, on raw LanceDB with a BEIR dataset: a low-weight title field,
// title repetition, query-term handling, RM3 and Bo1 expansion, and sequential-dependence proximity.
// Usage: tsx bench/lexical-ideas.ts <beir-dir> [--split test]
import {
  BooleanQuery,
  connect,
  Index,
  MatchQuery,
  Occur,
  PhraseQuery,
  type FullTextQuery,
  type Table,
} from '@lancedb/lancedb';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readBeir } from '../src/cli/eval/beir.js';
import { summarizeLatencies } from '../src/cli/eval/latency.js';
import { documentRanking, meanScores, scoreQuery, type QueryScores } from '../src/cli/eval/metrics.js';
import { judgedQueries, type JudgedQuery } from '../src/cli/eval/runner.js';

// Every setting below is a published default, fixed before the run (not searched on the test split).
/** RM3 as Anserini runs it by default: 10 feedback docs, 10 terms, original query weight 0.5. */
const RM3 = { docs: 10, terms: 10, originalWeight: 0.5 };
/** Bo1 (Amati 2003) as Terrier runs it by default: 3 feedback docs, 10 terms, weights w(t)/max w. */
const BO1 = { docs: 3, terms: 10 };
/** Sequential dependence model weights (Metzler & Croft 2005): terms, ordered pairs, unordered window of 8. */
const SDM = { terms: 0.85, ordered: 0.1, unordered: 0.05, window: 8 };

// A small English stop list for choosing expansion terms and query pairs (the index removes its own stop words).
const STOP = new Set(
  'a an and are as at be but by for if they will from has have in is it its of on or that the this to was were which with we our these those than then there their not no can may also been between both but into more most such other using used use while whether after before during over under within without'.split(
    ' ',
  ),
);

type Search = (q: JudgedQuery) => Promise<string[]>;

interface Corpus {
  texts: Map<string, string>;
  /** Occurrences of each word in the whole corpus (Bo1's F), and the number of documents (N). */
  collection: Map<string, number>;
  documents: number;
}

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { split: { type: 'string' } },
  });
  const data = await readBeir(positionals[0]!, values.split ?? 'test');
  const dir = await mkdtemp(join(tmpdir(), 'rag-studio-lexical-'));
  try {
    const db = await connect(dir);
    const rows = data.corpus.map((d) => ({
      document_id: d.id,
      search_text: d.title ? `${d.title}\n${d.text}` : d.text,
      title: d.title,
      // Title written twice: the usual single-field stand-in for BM25F with title weight 2 (Robertson et al. 2004).
      title_twice: d.title ? `${d.title}\n${d.title}\n${d.text}` : d.text,
    }));
    const plain = await buildTable(db, dir, 'docs', rows, false);
    const positional = await buildTable(db, dir, 'docs_positions', rows, true);
    for (const t of [plain, positional])
      process.stdout.write(
        `index ${t.name}: search_text FTS build ${t.buildMs.toFixed(0)} ms, index ${(t.bytes / 1e6).toFixed(2)} MB\n`,
      );
    const table = plain.table;
    const corpus = corpusStats(data.corpus.map((d) => [d.id, `${d.title} ${d.text}`]));
    const flat: Search = (q) => ids(table, new MatchQuery(q.text, 'search_text'), 100);
    const variants: Array<[string, Search]> = [
      ['one field (search_text), the engine now', flat],
      ['+ title as a second field, boost 0.2', (q) => ids(table, withTitle(q.text, 0.2), 100)],
      ['+ title as a second field, boost 0.5', (q) => ids(table, withTitle(q.text, 0.5), 100)],
      ['title written twice in the one field', (q) => ids(table, new MatchQuery(q.text, 'title_twice'), 100)],
      [
        'query words deduplicated (binary query tf)',
        (q) => ids(table, new MatchQuery(dedupe(q.text), 'search_text'), 100),
      ],
      [
        `RM3 (${RM3.docs} docs, ${RM3.terms} terms, original ${RM3.originalWeight})`,
        (q) => rm3(table, q, corpus, 'flat'),
      ],
      ['RM3 on + title field 0.2', (q) => rm3(table, q, corpus, 'title')],
      [`Bo1 (${BO1.docs} docs, ${BO1.terms} terms)`, (q) => bo1(table, q, corpus, 'flat')],
      ['Bo1 on + title field 0.2', (q) => bo1(table, q, corpus, 'title')],
      [
        'one field, index with positions (control)',
        (q) => ids(positional.table, new MatchQuery(q.text, 'search_text'), 100),
      ],
      [
        `SDM proximity (${SDM.terms}/${SDM.ordered}/${SDM.unordered}, window ${SDM.window})`,
        (q) => ids(positional.table, sdm(q.text, true), 100),
      ],
      ['SDM, ordered pairs only', (q) => ids(positional.table, sdm(q.text, false), 100)],
      // Combinations of the above, declared before the first combined run.
      [
        'title twice + SDM ordered pairs',
        (q) => ids(positional.table, sdm(q.text, false, 'title_twice'), 100),
      ],
      [
        'title field 0.2 + SDM ordered pairs',
        (q) => ids(positional.table, withTitleQuery(sdm(q.text, false), q.text, false), 100),
      ],
      [
        'title field 0.2 + SDM full',
        (q) => ids(positional.table, withTitleQuery(sdm(q.text, true), q.text, true), 100),
      ],
    ];
    const { queries } = judgedQueries(data, undefined);
    let baseline: number[] = [];
    for (const [name, run] of variants) {
      for (const q of queries.slice(0, 3)) await run(q); // warm the index like eval does
      const scores: QueryScores[] = [];
      const halves: [QueryScores[], QueryScores[]] = [[], []];
      const times: number[] = [];
      const ratios: number[] = [];
      for (const [i, q] of queries.entries()) {
        // Paired timing: the engine's query and this variant back to back (order alternating), so the load
        // of a shared machine cancels out of the ratio.
        const first = i % 2 === 0;
        const flatMs = first ? await timed(() => flat(q)) : 0;
        const started = performance.now();
        const ranking = await run(q);
        const ms = performance.now() - started;
        times.push(ms);
        ratios.push(ms / (first ? flatMs : await timed(() => flat(q))));
        const score = scoreQuery(documentRanking(ranking, q.id), q.judgements);
        scores.push(score);
        halves[i % 2]!.push(score);
      }
      const ndcg = scores.map((x) => x.ndcg10);
      if (baseline.length === 0) baseline = ndcg;
      const [low, high] = bootstrapDelta(baseline, ndcg);
      const all = meanScores(scores);
      const [even, odd] = halves.map((h) => meanScores(h).ndcg10.toFixed(4));
      process.stdout.write(
        `${name.padEnd(52)} nDCG@10 ${all.ndcg10.toFixed(4)} (halves ${even} / ${odd}; Δ 95% CI ` +
          `${low.toFixed(4)}..${high.toFixed(4)})  Recall@100 ${all.recall100.toFixed(4)}  MRR@10 ` +
          `${all.mrr10.toFixed(4)}  p50 ${summarizeLatencies(times).p50} ms, ${median(ratios).toFixed(2)}× paired\n`,
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** 95% paired bootstrap interval (10,000 resamples, fixed seed) of the mean per-query nDCG@10 difference. */
function bootstrapDelta(base: number[], variant: number[]): [number, number] {
  const deltas = variant.map((v, i) => v - base[i]!);
  let seed = 12345;
  const random = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 2 ** 32;
  };
  const means: number[] = [];
  for (let r = 0; r < 10_000; r++) {
    let sum = 0;
    for (let k = 0; k < deltas.length; k++) sum += deltas[Math.floor(random() * deltas.length)]!;
    means.push(sum / deltas.length);
  }
  means.sort((a, b) => a - b);
  return [means[249]!, means[9749]!];
}

/** The table with FTS indexes on search_text, title and title_twice; the search_text index's build time and size. */
async function buildTable(
  db: Awaited<ReturnType<typeof connect>>,
  dir: string,
  name: string,
  rows: Array<Record<string, string>>,
  withPosition: boolean,
): Promise<{ name: string; table: Table; buildMs: number; bytes: number }> {
  const table = await db.createTable(name, rows);
  const path = join(dir, `${name}.lance`);
  const before = await dirBytes(path);
  const started = performance.now();
  await table.createIndex('search_text', { config: Index.fts({ withPosition }), replace: true });
  const buildMs = performance.now() - started;
  const bytes = (await dirBytes(path)) - before;
  for (const column of ['title', 'title_twice'])
    await table.createIndex(column, { config: Index.fts({ withPosition }), replace: true });
  return { name, table, buildMs, bytes };
}

async function dirBytes(path: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(path, { withFileTypes: true, recursive: true }))
    if (entry.isFile()) total += (await stat(join(entry.parentPath, entry.name))).size;
  return total;
}

function withTitle(text: string, boost: number): FullTextQuery {
  return new BooleanQuery([
    [Occur.Should, new MatchQuery(text, 'search_text')],
    [Occur.Should, new MatchQuery(text, 'title', { boost })],
  ]);
}

/**
 * An SDM query plus the title field at 0.2 of the word clause's weight (the word clause is boosted
 * terms/unit, so the title clause is too).
 */
function withTitleQuery(query: FullTextQuery, text: string, unordered: boolean): FullTextQuery {
  const wordBoost = SDM.terms / (unordered ? SDM.unordered : SDM.ordered);
  return new BooleanQuery([
    [Occur.Should, query],
    [Occur.Should, new MatchQuery(text, 'title', { boost: 0.2 * wordBoost })],
  ]);
}

async function scored(table: Table, query: FullTextQuery, limit: number): Promise<Array<[string, number]>> {
  const rows = await table
    .query()
    .fullTextSearch(query)
    .select(['document_id', '_score'])
    .limit(limit)
    .toArray();
  return rows.map((r) => [String(r.document_id), Number(r._score)]);
}

async function ids(table: Table, query: FullTextQuery, limit: number): Promise<string[]> {
  return (await scored(table, query, limit)).map(([id]) => id);
}

function words(text: string): string[] {
  return (text.toLowerCase().match(/[a-z][a-z0-9-]{2,}/g) ?? []).filter((w) => !STOP.has(w));
}

/** Each distinct word once (LanceDB scores a word given twice twice: query tf counts linearly). */
function dedupe(text: string): string {
  const seen = new Set<string>();
  return (text.match(/\S+/g) ?? [])
    .filter((w) => {
      const key = w.toLowerCase().replace(/[^a-z0-9]/g, '');
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .join(' ');
}

function corpusStats(docs: Array<[string, string]>): Corpus {
  const collection = new Map<string, number>();
  for (const [, text] of docs) for (const w of words(text)) collection.set(w, (collection.get(w) ?? 0) + 1);
  return { texts: new Map(docs), collection, documents: docs.length };
}

/** How the first pass and the original part of an expanded query search: the one field, or it plus the title. */
type Base = 'flat' | 'title';

function baseQuery(base: Base, text: string): FullTextQuery {
  return base === 'flat' ? new MatchQuery(text, 'search_text') : withTitle(text, 0.2);
}

/** The original query at `weight` (title clause scaled alike), plus one clause per expansion term at its boost. */
function expanded(base: Base, text: string, weight: number, terms: Array<[string, number]>): FullTextQuery {
  const clauses: Array<[Occur, FullTextQuery]> = [
    [Occur.Should, new MatchQuery(text, 'search_text', { boost: weight })],
  ];
  if (base === 'title') clauses.push([Occur.Should, new MatchQuery(text, 'title', { boost: 0.2 * weight })]);
  for (const [term, boost] of terms)
    clauses.push([Occur.Should, new MatchQuery(term, 'search_text', { boost })]);
  return new BooleanQuery(clauses);
}

/**
 * RM3: the top documents of the first pass, weighted by their scores, give each word the mass Σ_d P(w|d)·score(d);
 * the heaviest join the query with that weight, the original query at RM3.originalWeight.
 */
async function rm3(table: Table, q: JudgedQuery, corpus: Corpus, base: Base): Promise<string[]> {
  const first = await scored(table, baseQuery(base, q.text), RM3.docs);
  const total = first.reduce((s, [, score]) => s + score, 0) || 1;
  const mass = new Map<string, number>();
  for (const [id, score] of first) {
    const terms = words(corpus.texts.get(id) ?? '');
    const weight = score / total / (terms.length || 1);
    for (const term of terms) mass.set(term, (mass.get(term) ?? 0) + weight);
  }
  const top = [...mass.entries()].sort((a, b) => b[1] - a[1]).slice(0, RM3.terms);
  const sum = top.reduce((s, [, w]) => s + w, 0) || 1;
  const terms = top.map(([t, w]): [string, number] => [t, ((1 - RM3.originalWeight) * w) / sum]);
  return ids(table, expanded(base, q.text, RM3.originalWeight, terms), 100);
}

/**
 * Bo1 (divergence from randomness): w(t) = tf_x·log2((1+P)/P) + log2(1+P) with P = F(t)/N, tf_x the word's count
 * in the top documents; the top terms join the original query (weight 1) at w(t)/max w, as Terrier does.
 */
async function bo1(table: Table, q: JudgedQuery, corpus: Corpus, base: Base): Promise<string[]> {
  const first = await scored(table, baseQuery(base, q.text), BO1.docs);
  const tf = new Map<string, number>();
  for (const [id] of first)
    for (const w of words(corpus.texts.get(id) ?? '')) tf.set(w, (tf.get(w) ?? 0) + 1);
  const weights = [...tf.entries()].map(([t, tfx]): [string, number] => {
    const p = (corpus.collection.get(t) ?? 1) / corpus.documents;
    return [t, tfx * Math.log2((1 + p) / p) + Math.log2(1 + p)];
  });
  const top = weights.sort((a, b) => b[1] - a[1]).slice(0, BO1.terms);
  const max = top[0]?.[1] ?? 1;
  return ids(
    table,
    expanded(
      base,
      q.text,
      1,
      top.map(([t, w]) => [t, w / max]),
    ),
    100,
  );
}

/**
 * Sequential dependence: the query's words, plus each pair of adjacent content words as an exact phrase (the
 * query's own words between them kept, so stop-word gaps line up with the index's positions) and within a window
 * of SDM.window words in either order. LanceDB's PhraseQuery takes no boost, so the weights are applied as ratios:
 * the word clause boosted terms/unordered, the ordered phrase given ordered/unordered times (2), each window once.
 * Without the window clauses the word clause is boosted terms/ordered instead.
 */
function sdm(text: string, unordered: boolean, column = 'search_text'): FullTextQuery {
  const tokens = text.match(/[A-Za-z0-9][A-Za-z0-9-]*/g) ?? [];
  const content = tokens
    .map((t, i) => [t, i] as const)
    .filter(([t]) => t.length > 1 && !STOP.has(t.toLowerCase()));
  const unit = unordered ? SDM.unordered : SDM.ordered;
  const clauses: Array<[Occur, FullTextQuery]> = [
    [Occur.Should, new MatchQuery(text, column, { boost: SDM.terms / unit })],
  ];
  for (let k = 0; k + 1 < content.length; k++) {
    const [a, i] = content[k]!;
    const [b, j] = content[k + 1]!;
    const phrase = tokens.slice(i, j + 1).join(' ');
    for (let n = 0; n < Math.round(SDM.ordered / unit); n++)
      clauses.push([Occur.Should, new PhraseQuery(phrase, column)]);
    if (unordered) {
      const slop = SDM.window - 2;
      clauses.push([Occur.Should, new PhraseQuery(`${a} ${b}`, column, { slop })]);
      clauses.push([Occur.Should, new PhraseQuery(`${b} ${a}`, column, { slop })]);
    }
  }
  return new BooleanQuery(clauses);
}

await main();
