// The `eval` subcommand's flags, parsed and checked into one typed object (or one UsageError line).
import { parseArgs } from 'node:util';
import type { FusionMethod, SearchMode } from '../../engine/types.js';

/** One way of running every query: a search mode and, for hybrid, its fusion. */
export interface EvalMode {
  /** `lexical`, `vector`, `hybrid-rrf`, `hybrid-weighted`, `hybrid-adaptive`, `hybrid-calibrated` (the default). */
  name: string;
  mode: SearchMode;
  fusion?: FusionMethod;
}

export const ALL_MODES: readonly EvalMode[] = [
  { name: 'lexical', mode: 'lexical' },
  { name: 'vector', mode: 'vector' },
  { name: 'hybrid-rrf', mode: 'hybrid', fusion: 'rrf' },
  { name: 'hybrid-weighted', mode: 'hybrid', fusion: 'weighted' },
  { name: 'hybrid-adaptive', mode: 'hybrid', fusion: 'adaptive' },
  { name: 'hybrid-calibrated', mode: 'hybrid', fusion: 'calibrated' },
];

export interface EvalOptions {
  datasetDir: string;
  split: string;
  json: boolean;
  /** Words per chunk; undefined means one chunk per document. */
  chunkSize: number | undefined;
  /** Embedding model id; undefined means the server setting (RAG_STUDIO_EMBEDDING_MODEL or its default). */
  model: string | undefined;
  modes: EvalMode[];
  /** Undefined means a temporary directory, removed afterwards. */
  dataDir: string | undefined;
  limitQueries: number | undefined;
  /** `field`: title in the title column (search_text holds title + content); `prepend`: title + text in content. */
  title: 'field' | 'prepend';
  /** Include each query's scores and top documents in the JSON. */
  perQuery: boolean;
  help: boolean;
}

import { UsageError } from '../usage.js';

export { UsageError };

export const EVAL_USAGE = `Usage: rag-studio-mcp eval <beir-dir> [options]

Ingests a BEIR dataset (corpus.jsonl, queries.jsonl, qrels/<split>.tsv) into a fresh knowledge base, runs every
judged query in each mode and prints nDCG@10, Recall@100, MRR@10 and search latency per mode.

  --split <name>          qrels split to evaluate (default: test)
  --model <id>            embedding model; overrides RAG_STUDIO_EMBEDDING_MODEL ('hash' = non-semantic, for tests
                          only: its vector and hybrid numbers mean nothing; 'none' = lexical only)
  --modes <list>          comma-separated: lexical, vector, hybrid (= all fusions), hybrid-rrf, hybrid-weighted,
                          hybrid-adaptive, hybrid-calibrated (the server's default fusion) (default: all)
  --chunk-size <words>    split each document into chunks of this many words; a document scores by its best chunk
                          (default: one chunk per document)
  --title field|prepend   title in the chunk's title field (default; BM25 scores title + content as one
                          field either way) or prepended to the content
  --limit-queries <n>     evaluate only the first n judged queries
  --data-dir <dir>        where to build the knowledge base (default: a temporary directory, removed afterwards)
  --json                  print the results as JSON instead of a table
  --per-query             with --json: include each query's scores and top-10 documents
  -h, --help              show this help
`;

export function parseEvalArgs(argv: readonly string[]): EvalOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        split: { type: 'string' },
        model: { type: 'string' },
        modes: { type: 'string' },
        'chunk-size': { type: 'string' },
        title: { type: 'string' },
        'limit-queries': { type: 'string' },
        'data-dir': { type: 'string' },
        json: { type: 'boolean' },
        'per-query': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  const help = values.help === true;
  if (!help && positionals.length !== 1) {
    throw new UsageError(
      positionals.length === 0
        ? 'give the BEIR dataset directory'
        : `one dataset directory, got ${positionals.length}`,
    );
  }
  const title = values.title ?? 'field';
  if (title !== 'field' && title !== 'prepend')
    throw new UsageError(`--title must be field or prepend, got "${title}"`);
  return {
    datasetDir: positionals[0] ?? '',
    split: values.split ?? 'test',
    json: values.json === true,
    chunkSize: positiveInteger(values['chunk-size'], '--chunk-size'),
    model: values.model,
    modes: parseModes(values.modes),
    dataDir: values['data-dir'],
    limitQueries: positiveInteger(values['limit-queries'], '--limit-queries'),
    title,
    perQuery: values['per-query'] === true,
    help,
  };
}

function positiveInteger(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) {
    throw new UsageError(`${flag} must be a positive integer, got "${value}"`);
  }
  return n;
}

/** `hybrid` expands to every fusion; duplicates keep their first position. */
export function parseModes(list: string | undefined): EvalMode[] {
  if (list === undefined) return [...ALL_MODES];
  const chosen: EvalMode[] = [];
  for (const raw of list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const matches =
      raw === 'hybrid'
        ? ALL_MODES.filter((m) => m.mode === 'hybrid')
        : ALL_MODES.filter((m) => m.name === raw);
    if (matches.length === 0) {
      throw new UsageError(
        `unknown mode "${raw}"; use ${['hybrid', ...ALL_MODES.map((m) => m.name)].join(', ')}`,
      );
    }
    for (const m of matches) if (!chosen.includes(m)) chosen.push(m);
  }
  if (chosen.length === 0) throw new UsageError('--modes is empty');
  return chosen;
}
