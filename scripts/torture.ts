// npm run torture -- --trials N: hundreds of SIGKILL trials per operation, then the 16-client HTTP run; prints tables.
import { parseArgs } from 'node:util';
import { writeFile } from 'node:fs/promises';
import { seededRandom } from '../test/helpers/clustered-vectors.js';
import { requireBuild } from '../test/helpers/built-server.js';
import {
  createGenerationScenario,
  gcScenario,
  newKnowledgeBaseScenario,
  promoteScenario,
} from '../test/reliability/harness/crash-engine-scenarios.js';
import { calibrationScenario } from '../test/reliability/harness/crash-calibration-scenario.js';
import { goldenQueriesScenario } from '../test/reliability/harness/crash-golden-scenario.js';
import { ingestScenario } from '../test/reliability/harness/crash-ingest-scenario.js';
import { deleteScenario, upsertScenario } from '../test/reliability/harness/crash-server-scenarios.js';
import { multiprocessScenario } from '../test/reliability/harness/crash-multiprocess-scenario.js';
import {
  runScenario,
  type CrashScenario,
  type ScenarioSummary,
} from '../test/reliability/harness/crash-trial.js';
import { runConcurrency, type ConcurrencyReport } from '../test/reliability/harness/concurrency-run.js';
import { concurrencyTable, crashTable } from './torture-report.js';

const SCENARIOS: Record<string, CrashScenario> = {
  upsert: upsertScenario,
  'new-kb': newKnowledgeBaseScenario,
  delete: deleteScenario,
  create: createGenerationScenario,
  promote: promoteScenario,
  gc: gcScenario,
  ingest: ingestScenario,
  multiprocess: multiprocessScenario,
  golden: goldenQueriesScenario,
  calibrate: calibrationScenario,
};

const USAGE = `npm run torture -- [options]
  --trials N          crash trials per operation (default 200)
  --ops a,b           operations: ${Object.keys(SCENARIOS).join(', ')} (default all)
  --seed N            seed of the kill moments (default: the clock)
  --clients N         HTTP clients of the concurrency run (default 16)
  --seconds S         length of the concurrency run (default 60; 0 skips it)
  --json FILE         also write the results as JSON
  --help`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      trials: { type: 'string', default: '200' },
      ops: { type: 'string', default: Object.keys(SCENARIOS).join(',') },
      seed: { type: 'string' },
      clients: { type: 'string', default: '16' },
      seconds: { type: 'string', default: '60' },
      json: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  requireBuild();
  const trials = positiveInt('--trials', values.trials);
  const seconds = nonNegativeInt('--seconds', values.seconds);
  const clients = positiveInt('--clients', values.clients);
  const seed = values.seed === undefined ? Date.now() >>> 0 : nonNegativeInt('--seed', values.seed);
  const ops = values.ops.split(',').map((op) => op.trim());
  for (const op of ops)
    if (!SCENARIOS[op]) throw new Error(`unknown op ${op}; known: ${Object.keys(SCENARIOS).join(', ')}`);

  process.stderr.write(`torture: ${trials} trials per operation, seed ${seed}\n`);
  const random = seededRandom(seed);
  const summaries: ScenarioSummary[] = [];
  for (const op of ops) {
    const started = Date.now();
    const summary = await runScenario(SCENARIOS[op]!, trials, random, (i, result) => {
      if (result.violations.length > 0)
        process.stderr.write(`  ${op} trial ${i}: ${result.violations.join('\n    ')}\n`);
      if ((i + 1) % 25 === 0)
        process.stderr.write(
          `  ${op}: ${i + 1}/${trials} trials (${Math.round((Date.now() - started) / 1000)} s)\n`,
        );
    });
    summaries.push(summary);
    process.stderr.write(
      `${op}: ${summary.violations} violations in ${trials} trials, ${Math.round((Date.now() - started) / 1000)} s\n`,
    );
  }
  process.stdout.write(`\n${crashTable(summaries)}\n`);

  let concurrency: ConcurrencyReport | undefined;
  if (seconds > 0) {
    process.stderr.write(`concurrency: ${clients} HTTP clients for ${seconds} s\n`);
    concurrency = await runConcurrency({ clients, seconds });
    process.stdout.write(`\n${concurrencyTable(concurrency)}\n`);
  }
  if (values.json)
    await writeFile(values.json, `${JSON.stringify({ seed, trials, summaries, concurrency }, null, 2)}\n`);
  const failed =
    summaries.some((s) => s.violations > 0) ||
    (concurrency !== undefined && concurrency.violations.length > 0);
  return failed ? 1 : 0;
}

function positiveInt(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got "${text}"`);
  return n;
}

function nonNegativeInt(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${text}"`);
  return n;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`torture: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
