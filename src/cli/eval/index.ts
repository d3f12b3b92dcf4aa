// `rag-studio-mcp eval <beir-dir>`: ingest a BEIR dataset, run its queries in every mode, print the scores.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEmbedder } from '../../engine/embedding/index.js';
import { isEngineError, openEngine } from '../../engine/index.js';
import type { Embedder, EngineLog, KnowledgeBaseEngine } from '../../engine/types.js';
import { ConfigError, NO_EMBEDDER_MODEL, parseCommandLine } from '../../config/config.js';
import { BeirFormatError, readBeir } from './beir.js';
import { ingestChunks, toChunks } from './ingest.js';
import { packageVersion } from './package-version.js';
import { baselinesFor, formatReportTable, type EvalReport } from './report.js';
import { embedQueries, judgedQueries, runMode, type ModeResult } from './runner.js';
import { EVAL_USAGE, parseEvalArgs, UsageError, type EvalOptions } from './options.js';

export { readBeir, type BeirDataset, type BeirDocument, type Qrels } from './beir.js';
export { documentRanking, meanScores, mrrAt, ndcgAt, recallAt, scoreQuery } from './metrics.js';
export { percentile, summarizeLatencies, type LatencySummary } from './latency.js';
export { parseEvalArgs, type EvalOptions } from './options.js';
export type { EvalReport } from './report.js';

export interface EvalIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const KB = 'eval';

/**
 * Runs the eval subcommand and returns its exit code: 0 done, 1 failed (bad dataset, model, storage), 2 bad usage.
 * @example process.exitCode = await runEvalCommand(['/data/scifact', '--model', 'hash'], { stdout, stderr });
 */
export async function runEvalCommand(argv: string[], io: EvalIo): Promise<number> {
  let options: EvalOptions;
  try {
    options = parseEvalArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`eval: ${error.message}\n\n${EVAL_USAGE}`);
    return 2;
  }
  if (options.help) {
    io.stdout(EVAL_USAGE);
    return 0;
  }
  try {
    const report = await runEval(options, (message) => io.stderr(`eval: ${message}\n`));
    io.stdout(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatReportTable(report));
    return 0;
  } catch (error) {
    if (error instanceof BeirFormatError || error instanceof ConfigError || isEngineError(error)) {
      const code = isEngineError(error) ? `${error.code}: ` : '';
      io.stderr(`eval: ${code}${error.message}\n`);
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
  const embedder = embedderFor(options.model, (level, message) => {
    if (level !== 'debug') progress(`${level}: ${message}`);
  });
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
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'rag-studio-eval-')));
  let engine: KnowledgeBaseEngine | undefined;
  try {
    engine = await openEngine({
      dataDir,
      ...(embedder ? { embedder } : {}),
      searchCacheSize: 0,
      gcIntervalSeconds: 0,
    });
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
    await engine?.close();
    await embedder?.close?.();
    if (options.dataDir === undefined) await rm(dataDir, { recursive: true, force: true });
  }
}

/** The server's embedding settings (env vars, defaults) with --model on top; undefined for `none`. */
function embedderFor(model: string | undefined, log: EngineLog): Embedder | undefined {
  const command = parseCommandLine(model === undefined ? [] : ['--embedding-model', model], {
    env: process.env,
  });
  if (command.action !== 'serve') return undefined;
  for (const warning of command.warnings) log('warning', warning);
  const settings = command.config.embedding;
  return settings.model === NO_EMBEDDER_MODEL ? undefined : createEmbedder(settings, log);
}
