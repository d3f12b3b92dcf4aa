// `rag-studio-mcp eval <beir-dir>`: ingest a BEIR dataset, run its queries in every mode, print the scores.
import { engineErrorText } from '../../config/engine-error-text.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isEngineError } from '../../engine/index.js';
import { ConfigError, NO_EMBEDDER_MODEL, parseCommandLine, type ServerConfig } from '../../config/config.js';
import { openRuntime, type Runtime } from '../../runtime/open-runtime.js';
import { parseOrExit, type CliIo } from '../usage.js';
import { BeirFormatError, readBeir } from './beir.js';
import { ingestChunks, toChunks } from './ingest.js';
import { packageVersion } from './package-version.js';
import { baselinesFor, formatReportTable, type EvalReport } from './report.js';
import { embedQueries, judgedQueries, runMode, type ModeResult } from './runner.js';
import { EVAL_USAGE, parseEvalArgs, type EvalOptions } from './options.js';

export { readBeir, type BeirDataset, type BeirDocument, type Qrels } from './beir.js';
export { documentRanking, meanScores, mrrAt, ndcgAt, recallAt, scoreQuery } from './metrics.js';
export { percentile, summarizeLatencies, type LatencySummary } from './latency.js';
export { parseEvalArgs, type EvalOptions } from './options.js';
export type { EvalReport } from './report.js';

export type EvalIo = CliIo;

const KB = 'eval';

/**
 * Runs the eval subcommand and returns its exit code: 0 done, 1 failed (bad dataset, model, storage), 2 bad usage.
 * @example process.exitCode = await runEvalCommand(['/data/scifact', '--model', 'hash'], { stdout, stderr });
 */
export async function runEvalCommand(argv: string[], io: EvalIo): Promise<number> {
  const options = parseOrExit('eval', argv, parseEvalArgs, EVAL_USAGE, io);
  if (typeof options === 'number') return options;
  try {
    const report = await runEval(options, (message) => io.stderr(`eval: ${message}\n`));
    io.stdout(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatReportTable(report));
    return 0;
  } catch (error) {
    if (error instanceof BeirFormatError || error instanceof ConfigError || isEngineError(error)) {
      io.stderr(`eval: ${isEngineError(error) ? engineErrorText(error) : error.message}\n`);
      return 1;
    }
    throw error;
  }
}

/** The whole evaluation; `progress` gets one line per step (ingest batches, each mode). */
export async function runEval(
  options: EvalOptions,
  progress: (message: string) => void,
): Promise<EvalReport> {
  const data = await readBeir(options.datasetDir, options.split);
  const log = (level: string, message: string) => {
    if (level !== 'debug') progress(`${level}: ${message}`);
  };
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'rag-studio-eval-')));
  let runtime: Runtime | undefined;
  try {
    runtime = await openRuntime(evalConfig(dataDir, options.model, log), {
      log,
      engine: { searchCacheSize: 0 },
    });
    const { engine, embedder } = runtime;
    const notes: string[] = [];
    const modes = embedder ? options.modes : options.modes.filter((m) => m.mode === 'lexical');
    if (modes.length < options.modes.length)
      notes.push('no embedding model (none): vector and hybrid modes were skipped');
    if (embedder?.semantic === false && modes.some((m) => m.mode !== 'lexical')) {
      // On SciFact, hash made hybrid-rrf score 0.525 against lexical 0.678: its numbers would mislead.
      const warning =
        `warning: model "${embedder.id}" is feature hashing, not semantic (for tests only): vector and hybrid ` +
        'numbers below do not measure real retrieval quality and hybrid usually scores below lexical; run with a ' +
        'real model (e.g. --model Xenova/bge-small-en-v1.5) for vector and hybrid quality';
      progress(warning);
      notes.push(warning);
    }
    const chunks = toChunks(data.corpus, { chunkSize: options.chunkSize, title: options.title });
    progress(
      `${data.name}: ${data.corpus.length} documents → ${chunks.length} chunks; ingesting into ${dataDir}`,
    );
    const ingest = await ingestChunks(engine, KB, chunks, progress);
    const calibration =
      (await engine.listGenerations(KB)).find((g) => g.generation === ingest.generation)?.fusionCalibration ??
      null;
    if (calibration) {
      progress(
        `fusion calibrated in ${calibration.tookMs} ms from ${calibration.probes} probes: ` +
          `vector ${calibration.weights.vector}, lexical ${calibration.weights.lexical}`,
      );
    }
    const { queries, missing } = judgedQueries(data, options.limitQueries);
    if (missing > 0)
      notes.push(`${missing} judged query ids are missing from queries.jsonl and were not evaluated`);
    const embedded = embedder ? await embedQueries(embedder, queries) : undefined;
    const results: ModeResult[] = [];
    for (const mode of modes) {
      progress(`running ${queries.length} queries in ${mode.name} mode`);
      results.push(
        await runMode(mode, {
          engine,
          kb: KB,
          queries,
          vectors: embedded?.vectors ?? new Map(),
          chunked: options.chunkSize !== undefined,
          perQuery: options.perQuery,
        }),
      );
    }
    if (options.chunkSize !== undefined) {
      notes.push(
        'chunked: each search fetches pages of 100 chunks until 100 distinct documents; latency covers all pages',
      );
    }
    return {
      dataset: {
        name: data.name,
        dir: options.datasetDir,
        split: data.split,
        documents: data.corpus.length,
        chunks: chunks.length,
        queries: queries.length,
        missingQueries: missing,
      },
      model: embedder
        ? { id: embedder.id, dimension: embedder.dimension, semantic: embedder.semantic !== false }
        : { id: NO_EMBEDDER_MODEL, dimension: 0, semantic: false },
      chunking: { chunkSize: options.chunkSize ?? null, title: options.title },
      ingest: {
        upsertMs: Math.round(ingest.upsertMs),
        chunksPerSecond: Math.round(chunks.length / Math.max(ingest.upsertMs / 1000, 1e-3)),
        indexMs: Math.round(ingest.indexMs),
      },
      fusionCalibration: calibration,
      queryEmbedding: embedded?.latency ?? null,
      modes: results,
      baselines: baselinesFor(data.name),
      notes,
      engine: { lancedb: packageVersion('@lancedb/lancedb'), node: process.version },
    };
  } finally {
    await runtime?.close();
    if (options.dataDir === undefined) await rm(dataDir, { recursive: true, force: true });
  }
}

/**
 * The server's settings (env vars, defaults) for a throwaway KB in `dataDir`, GC off, with `--model` as the
 * server's `--embedding-model` flag (so it is checked the same way).
 */
function evalConfig(
  dataDir: string,
  model: string | undefined,
  log: (level: string, message: string) => void,
): ServerConfig {
  const flags = ['--data-dir', dataDir, '--gc-interval', '0'];
  if (model !== undefined) flags.push('--embedding-model', model);
  const command = parseCommandLine(flags, { env: process.env });
  if (command.action !== 'serve')
    throw new ConfigError('unexpected --help or --version in the eval settings');
  for (const warning of command.warnings) log('warning', warning);
  return command.config;
}
