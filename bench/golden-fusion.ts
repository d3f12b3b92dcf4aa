// Golden-query fusion benchmark (not a test): SciFact nDCG@10 of the default hybrid on held-out queries, before and after golden queries choose its weights.
// Run: npx tsx bench/golden-fusion.ts [/path/to/scifact] [--golden 100]
//   A KB made by plain upserts (never sealed) is calibrated in the background from probes; then `--golden`
//   test queries (every third one, with their qrels) become its golden set and the rest are measured again.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readBeir } from '../src/cli/eval/beir.js';
import { HashEmbedder } from '../src/engine/embedding/index.js';
import { documentRanking, ndcgAt, recallAt } from '../src/engine/evaluation/metrics.js';
import { openEngine } from '../src/engine/index.js';
import type { FusionCalibration, KnowledgeBaseEngine, SearchMode } from '../src/engine/types.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { golden: { type: 'string', default: '100' } },
});
const data = await readBeir(positionals[0] ?? '/work/shared/datasets/scifact', 'test');
const judged = [...data.qrels.keys()].filter((id) => data.queries.has(id)).sort();
const goldenIds = judged.filter((_, i) => i % 3 === 0).slice(0, Number(values.golden));
const heldOut = judged.filter((id) => !goldenIds.includes(id));

const dir = await mkdtemp(join(tmpdir(), 'rag-studio-golden-'));
const engine = await openEngine({ dataDir: dir, embedder: new HashEmbedder(), indexIdleMs: 0 });
try {
  const chunks = data.corpus.map((d) => ({
    chunkId: d.id,
    documentId: d.id,
    title: d.title,
    content: d.text,
  }));
  for (let i = 0; i < chunks.length; i += 1000)
    await engine.upsertChunks('scifact', chunks.slice(i, i + 1000));
  await engine.search({ kb: 'scifact', text: 'calibrate' }); // an uncalibrated hybrid search starts it
  await engine.calibrationsSettled();
  const probes = await calibration(engine);
  const lexical = await measure(engine, 'lexical');
  const before = await measure(engine, 'hybrid');
  const started = performance.now();
  await engine.setGoldenQueries('scifact', {
    queries: goldenIds.map((id) => ({
      text: data.queries.get(id)!,
      expected: [...data.qrels.get(id)!.keys()],
    })),
    k: 10,
  });
  await engine.calibrationsSettled();
  const goldenMs = performance.now() - started;
  const golden = await calibration(engine);
  const after = await measure(engine, 'hybrid');
  const vector = await measure(engine, 'vector');
  const row = (name: string, m: { ndcg: number; recall: number }) =>
    `| ${name} | ${m.ndcg.toFixed(3)} | ${m.recall.toFixed(3)} |`;
  const weights = (c: FusionCalibration) =>
    `vector ${c.weights.vector} / lexical ${c.weights.lexical}, ${c.tookMs} ms`;
  process.stdout.write(
    [
      `SciFact, hash embedder, ${chunks.length} chunks; ${goldenIds.length} golden queries, ${heldOut.length} held-out queries measured`,
      '',
      '| held-out queries | nDCG@10 | Recall@10 |',
      '| --- | ---: | ---: |',
      row('lexical', lexical),
      row('vector', vector),
      row(`hybrid, probe weights (${weights(probes)})`, before),
      row(`hybrid, golden weights (${weights(golden)})`, after),
      '',
      `golden calibration: nDCG@10 on the golden set vector ${golden.golden?.ndcg.vector}, lexical ${golden.golden?.ndcg.lexical}, fused ${golden.golden?.ndcg.fused}; set_golden_queries → stored weights ${Math.round(goldenMs)} ms`,
      '',
    ].join('\n'),
  );
} finally {
  await engine.close();
  await rm(dir, { recursive: true, force: true });
}

async function calibration(e: KnowledgeBaseEngine): Promise<FusionCalibration> {
  const [g] = await e.listGenerations('scifact');
  if (!g?.fusionCalibration) throw new Error('the KB was not calibrated');
  return g.fusionCalibration;
}

async function measure(e: KnowledgeBaseEngine, mode: SearchMode): Promise<{ ndcg: number; recall: number }> {
  let ndcg = 0;
  let recall = 0;
  for (const id of heldOut) {
    const r = await e.search({ kb: 'scifact', text: data.queries.get(id)!, mode, limit: 10 });
    const ranking = documentRanking(r.results.map((h) => h.documentId));
    ndcg += ndcgAt(ranking, data.qrels.get(id)!, 10);
    recall += recallAt(ranking, data.qrels.get(id)!, 10);
  }
  return { ndcg: ndcg / heldOut.length, recall: recall / heldOut.length };
}
