// `rag-studio-mcp ingest <path...> --kb <name>`: sync files into a knowledge base once, or keep watching.
import { engineErrorText } from '../../config/engine-error-text.js';
import { isEngineError } from '../../engine/index.js';
import {
  ingestDocuments,
  reportToJson,
  SourceError,
  watchFolders,
  type IngestReport,
} from '../../ingest/index.js';
import { ConfigError, parseCommandLine } from '../../config/config.js';
import { openRuntime, type Runtime } from '../../runtime/open-runtime.js';
import { parseOrExit, type CliIo } from '../usage.js';
import { INGEST_USAGE, parseIngestArgs } from './options.js';
import { progressDisplay } from './progress-display.js';

export interface IngestIo extends CliIo {
  /** stderr is a terminal: draw a progress bar. */
  isTty: boolean;
  /** Aborts the run (Ctrl-C); in watch mode, ends watching. */
  signal?: AbortSignal;
}

export { INGEST_USAGE, parseIngestArgs } from './options.js';

/** Runs the subcommand; returns the exit code: 0 ok, 1 some files failed or the run failed, 2 bad usage. */
export async function runIngestCommand(argv: string[], io: IngestIo): Promise<number> {
  const options = parseOrExit('ingest', argv, parseIngestArgs, INGEST_USAGE, io);
  if (typeof options === 'number') return options;
  let runtime: Runtime | undefined;
  try {
    const command = parseCommandLine(options.serverArgs);
    if (command.action !== 'serve') return 2;
    const config = command.config;
    const log = (level: string, message: string) => {
      if (level === 'warning' || level === 'error') io.stderr(`ingest: ${level}: ${message}\n`);
    };
    runtime = await openRuntime(config, { log, engine: { gcIntervalSeconds: 0 } });
    const engine = runtime.engine;
    const once = async (rebuild: boolean) => {
      const display = progressDisplay(io.stderr, io.isTty && !options.json);
      try {
        return await ingestDocuments(engine, {
          kb: options.kb,
          paths: options.paths,
          include: options.include,
          exclude: options.exclude,
          rebuild,
          dryRun: options.dryRun,
          chunkTokens: options.chunkTokens,
          overlapTokens: options.overlap,
          maxFileBytes: options.maxFileBytes,
          ...(io.signal ? { signal: io.signal } : {}),
          onProgress: (p) => display.update(p),
        });
      } finally {
        display.finish();
      }
    };
    const first = await once(options.rebuild);
    io.stdout(formatReport(first, options.json));
    if (!options.watch) return first.failed.length > 0 ? 1 : 0;
    io.stderr(`ingest: watching ${options.paths.join(', ')} (Ctrl-C to stop)\n`);
    const watcher = await watchFolders(
      options.paths,
      process.cwd(),
      async () => io.stdout(formatReport(await once(false), options.json)),
      {
        onError: (error) => io.stderr(`ingest: sync failed: ${describe(error)}\n`),
      },
    );
    await new Promise<void>((resolve) => {
      if (io.signal?.aborted) resolve();
      io.signal?.addEventListener('abort', () => resolve(), { once: true });
    });
    watcher.close();
    return 0;
  } catch (error) {
    if (error instanceof SourceError || error instanceof ConfigError || isEngineError(error)) {
      io.stderr(`ingest: ${describe(error)}\n`);
      return error instanceof SourceError || error instanceof ConfigError ? 2 : 1;
    }
    throw error;
  } finally {
    await runtime?.close();
  }
}

function describe(error: unknown): string {
  if (isEngineError(error)) return engineErrorText(error);
  return error instanceof Error ? error.message : String(error);
}

function formatReport(report: IngestReport, json: boolean): string {
  if (json) return `${JSON.stringify(reportToJson(report))}\n`;
  const lines = [
    `${report.dryRun ? '[dry run] ' : ''}${report.kb} (generation ${report.generation ?? 'new'}${rebuildOutcome(report)}): ` +
      `${report.added} added, ${report.updated} updated, ${report.unchanged} unchanged, ${report.deleted} deleted; ` +
      `${report.chunks} chunks written in ${(report.tookMs / 1000).toFixed(1)} s`,
  ];
  if (report.skipped.length > 0)
    lines.push(`skipped ${report.skipped.length}:`, ...report.skipped.map((s) => `  ${s.path}: ${s.reason}`));
  if (report.failed.length > 0)
    lines.push(`failed ${report.failed.length}:`, ...report.failed.map((s) => `  ${s.path}: ${s.reason}`));
  if (report.notPromotedReason) lines.push(`not promoted: ${report.notPromotedReason}`);
  return `${lines.join('\n')}\n`;
}

function rebuildOutcome(report: IngestReport): string {
  if (report.promoted === true) return ', rebuilt and promoted';
  if (report.promoted === false) return ', rebuilt, NOT promoted';
  return '';
}
