// The embedding model setting checked for its form at start, so a typo fails at once instead of at the first write.
import { statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { ConfigError } from './config-reader.js';
import { editDistance } from './edit-distance.js';

/** `none`: no embedder; text chunks are stored without vectors in a lexical-only generation. */
export const NO_EMBEDDER_MODEL = 'none';
/** `hash`: the deterministic, non-semantic embedder the tests use. */
export const HASH_MODEL = 'hash';

/** Hugging Face ids as `owner/name`; `..` and `--` never occur in them and would escape the models dir. */
const HUB_ID = /^[A-Za-z0-9][\w.-]*\/[\w.-]+$/;

const ACCEPTED =
  'a Hugging Face model id like Xenova/bge-small-en-v1.5, an existing local model directory (absolute, or ' +
  `starting with ./ or ../), "${HASH_MODEL}" (non-semantic, for tests only) or "${NO_EMBEDDER_MODEL}" (lexical search only)`;

/**
 * Returns the model setting as the embedder takes it: `hash`, `none`, a hub id, or an absolute directory
 * (relative ones resolved against `cwd`). Throws ConfigError naming the accepted forms otherwise.
 */
export function checkEmbeddingModel(raw: string, source: string, cwd: string): string {
  const value = raw.trim();
  if (value === HASH_MODEL || value === NO_EMBEDDER_MODEL) return value;
  if (isAbsolute(value) || value.startsWith('./') || value.startsWith('../') || value.startsWith('.\\')) {
    const directory = resolve(cwd, value);
    if (!isDirectory(directory)) {
      throw new ConfigError(
        `${source}: the model directory "${directory}" does not exist or is not a directory; use ${ACCEPTED}`,
      );
    }
    return directory;
  }
  if (HUB_ID.test(value) && !value.includes('..') && !value.includes('--')) return value;
  const near = [HASH_MODEL, NO_EMBEDDER_MODEL].find((word) => editDistance(value.toLowerCase(), word) <= 2);
  throw new ConfigError(
    `${source} must be ${ACCEPTED}; got "${raw}"` + (near === undefined ? '' : ` (did you mean "${near}"?)`),
  );
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The cross-encoder setting: a hub id or a model directory, as for the embedding model; `hash` has no
 * reranking counterpart, so it is refused here rather than at the first search.
 */
export function checkRerankModel(raw: string, source: string, cwd: string): string {
  if (raw.trim() === HASH_MODEL) {
    throw new ConfigError(
      `${source}: "${HASH_MODEL}" is an embedder, not a reranker; use a cross-encoder such as Xenova/ms-marco-MiniLM-L-6-v2, a local cross-encoder directory, or "${NO_EMBEDDER_MODEL}" (no reranking)`,
    );
  }
  return checkEmbeddingModel(raw, source, cwd);
}
