// `npm run bench:studio`: time from opening RAG Studio to the painted KB list, on a KB of 100k chunks, in Chromium.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCommandLine } from '../src/config/config.js';
import { openRuntime } from '../src/runtime/open-runtime.js';
import { createServer } from '../src/server/create-server.js';
import { startHttpServer } from '../src/server/http.js';
import { createLogger } from '../src/log/logger.js';
import { launchChromium } from '../test/helpers/chromium.js';
import { BENCH_KB, loadCorpus } from './engine-bench.js';
import { SyntheticCorpus } from './synthetic-corpus.js';

const SIZE = Number(process.argv[2] ?? 100_000);
const RUNS = 5;
const TOKEN = 'bench-studio-token-0123456789abcdef';

const dataDir = await mkdtemp(join(tmpdir(), 'rag-studio-bench-studio-'));
const command = parseCommandLine(
  [
    '--data-dir',
    dataDir,
    '--embedding-model',
    'none',
    '--gc-interval',
    '0',
    '--transport',
    'http',
    '--port',
    '0',
  ],
  { env: {} },
);
if (command.action !== 'serve') throw new Error('unexpected CLI action');
const { config } = command;
const logger = createLogger({ level: 'error' });
const runtime = await openRuntime(config, { log: logger.log });
try {
  const load = await loadCorpus(runtime.engine, new SyntheticCorpus(), SIZE, 10_000, (m) =>
    process.stderr.write(`${m}\r`),
  );
  await runtime.engine.promoteGeneration(BENCH_KB, load.generation);
  process.stderr.write(`\nloaded and promoted ${SIZE} chunks\n`);
  const http = await startHttpServer({
    config: { ...config.http, authToken: TOKEN },
    createSessionServer: () => createServer({ engine: runtime.engine, embedder: undefined, logger, config }),
    logger,
  });
  const browser = await launchChromium();
  const list: number[] = [];
  const health: number[] = [];
  const documents: number[] = [];
  try {
    for (let run = 0; run < RUNS; run++) {
      const page = await browser.context.newPage();
      const started = performance.now();
      await page.goto(`${http.studioUrl}#token=${TOKEN}`);
      await page.getByRole('row', { name: new RegExp(`^${BENCH_KB}`) }).waitFor();
      list.push(performance.now() - started);
      await page.locator(`[data-health="${BENCH_KB}"]`).filter({ hasText: 'indexed' }).waitFor();
      health.push(performance.now() - started);
      await page
        .locator(`[data-documents="${BENCH_KB}"]`)
        .filter({ hasText: /^[\d,]+$/ })
        .waitFor();
      documents.push(performance.now() - started);
      await page.close();
    }
  } finally {
    await browser.close();
    await http.close();
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!.toFixed(0);
  process.stdout.write(
    `KB of ${SIZE.toLocaleString('en')} chunks, ${RUNS} page loads (navigation → painted KB row): ` +
      `median ${median(list)} ms (${list.map((x) => x.toFixed(0)).join(', ')}); ` +
      `index-health cell filled: median ${median(health)} ms; ` +
      `document count filled: median ${median(documents)} ms\n`,
  );
} finally {
  await runtime.close();
  await rm(dataDir, { recursive: true, force: true });
}
