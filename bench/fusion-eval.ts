// Fusion benchmark (not a test): SciFact quality of lexical, vector and every fusion with three embedders of different strength.
// Run: npx tsx bench/fusion-eval.ts [/path/to/scifact] [--embedders hash,lsa,tiny]
//   → prints one Markdown table per embedder, writes bench/results/fusion-<embedder>.json
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { readBeir, runEval, type EvalReport } from '../src/cli/eval/index.js';
import { ALL_MODES } from '../src/cli/eval/options.js';
import { writeLsaModel } from '../test/helpers/lsa-model.js';
import { writeTinyModel } from '../test/helpers/tiny-model.js';

const RESULTS = join(dirname(fileURLToPath(import.meta.url)), 'results');
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { embedders: { type: 'string' }, 'limit-queries': { type: 'string' } },
});
const datasetDir = positionals[0] ?? '/work/shared/datasets/scifact';
const chosen = (values.embedders ?? 'hash,lsa,tiny').split(',');
const limitQueries = values['limit-queries'] ? Number(values['limit-queries']) : undefined;

const temp = await mkdtemp(join(tmpdir(), 'rag-studio-fusion-'));
try {
  const models: Record<string, () => Promise<string>> = {
    hash: () => Promise.resolve('hash'),
    lsa: async () => {
      const data = await readBeir(datasetDir, 'test');
      const started = performance.now();
      const lsa = await writeLsaModel(
        temp,
        data.corpus.map((d) => `${d.title}\n${d.text}`),
      );
      process.stderr.write(
        `lsa: ${lsa.vocabSize} tokens × ${lsa.dimension} dims built in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
      );
      return lsa.dir;
    },
    tiny: async () => (await writeTinyModel(temp, { maxLength: 512 })).dir,
  };
  await mkdir(RESULTS, { recursive: true });
  for (const name of chosen) {
    const build = models[name];
    if (!build) throw new Error(`unknown embedder "${name}"; use hash, lsa, tiny`);
    const model = await build();
    const report = await runEval(
      {
        datasetDir,
        split: 'test',
        json: true,
        chunkSize: undefined,
        model,
        modes: [...ALL_MODES],
        dataDir: undefined,
        limitQueries,
        title: 'field',
        perQuery: false,
        help: false,
      },
      (message) => process.stderr.write(`${name}: ${message}\n`),
    );
    await writeFile(join(RESULTS, `fusion-${name}.json`), `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(`${markdown(name, report)}\n`);
  }
} finally {
  await rm(temp, { recursive: true, force: true });
}

function markdown(name: string, report: EvalReport): string {
  const lexical = report.modes.find((m) => m.mode === 'lexical');
  const vector = report.modes.find((m) => m.mode === 'vector');
  const better = Math.max(lexical?.ndcg10 ?? 0, vector?.ndcg10 ?? 0);
  const lines = [
    `### ${name} (${report.model.dimension}-d), ${report.dataset.queries} queries`,
    '',
    '| mode | nDCG@10 | Recall@100 | MRR@10 | vs better side |',
    '| --- | ---: | ---: | ---: | ---: |',
  ];
  for (const m of report.modes) {
    const delta = m.mode.startsWith('hybrid') ? (m.ndcg10 - better).toFixed(3) : '';
    lines.push(
      `| ${m.mode} | ${m.ndcg10.toFixed(3)} | ${m.recall100.toFixed(3)} | ${m.mrr10.toFixed(3)} | ${delta} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}
