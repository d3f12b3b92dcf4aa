// `rag-studio-mcp ingest` arguments: ingest flags here, every server setting (--data-dir, --embedding-model…) passed on.
import { parseArgs } from 'node:util';
import { DEFAULT_LIMITS } from '../../engine/index.js';
import { DEFAULT_CHUNK_TOKENS, DEFAULT_MAX_FILE_BYTES, DEFAULT_OVERLAP_TOKENS } from '../../ingest/index.js';
import { allSettings } from '../../config/config-settings.js';

import { UsageError } from '../usage.js';

export { UsageError };

export interface IngestCliOptions {
  help: boolean;
  paths: string[];
  kb: string;
  rebuild: boolean;
  watch: boolean;
  include: string[];
  exclude: string[];
  chunkTokens: number;
  overlap: number;
  maxFileBytes: number;
  dryRun: boolean;
  json: boolean;
  /** The server settings given, as flags for the server's own parser. */
  serverArgs: string[];
}

export const INGEST_USAGE = `Usage: rag-studio-mcp ingest <path...> --kb <name> [options] [server settings]

Reads files, folders and globs into a knowledge base, then keeps it in sync: a re-run re-reads only changed
files, replaces each changed document in one commit and deletes documents whose files are gone.

Options:
  --kb <name>            knowledge base to fill (created if new)                          (required)
  --rebuild              ingest into a new generation and promote it when done; if any file failed (or
                         the run fails) the new generation is not promoted and the active one keeps serving
  --watch                after the first sync, keep syncing on file changes (debounced) until Ctrl-C
  --include <glob>       only files matching (repeatable; without "/" it matches the file name: "*.md")
  --exclude <glob>       skip files matching (repeatable)
  --chunk-tokens <n>     chunk size in tokens                                             (${DEFAULT_CHUNK_TOKENS})
  --overlap <n>          tokens repeated between neighbouring chunks                      (${DEFAULT_OVERLAP_TOKENS})
  --max-file-bytes <n>   files larger than this are skipped                               (${DEFAULT_MAX_FILE_BYTES})
  --dry-run              read and chunk, report what would change, write nothing
  --json                 print the report as one JSON object
  -h, --help             this text

Server settings (--data-dir, --embedding-model, --offline…, and their RAG_STUDIO_* variables) work as for the
server; see rag-studio-mcp --help. Exit code: 0 all files ingested or skipped, 1 some files failed (or the
run failed), 2 bad usage.
`;

const OWN = {
  help: { type: 'boolean', short: 'h' },
  kb: { type: 'string' },
  rebuild: { type: 'boolean' },
  watch: { type: 'boolean' },
  include: { type: 'string', multiple: true },
  exclude: { type: 'string', multiple: true },
  'chunk-tokens': { type: 'string' },
  overlap: { type: 'string' },
  'max-file-bytes': { type: 'string' },
  'dry-run': { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

export function parseIngestArgs(argv: readonly string[]): IngestCliOptions {
  const server = allSettings(DEFAULT_LIMITS).filter((s) => s.flag !== 'transport');
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {
    ...OWN,
  };
  for (const s of server) options[s.flag] = { type: s.type };
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: true });
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/\s*\n\s*/g, ' '));
  }
  const values = parsed.values as Record<string, string | boolean | string[] | undefined>;
  const help = values.help === true;
  const kb = typeof values.kb === 'string' ? values.kb : '';
  if (!help && parsed.positionals.length === 0)
    throw new UsageError('give at least one file, folder or glob to ingest');
  if (!help && !kb) throw new UsageError('--kb <name> is required (the knowledge base to fill)');
  if (values.rebuild === true && values.watch === true) {
    throw new UsageError('--rebuild and --watch do not combine: rebuild once, then run --watch');
  }
  const serverArgs: string[] = [];
  for (const s of server) {
    const value = values[s.flag];
    if (value === true) serverArgs.push(`--${s.flag}`);
    else if (typeof value === 'string') serverArgs.push(`--${s.flag}`, value);
  }
  const chunkTokens = integer(values['chunk-tokens'], 'chunk-tokens', DEFAULT_CHUNK_TOKENS, 16);
  const overlap = integer(values.overlap, 'overlap', DEFAULT_OVERLAP_TOKENS, 0);
  if (overlap >= chunkTokens)
    throw new UsageError(`--overlap (${overlap}) must be smaller than --chunk-tokens (${chunkTokens})`);
  return {
    help,
    paths: parsed.positionals,
    kb,
    rebuild: values.rebuild === true,
    watch: values.watch === true,
    include: (values.include as string[] | undefined) ?? [],
    exclude: (values.exclude as string[] | undefined) ?? [],
    chunkTokens,
    overlap,
    maxFileBytes: integer(values['max-file-bytes'], 'max-file-bytes', DEFAULT_MAX_FILE_BYTES, 1),
    dryRun: values['dry-run'] === true,
    json: values.json === true,
    serverArgs,
  };
}

function integer(raw: unknown, flag: string, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min)
    throw new UsageError(`--${flag} must be an integer ≥ ${min}, got "${String(raw)}"`);
  return value;
}
