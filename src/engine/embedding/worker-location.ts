// Spawns the inference worker from compiled dist/ (production) or from the TypeScript source (vitest, tsx).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { EngineError } from '../errors.js';
import type { WorkerInit } from './worker-protocol.js';

const WORKER_BASENAME = 'embedding-worker';

/**
 * Compiled code runs `embedding-worker.js` next to this file. When this module is TypeScript source
 * (vitest or tsx import src/ directly), Node 20 cannot load `.ts` in a worker and ignores loader flags
 * in a worker's execArgv, so the worker boots through tsx's scoped `tsImport`: the worker then runs the
 * same source the tests see, never a stale build. Without tsx, the compiled dist/ worker is the fallback.
 */
export function spawnEmbeddingWorker(init: WorkerInit): Worker {
  const here = import.meta.url;
  const options: WorkerOptions = { workerData: init, name: 'rag-studio-embedding' };
  if (!here.endsWith('.ts')) return new Worker(new URL(`./${WORKER_BASENAME}.js`, here), options);

  const source = new URL(`./${WORKER_BASENAME}.ts`, here).href;
  const tsxApi = resolveTsxApi(here);
  if (tsxApi !== undefined) {
    const bootstrap =
      `import(${JSON.stringify(tsxApi)})` +
      `.then(({ tsImport }) => tsImport(${JSON.stringify(source)}, ${JSON.stringify(here)}))`;
    return new Worker(bootstrap, { ...options, eval: true });
  }
  const compiled = fileURLToPath(here).replace(
    /([\\/])src([\\/]engine[\\/]embedding[\\/])[^\\/]+\.ts$/,
    `$1dist$2${WORKER_BASENAME}.js`,
  );
  if (compiled.endsWith('.js') && existsSync(compiled)) return new Worker(compiled, options);
  throw new EngineError(
    'EMBEDDER_UNAVAILABLE',
    `cannot start the embedding worker from TypeScript source: tsx is not installed and no compiled worker exists at ${compiled}; run "npm run build" or install tsx`,
  );
}

/**
 * The ESM entry of `tsx/esm/api` (its CJS twin cannot boot an eval worker). `require.resolve` would
 * pick the CJS file, so the `import` target is read from tsx's own exports map instead.
 */
function resolveTsxApi(from: string): string | undefined {
  try {
    const packageJsonPath = createRequire(from).resolve('tsx/package.json');
    const manifest = JSON.parse(readFileSync(packageJsonPath, 'utf8')) as {
      exports?: Record<string, { import?: { default?: string } | string }>;
    };
    const target = manifest.exports?.['./esm/api']?.import;
    const relative = typeof target === 'string' ? target : target?.default;
    if (relative === undefined) return undefined;
    return pathToFileURL(join(dirname(packageJsonPath), relative)).href;
  } catch {
    return undefined;
  }
}
