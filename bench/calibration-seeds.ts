// Calibration spread benchmark (not a test): SciFact quality of the default hybrid when probes are drawn with other seeds, per embedder.
// Run: npx tsx bench/calibration-seeds.ts [/path/to/scifact] [--embedders hash,lsa,tiny] [--seeds 8]
//   → one Markdown table per embedder on stdout, bench/results/calibration-seeds-<embedder>.json
// Each side is searched once per test query (to the depth a limit-100 hybrid search fetches); every fusion and
// every seed's calibration is then applied to those same candidate lists, so seeds differ only in their weights.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { readBeir } from '../src/cli/eval/beir.js';
import { ingestChunks, toChunks } from '../src/cli/eval/ingest.js';
import { meanScores, scoreQuery, type QueryScores } from '../src/cli/eval/metrics.js';
import { embedQueries, judgedQueries } from '../src/cli/eval/runner.js';
import { parseCommandLine } from '../src/config/config.js';
import { drawProbes, MIN_PROBES, round3, type ProbeSource } from '../src/engine/search/calibration.js';
import { fuse, fuseHybrid, type RankedCandidate } from '../src/engine/search/fusion.js';
import { mean, probeCurve, weighProbes } from '../src/engine/search/probe-weights.js';
import type { FusionCalibration, FusionMethod } from '../src/engine/types.js';
import { documentRanking } from '../src/engine/evaluation/metrics.js';
import { openRuntime } from '../src/runtime/open-runtime.js';
import { writeLsaModel } from '../test/helpers/lsa-model.js';
import { writeTinyModel } from '../test/helpers/tiny-model.js';

const RESULTS = join(dirname(fileURLToPath(import.meta.url)), 'results');
const KB = 'scifact';
/** What a hybrid search with limit 100 fetches per side (run-search.ts candidateDepth: 2 × (100 + 10)). */
const HYBRID_DEPTH = 220;
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { embedders: { type: 'string' }, seeds: { type: 'string', default: '8' } },
});
const datasetDir = positionals[0] ?? '/work/shared/datasets/scifact';
const chosen = (values.embedders ?? 'hash,lsa,tiny').split(',');
const seeds = Array.from({ length: Number(values.seeds) }, (_, i) => i + 1);
const data = await readBeir(datasetDir, 'test');
const log = (message: string) => process.stderr.write(`${message}\n`);

const temp = await mkdtemp(join(tmpdir(), 'rag-studio-seeds-'));
try {
  const models: Record<string, () => Promise<string>> = {
    hash: () => Promise.resolve('hash'),
    lsa: async () =>
      (
        await writeLsaModel(
          temp,
          data.corpus.map((d) => `${d.title}\n${d.text}`),
        )
      ).dir,
    tiny: async () => (await writeTinyModel(temp, { maxLength: 512 })).dir,
  };
  await mkdir(RESULTS, { recursive: true });
  for (const name of chosen) {
    const build = models[name];
    if (!build) throw new Error(`unknown embedder "${name}"; use hash, lsa, tiny`);
    const report = await measureEmbedder(name, await build());
    await writeFile(join(RESULTS, `calibration-seeds-${name}.json`), `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(`${markdown(report)}\n`);
  }
} finally {
  await rm(temp, { recursive: true, force: true });
}

type Metrics = QueryScores;
interface SeedRun {
  seed: number;
  probes: number;
  drawMs: number;
  rule: { vectorWeight: number; probeMrr: { vector: number; lexical: number; fused: number } };
  previousRule: { vectorWeight: number };
  typicalMargin: { vector: number; lexical: number };
  hybrid: Metrics;
  previousHybrid: Metrics;
}

async function measureEmbedder(name: string, model: string) {
  const dataDir = join(temp, `data-${name}`);
  const command = parseCommandLine(
    ['--data-dir', dataDir, '--gc-interval', '0', '--embedding-model', model],
    { env: process.env },
  );
  if (command.action !== 'serve') throw new Error('unexpected settings');
  const runtime = await openRuntime(command.config, { engine: { searchCacheSize: 0 } });
  try {
    const { engine, embedder } = runtime;
    const chunks = toChunks(data.corpus, { chunkSize: undefined, title: 'field' });
    const ingest = await ingestChunks(engine, KB, chunks, () => undefined);
    const seal = (await engine.listGenerations(KB)).find(
      (g) => g.generation === ingest.generation,
    )!.fusionCalibration!;
    log(`${name}: ingested; seal calibration vector ${seal.weights.vector} in ${seal.tookMs} ms`);
    const { queries } = judgedQueries(data, undefined);
    const { vectors } = await embedQueries(embedder!, queries);
    const lists: Array<{ vector: RankedCandidate<string>[]; lexical: RankedCandidate<string>[] }> = [];
    const engineHybrid: QueryScores[] = [];
    for (const q of queries) {
      const side = async (mode: 'vector' | 'lexical') => {
        const found: RankedCandidate<string>[] = [];
        for (let offset = 0; offset < HYBRID_DEPTH; offset += 100) {
          const r = await engine.search({
            kb: KB,
            mode,
            limit: Math.min(100, HYBRID_DEPTH - offset),
            offset,
            ...(mode === 'vector' ? { vector: vectors.get(q.id)! } : { text: q.text }),
          });
          found.push(...r.results.map((h) => ({ id: h.chunkId, score: h.score, row: h.documentId })));
        }
        return found;
      };
      lists.push({ vector: await side('vector'), lexical: await side('lexical') });
      // The engine's own default hybrid, to check the offline fusion below reproduces it.
      const hybrid = await engine.search({ kb: KB, text: q.text, vector: vectors.get(q.id)!, limit: 100 });
      engineHybrid.push(
        scoreQuery(
          documentRanking(
            hybrid.results.map((h) => h.documentId),
            q.id,
          ),
          q.judgements,
        ),
      );
    }
    log(`${name}: ${queries.length} queries searched`);
    const score = (rank: (l: (typeof lists)[number]) => ReadonlyArray<{ row: string }>): Metrics =>
      meanScores(
        lists.map((l, i) =>
          scoreQuery(
            documentRanking(
              rank(l)
                .slice(0, 100)
                .map((r) => r.row),
              queries[i]!.id,
            ),
            queries[i]!.judgements,
          ),
        ),
      );
    const calibrated = (c: FusionCalibration) =>
      score((l) => fuseHybrid('calibrated', l.vector, l.lexical, c).results);
    const modes: Record<string, Metrics> = {
      lexical: score((l) => l.lexical),
      vector: score((l) => l.vector),
      ...Object.fromEntries(
        (['rrf', 'weighted', 'adaptive'] as FusionMethod[]).map((m) => [
          `hybrid ${m}`,
          score((l) => fuse(m, l.vector, l.lexical)),
        ]),
      ),
      'hybrid calibrated, seal seed (offline)': calibrated(seal),
      'hybrid calibrated, seal seed (engine)': meanScores(engineHybrid),
    };
    const source: ProbeSource = {
      chunkCount: chunks.length,
      chunkAt: (offset) =>
        Promise.resolve(
          chunks[offset] && { chunkId: chunks[offset].chunkId, content: chunks[offset].content },
        ),
      search: async (mode, text, depth) =>
        (await engine.search({ kb: KB, mode, text, limit: depth })).results.map((h) => ({
          id: h.chunkId,
          score: h.score,
        })),
    };
    const runs: SeedRun[] = [];
    for (const seed of seeds) {
      const started = performance.now();
      const probes = (await drawProbes(source, seed))!;
      const drawMs = Math.round(performance.now() - started);
      if (probes.length < MIN_PROBES) throw new Error(`${name}: seed ${seed} drew ${probes.length} probes`);
      const weighed = weighProbes(probes);
      const previous = previousRule(probes, weighed.typicalMargin, chunks.length);
      const withWeight = (w: number) =>
        ({
          ...seal,
          weights: { vector: w, lexical: 1 - w },
          typicalMargin: weighed.typicalMargin,
        }) as FusionCalibration;
      runs.push({
        seed,
        probes: probes.length,
        drawMs,
        rule: {
          vectorWeight: weighed.vectorWeight,
          probeMrr: {
            vector: round3(weighed.probeMrr.vector),
            lexical: round3(weighed.probeMrr.lexical),
            fused: round3(weighed.probeMrr.fused),
          },
        },
        previousRule: { vectorWeight: previous },
        typicalMargin: weighed.typicalMargin,
        hybrid: calibrated(withWeight(weighed.vectorWeight)),
        previousHybrid: calibrated(withWeight(previous)),
      });
      log(
        `${name}: seed ${seed}: vector weight ${weighed.vectorWeight} (previous rule ${previous}), ${drawMs} ms`,
      );
    }
    const better = Math.max(modes.lexical!.ndcg10, modes.vector!.ndcg10);
    // For reference only (it uses the labels): the default hybrid's nDCG@10 at fixed prior weights.
    const labelledCurve = Array.from({ length: 11 }, (_, i) => {
      const w = i / 10;
      const typicalMargin = runs[0]!.typicalMargin;
      const m = calibrated({ ...seal, weights: { vector: w, lexical: 1 - w }, typicalMargin });
      return { w, ndcg10: round3(m.ndcg10), recall100: round3(m.recall100) };
    });
    const spread = (values: number[]) => {
      const sorted = [...values].sort((a, b) => a - b);
      return { min: sorted[0]!, median: sorted[Math.floor((sorted.length - 1) / 2)]!, max: sorted.at(-1)! };
    };
    return {
      embedder: name,
      model: { id: embedder!.id, dimension: embedder!.dimension },
      queries: queries.length,
      chunks: chunks.length,
      seal,
      modes,
      runs,
      labelledCurve,
      summary: {
        betterSideNdcg10: better,
        rule: spread(runs.map((r) => r.hybrid.ndcg10 - better)),
        previousRule: spread(runs.map((r) => r.previousHybrid.ndcg10 - better)),
        weights: spread(runs.map((r) => r.rule.vectorWeight)),
        previousWeights: spread(runs.map((r) => r.previousRule.vectorWeight)),
        drawMs: spread(runs.map((r) => r.drawMs)),
      },
    };
  } finally {
    await runtime.close();
  }
}

/** The rule before issue 17's follow-up: within 1% of the best fused MRR, nearest the vector side's share above chance. */
function previousRule(
  probes: Parameters<typeof weighProbes>[0],
  typicalMargin: { vector: number; lexical: number },
  chunkCount: number,
): number {
  const curve = probeCurve(probes, typicalMargin).map((c) => ({ w: c.w, mrr: mean(c.scores) }));
  let h = 0;
  for (let i = 1; i <= Math.min(50, chunkCount); i++) h += 1 / i;
  const chance = h / chunkCount;
  const rr = (list: ReadonlyArray<{ id: string }>, id: string) => {
    const i = list.findIndex((c) => c.id === id);
    return i < 0 ? 0 : 1 / (i + 1);
  };
  const sv = Math.max(0, mean(probes.map((p) => rr(p.vector, p.source))) - chance);
  const sl = Math.max(0, mean(probes.map((p) => rr(p.lexical, p.source))) - chance);
  const target = sv + sl > 0 ? sv / (sv + sl) : 0.5;
  const best = Math.max(...curve.map((c) => c.mrr));
  return curve
    .filter((c) => c.mrr >= best * 0.99)
    .reduce((a, b) => (Math.abs(b.w - target) < Math.abs(a.w - target) ? b : a)).w;
}

function markdown(report: Awaited<ReturnType<typeof measureEmbedder>>): string {
  const f = (x: number) => x.toFixed(3);
  const s = (x: { min: number; median: number; max: number }, d = 3) =>
    `${x.min.toFixed(d)} / ${x.median.toFixed(d)} / ${x.max.toFixed(d)}`;
  const median = (pick: (r: SeedRun) => Metrics) => {
    const sorted = [...report.runs].sort((a, b) => pick(a).ndcg10 - pick(b).ndcg10);
    return pick(sorted[Math.floor((sorted.length - 1) / 2)]!);
  };
  const row = (mode: string, m: Metrics) =>
    `| ${mode} | ${f(m.ndcg10)} | ${f(m.recall100)} | ${f(m.mrr10)} | ${f(m.ndcg10 - report.summary.betterSideNdcg10)} |`;
  return [
    `### ${report.embedder} (${report.model.dimension}-d), ${report.queries} queries, ${report.runs.length} seeds`,
    '',
    '| mode | nDCG@10 | Recall@100 | MRR@10 | vs better side |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...Object.entries(report.modes).map(([mode, m]) => row(mode, m)),
    row(
      'default, median seed',
      median((r) => r.hybrid),
    ),
    row(
      'previous rule, median seed',
      median((r) => r.previousHybrid),
    ),
    '',
    `default − better side, min / median / max over seeds: ${s(report.summary.rule)} (previous rule ${s(report.summary.previousRule)})`,
    `labelled queries' nDCG@10 at fixed vector weights (reference, not reachable without labels): ${report.labelledCurve.map((c) => `${c.w}: ${c.ndcg10.toFixed(3)}`).join(', ')}`,
    `vector weight min / median / max: ${s(report.summary.weights, 2)} (previous rule ${s(report.summary.previousWeights, 2)}); probe drawing ms ${s(report.summary.drawMs, 0)}`,
    '',
  ].join('\n');
}
