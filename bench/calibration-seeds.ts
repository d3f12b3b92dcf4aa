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
import { round3 } from '../src/engine/search/calibration.js';
import {
  drawProbes,
  drawVerbatimProbes,
  MIN_PROBES,
  type ProbeSource,
} from '../src/engine/search/draw-probes.js';
import { searchText } from '../src/engine/storage/chunk-fields.js';
import { fuse, fuseHybrid, type RankedCandidate } from '../src/engine/search/fusion.js';
import { weighProbes } from '../src/engine/search/probe-weights.js';
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
  kind: string;
  rule: { vectorWeight: number; probeMrr: { vector: number; lexical: number; fused: number } };
  /** What the verbatim guard probes allowed. */
  guard: { probes: number; allowed: { min: number; max: number } } | undefined;
  /** The same rule on verbatim probes alone (the default before held-out probes). */
  verbatim: { vectorWeight: number; probeMrr: { vector: number; lexical: number; fused: number } };
  /** The same rule on held-out probes alone, without the guard. */
  unguarded: { vectorWeight: number };
  typicalMargin: { vector: number; lexical: number };
  hybrid: Metrics;
  verbatimHybrid: Metrics;
  unguardedHybrid: Metrics;
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
    // The stored vectors, as the engine's own calibration reads them back from the table.
    const texts = chunks.map((c) => searchText(c.title ?? null, c.content));
    const stored = await embedder!.embedDocuments(texts);
    const source: ProbeSource = {
      chunkCount: chunks.length,
      metric: 'cosine',
      chunksAt: (offsets) =>
        Promise.resolve(
          offsets.map((o) => ({
            offset: o,
            chunkId: chunks[o]!.chunkId,
            text: texts[o]!,
            vector: stored[o]!,
          })),
        ),
      embedDocuments: (list) => embedder!.embedDocuments(list),
      embedQuery: (text) => embedder!.embedQuery(text),
      search: async (mode, text, depth) =>
        (await engine.search({ kb: KB, mode, text, limit: depth })).results.map((h) => ({
          id: h.chunkId,
          score: h.score,
        })),
    };
    const runs: SeedRun[] = [];
    const mrrs = (m: { vector: number; lexical: number; fused: number }) => ({
      vector: round3(m.vector),
      lexical: round3(m.lexical),
      fused: round3(m.fused),
    });
    for (const seed of seeds) {
      const started = performance.now();
      const { kind, probes } = (await drawProbes(source, seed))!;
      const drawMs = Math.round(performance.now() - started);
      if (probes.length < MIN_PROBES) throw new Error(`${name}: seed ${seed} drew ${probes.length} probes`);
      const verbatimProbes = (await drawVerbatimProbes(source, seed))!;
      const weighed = weighProbes(probes, verbatimProbes);
      const verbatim = weighProbes(verbatimProbes);
      const unguarded = weighProbes(probes);
      const withWeight = (w: number, typicalMargin: { vector: number; lexical: number }) =>
        ({ ...seal, weights: { vector: w, lexical: 1 - w }, typicalMargin }) as FusionCalibration;
      runs.push({
        seed,
        probes: probes.length,
        drawMs,
        kind,
        rule: { vectorWeight: weighed.vectorWeight, probeMrr: mrrs(weighed.probeMrr) },
        guard: weighed.guard,
        verbatim: { vectorWeight: verbatim.vectorWeight, probeMrr: mrrs(verbatim.probeMrr) },
        unguarded: { vectorWeight: unguarded.vectorWeight },
        typicalMargin: weighed.typicalMargin,
        hybrid: calibrated(withWeight(weighed.vectorWeight, weighed.typicalMargin)),
        verbatimHybrid: calibrated(withWeight(verbatim.vectorWeight, verbatim.typicalMargin)),
        unguardedHybrid: calibrated(withWeight(unguarded.vectorWeight, unguarded.typicalMargin)),
      });
      log(
        `${name}: seed ${seed}: ${kind} vector weight ${weighed.vectorWeight} (guard ${JSON.stringify(weighed.guard?.allowed)}; unguarded ${unguarded.vectorWeight}; verbatim ${verbatim.vectorWeight}), ${drawMs} ms`,
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
        verbatim: spread(runs.map((r) => r.verbatimHybrid.ndcg10 - better)),
        unguarded: spread(runs.map((r) => r.unguardedHybrid.ndcg10 - better)),
        unguardedWeights: spread(runs.map((r) => r.unguarded.vectorWeight)),
        weights: spread(runs.map((r) => r.rule.vectorWeight)),
        verbatimWeights: spread(runs.map((r) => r.verbatim.vectorWeight)),
        drawMs: spread(runs.map((r) => r.drawMs)),
      },
    };
  } finally {
    await runtime.close();
  }
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
      'verbatim probes, median seed',
      median((r) => r.verbatimHybrid),
    ),
    row(
      'held-out probes without the guard, median seed',
      median((r) => r.unguardedHybrid),
    ),
    '',
    `default − better side, min / median / max over seeds: ${s(report.summary.rule)} (verbatim probes ${s(report.summary.verbatim)}; held-out without the guard ${s(report.summary.unguarded)})`,
    `labelled queries' nDCG@10 at fixed vector weights (reference, not reachable without labels): ${report.labelledCurve.map((c) => `${c.w}: ${c.ndcg10.toFixed(3)}`).join(', ')}`,
    `vector weight min / median / max: ${s(report.summary.weights, 2)} (verbatim probes ${s(report.summary.verbatimWeights, 2)}; held-out without the guard ${s(report.summary.unguardedWeights, 2)}); probe drawing ms ${s(report.summary.drawMs, 0)}`,
    '',
  ].join('\n');
}
