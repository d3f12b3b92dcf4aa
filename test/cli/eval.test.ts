// eval: metric arithmetic against hand-computed values, and the subcommand end to end on a tiny BEIR dataset.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  documentRanking,
  meanScores,
  mrrAt,
  ndcgAt,
  parseEvalArgs,
  percentile,
  readBeir,
  recallAt,
  runEvalCommand,
  summarizeLatencies,
  type EvalReport,
} from '../../src/cli/eval/index.js';
import { toChunks } from '../../src/cli/eval/ingest.js';
import { baselinesFor, formatReportTable } from '../../src/cli/eval/report.js';
import { makeTempDir, type TempDir } from '../helpers/temp-dir.js';

const INV_LOG2_3 = 1 / Math.log2(3); // gain discount at rank 2

describe('metrics', () => {
  const graded = new Map([
    ['b', 2],
    ['c', 1],
    ['z', 3],
  ]);

  it('nDCG@10 uses linear gains and the ideal order of the judged grades', () => {
    // DCG = 0 + 2/log2(3) + 1/log2(4); IDCG = 3 + 2/log2(3) + 1/log2(4)
    expect(ndcgAt(['a', 'b', 'c'], graded, 10)).toBeCloseTo(
      (2 * INV_LOG2_3 + 0.5) / (3 + 2 * INV_LOG2_3 + 0.5),
      10,
    );
    expect(ndcgAt(['z', 'b', 'c'], graded, 10)).toBeCloseTo(1, 10);
    expect(ndcgAt(['a'], new Map(), 10)).toBe(0);
  });

  it('cuts every metric at its k', () => {
    const ranking = Array.from({ length: 12 }, (_, i) => `n${i}`);
    ranking[10] = 'hit'; // rank 11
    const judged = new Map([['hit', 1]]);
    expect(ndcgAt(ranking, judged, 10)).toBe(0);
    expect(mrrAt(ranking, judged, 10)).toBe(0);
    expect(recallAt(ranking, judged, 100)).toBe(1);
    expect(recallAt(ranking, judged, 10)).toBe(0);
  });

  it('Recall@k counts relevant documents found over all relevant ones', () => {
    expect(recallAt(['a', 'b', 'c'], graded, 100)).toBeCloseTo(2 / 3, 10);
    expect(recallAt(['a'], new Map([['a', 0]]), 100)).toBe(0);
  });

  it('MRR@10 is the reciprocal rank of the first relevant result', () => {
    expect(mrrAt(['a', 'b', 'c'], graded, 10)).toBe(0.5);
    expect(mrrAt(['z'], graded, 10)).toBe(1);
    expect(mrrAt(['a', 'x'], graded, 10)).toBe(0);
  });

  it('averages over queries, zeros included', () => {
    const mean = meanScores([
      { ndcg10: 1, recall100: 1, mrr10: 1 },
      { ndcg10: 0, recall100: 0.5, mrr10: 0 },
    ]);
    expect(mean).toEqual({ ndcg10: 0.5, recall100: 0.75, mrr10: 0.5 });
  });

  it('ranks each document at its best chunk and drops the query id itself', () => {
    expect(documentRanking(['d1', 'd2', 'd1', 'q', 'd3', 'd2'], 'q')).toEqual(['d1', 'd2', 'd3']);
  });

  it('nearest-rank percentiles', () => {
    const samples = Array.from({ length: 100 }, (_, i) => 100 - i);
    const sorted = [...samples].sort((a, b) => a - b);
    expect([percentile(sorted, 50), percentile(sorted, 95), percentile(sorted, 99)]).toEqual([50, 95, 99]);
    expect(summarizeLatencies([3, 1, 2])).toMatchObject({ count: 3, p50: 2, p95: 3, max: 3, mean: 2 });
    expect(percentile([], 50)).toBeNaN();
  });
});

describe('options', () => {
  it('expands hybrid into its fusions and rejects unknown modes', () => {
    expect(parseEvalArgs(['dir', '--modes', 'lexical,hybrid']).modes.map((m) => m.name)).toEqual([
      'lexical',
      'hybrid-rrf',
      'hybrid-weighted',
      'hybrid-adaptive',
      'hybrid-calibrated',
    ]);
    expect(() => parseEvalArgs(['dir', '--modes', 'fuzzy'])).toThrow(/unknown mode "fuzzy"/);
    expect(() => parseEvalArgs(['dir', '--chunk-size', '0'])).toThrow(/positive integer/);
    expect(() => parseEvalArgs([])).toThrow(/dataset directory/);
  });
});

/**
 * Lexical rankings here are forced by the words: "alpha" is in d1 three times and in d2 once (same lengths);
 * "beta gamma" matches d3 on both words and d4 on one; "delta" only d5; "unrelated" only d6.
 */
const CORPUS = [
  { _id: 'd1', title: '', text: 'alpha alpha alpha filler one' },
  { _id: 'd2', title: '', text: 'alpha filler two words here' },
  { _id: 'd3', title: '', text: 'beta gamma filler three' },
  { _id: 'd4', title: '', text: 'beta filler four words here now' },
  { _id: 'd5', title: 'Epsilon study', text: 'delta filler five' },
  { _id: 'd6', title: '', text: 'unrelated filler six' },
];
const QUERIES = [
  { _id: 'q1', text: 'alpha' },
  { _id: 'q2', text: 'beta gamma' },
  { _id: 'q3', text: 'delta' },
  { _id: 'q4', text: 'unrelated filler six' },
];
// q1: d2 (found at rank 2) and d5 (not found). q2: graded, found in ideal order. q3: d6, never found.
// q4: d6, found first. "q9" is judged but has no query text; d1's 0 grade is not a judgement.
const QRELS = [
  ['query-id', 'corpus-id', 'score'],
  ['q1', 'd2', '1'],
  ['q1', 'd5', '1'],
  ['q1', 'd1', '0'],
  ['q2', 'd3', '2'],
  ['q2', 'd4', '1'],
  ['q3', 'd6', '1'],
  ['q4', 'd6', '1'],
  ['q9', 'd1', '1'],
];

const EXPECTED_LEXICAL = {
  q1: { ndcg10: INV_LOG2_3 / (1 + INV_LOG2_3), recall100: 0.5, mrr10: 0.5, top: ['d1', 'd2'] },
  q2: { ndcg10: 1, recall100: 1, mrr10: 1, top: ['d3', 'd4'] },
  q3: { ndcg10: 0, recall100: 0, mrr10: 0, top: ['d5'] },
  q4: { ndcg10: 1, recall100: 1, mrr10: 1 },
};

describe('eval end to end on a tiny BEIR dataset', () => {
  let dir: TempDir;

  beforeAll(async () => {
    dir = await makeTempDir('rag-studio-eval-test-');
    const jsonl = (rows: object[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
    await writeFile(join(dir.path, 'corpus.jsonl'), jsonl(CORPUS));
    await writeFile(join(dir.path, 'queries.jsonl'), jsonl(QUERIES));
    await mkdir(join(dir.path, 'qrels'));
    await writeFile(join(dir.path, 'qrels', 'test.tsv'), QRELS.map((r) => r.join('\t')).join('\n') + '\n');
  });
  afterAll(async () => dir?.remove());

  async function runJson(args: string[]): Promise<EvalReport> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runEvalCommand([dir.path, '--json', '--per-query', '--model', 'hash', ...args], {
      stdout: (s) => out.push(s),
      stderr: (s) => err.push(s),
    });
    expect(code, err.join('')).toBe(0);
    return JSON.parse(out.join('')) as EvalReport;
  }

  it('reads the dataset: header skipped, zero grades dropped', async () => {
    const data = await readBeir(dir.path, 'test');
    expect(data.corpus).toHaveLength(6);
    expect([...data.qrels.keys()]).toEqual(['q1', 'q2', 'q3', 'q4', 'q9']);
    expect(data.qrels.get('q1')).toEqual(
      new Map([
        ['d2', 1],
        ['d5', 1],
      ]),
    );
  });

  it('scores lexical mode exactly as computed by hand', async () => {
    const report = await runJson(['--modes', 'lexical']);
    expect(report.dataset).toMatchObject({ documents: 6, chunks: 6, queries: 4, missingQueries: 1 });
    const lexical = report.modes[0]!;
    expect(lexical.mode).toBe('lexical');
    expect(lexical.errors).toBe(0);
    for (const q of lexical.perQuery!) {
      const expected = EXPECTED_LEXICAL[q.queryId as keyof typeof EXPECTED_LEXICAL];
      expect(q.ndcg10).toBeCloseTo(expected.ndcg10, 10);
      expect(q.recall100).toBe(expected.recall100);
      expect(q.mrr10).toBe(expected.mrr10);
      if ('top' in expected) expect(q.top10).toEqual(expected.top);
    }
    expect(lexical.ndcg10).toBeCloseTo((INV_LOG2_3 / (1 + INV_LOG2_3) + 1 + 0 + 1) / 4, 10);
    expect(lexical.recall100).toBeCloseTo((0.5 + 1 + 0 + 1) / 4, 10);
    expect(lexical.mrr10).toBeCloseTo((0.5 + 1 + 0 + 1) / 4, 10);
    expect(lexical.latency.count).toBe(4);
  });

  it('runs vector and every hybrid fusion; a query equal to a document finds it first by vector', async () => {
    const report = await runJson(['--modes', 'vector,hybrid']);
    expect(report.modes.map((m) => m.mode)).toEqual([
      'vector',
      'hybrid-rrf',
      'hybrid-weighted',
      'hybrid-adaptive',
      'hybrid-calibrated',
    ]);
    for (const mode of report.modes) {
      expect(mode.errors).toBe(0);
      for (const key of ['ndcg10', 'recall100', 'mrr10'] as const)
        expect(mode[key]).toBeGreaterThanOrEqual(0);
      expect(mode.perQuery!.find((q) => q.queryId === 'q4')!.top10[0]).toBe('d6');
    }
    expect(report.model).toMatchObject({ id: 'hash', semantic: false });
    expect(report.baselines).toEqual([]);
  });

  it('with --chunk-size ranks each document by its best chunk', async () => {
    const report = await runJson(['--modes', 'lexical', '--chunk-size', '2']);
    // 5+5+4+6+3+3 words in windows of 2.
    expect(report.dataset.chunks).toBe(3 + 3 + 2 + 3 + 2 + 2);
    const q1 = report.modes[0]!.perQuery!.find((q) => q.queryId === 'q1')!;
    expect(q1.top10).toEqual(['d1', 'd2']);
    expect(q1.ndcg10).toBeCloseTo(EXPECTED_LEXICAL.q1.ndcg10, 10);
  });

  it('warns on stderr and in the table when vector or hybrid modes run on a non-semantic model', async () => {
    const run = async (modes: string) => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await runEvalCommand([dir.path, '--model', 'hash', '--modes', modes], {
        stdout: (s) => out.push(s),
        stderr: (s) => err.push(s),
      });
      expect(code).toBe(0);
      return { out: out.join(''), err: err.join('') };
    };
    const hybrid = await run('hybrid-rrf');
    expect(hybrid.err).toMatch(
      /eval: warning: model "hash" is feature hashing, not semantic \(for tests only\)/,
    );
    expect(hybrid.out).toMatch(/note: warning: model "hash" .*hybrid usually scores below lexical/);
    const lexical = await run('lexical');
    expect(lexical.err + lexical.out).not.toContain('not semantic');
  });

  it('prints a table with the metrics, and usage errors exit 2', async () => {
    const out: string[] = [];
    const code = await runEvalCommand([dir.path, '--model', 'hash', '--modes', 'lexical'], {
      stdout: (s) => out.push(s),
      stderr: () => undefined,
    });
    expect(code).toBe(0);
    expect(out.join('')).toMatch(/mode\s+nDCG@10\s+Recall@100\s+MRR@10\s+p50 ms/);
    expect(out.join('')).toContain(((INV_LOG2_3 / (1 + INV_LOG2_3) + 2) / 4).toFixed(3));
    const err: string[] = [];
    expect(await runEvalCommand(['--bogus'], { stdout: () => undefined, stderr: (s) => err.push(s) })).toBe(
      2,
    );
    expect(err.join('')).toContain('Usage:');
    expect(err.join('')).toMatch(/'hash' = non-semantic, for tests\s+only/);
    expect(
      await runEvalCommand([join(dir.path, 'nope')], { stdout: () => undefined, stderr: () => undefined }),
    ).toBe(1);
  });
});

describe('chunking', () => {
  it('keeps the title on every chunk, or prepends it', () => {
    const docs = [{ id: 'd', title: 'T', text: 'a b c' }];
    expect(toChunks(docs, { chunkSize: 2, title: 'field' })).toEqual([
      { chunkId: 'd#0', documentId: 'd', content: 'a b', title: 'T' },
      { chunkId: 'd#1', documentId: 'd', content: 'c', title: 'T' },
    ]);
    expect(toChunks(docs, { chunkSize: undefined, title: 'prepend' })).toEqual([
      { chunkId: 'd', documentId: 'd', content: 'T\n\na b c' },
    ]);
    expect(toChunks([{ id: 'e', title: '', text: '' }], { chunkSize: undefined, title: 'field' })).toEqual(
      [],
    );
  });
});

describe('published baselines', () => {
  const report = (split: string): EvalReport => ({
    dataset: { name: 'scifact', dir: '/d', split, documents: 1, chunks: 1, queries: 1, missingQueries: 0 },
    model: { id: 'hash', dimension: 8, semantic: false },
    chunking: { chunkSize: null, title: 'field' },
    ingest: { upsertMs: 1, chunksPerSecond: 1, indexMs: 1 },
    fusionCalibration: null,
    queryEmbedding: null,
    modes: [],
    baselines: baselinesFor('scifact'),
    notes: [],
    engine: { lancedb: 'x', node: 'y' },
  });

  it('labels each baseline with the split it was published for, and says when the run used another one', () => {
    const test = formatReportTable(report('test'));
    expect(test).toContain('0.713 on scifact-test  (compare with vector');
    const train = formatReportTable(report('train'));
    expect(train).toContain(
      '0.713 on scifact-test  (published for the test split, not train: not directly comparable',
    );
    expect(train).not.toContain('compare with');
  });
});
