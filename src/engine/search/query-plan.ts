// Checks a search request and decides which sides run: the query vector, the text, and any fallback warnings.
import { ADD_VECTORS, checkEmbedderUsable, EXTERNAL_MODEL, isLexicalOnly } from '../embedding-space.js';
import { EngineError, errorText, isEngineError } from '../errors.js';
import { setting } from '../terms.js';
import type { GenerationRecord } from '../storage/catalog.js';
import {
  FUSION_METHODS,
  SEARCH_MODES,
  type Embedder,
  type EngineLimits,
  type FusionMethod,
  type FusionOptions,
  type SearchMode,
  type SearchRequest,
} from '../types.js';
import { float32LengthProblem, isZeroVector } from '../validation.js';

const MODES: readonly SearchMode[] = SEARCH_MODES;
const FUSIONS: readonly FusionMethod[] = FUSION_METHODS;

export interface SearchParams {
  mode: SearchMode;
  text: string | undefined;
  vector: Float32Array | undefined;
  limit: number;
  offset: number;
  fusion: FusionOptions;
}

/** Validates the request's shape; everything here fails before any I/O. */
export function checkSearchParams(request: SearchRequest, limits: EngineLimits): SearchParams {
  const mode = request.mode ?? 'hybrid';
  if (!MODES.includes(mode)) {
    throw new EngineError('INVALID_INPUT', `mode must be one of ${MODES.join(', ')}; got ${String(mode)}`);
  }
  const limit = request.limit ?? 10;
  if (!Number.isInteger(limit) || limit < 1 || limit > limits.maxLimit) {
    throw new EngineError(
      'INVALID_INPUT',
      `limit must be an integer from 1 to ${limits.maxLimit}; got ${String(limit)}`,
    );
  }
  const offset = request.offset ?? 0;
  if (!Number.isInteger(offset) || offset < 0 || offset > limits.maxOffset) {
    throw new EngineError(
      'INVALID_INPUT',
      `offset must be an integer from 0 to ${limits.maxOffset}; got ${String(offset)}`,
    );
  }
  const text = request.text === undefined || request.text === null ? undefined : request.text;
  if (text !== undefined) {
    if (typeof text !== 'string') throw new EngineError('INVALID_INPUT', '`query` must be a string');
    if (text.length > limits.maxQueryLength) {
      throw new EngineError(
        'LIMIT_EXCEEDED',
        `the query is ${text.length} characters; at most ${limits.maxQueryLength}`,
        { setting: 'maxQueryLength' },
      );
    }
  }
  const vector =
    request.vector === undefined || request.vector === null ? undefined : toVector(request.vector);
  const hasText = text !== undefined && text.trim().length > 0;
  if (!hasText && !vector) {
    throw new EngineError('INVALID_INPUT', 'give a non-empty `query` text, a `vector`, or both');
  }
  if (mode === 'lexical' && !hasText) {
    throw new EngineError('INVALID_INPUT', 'lexical mode searches words: give a non-empty `query` text');
  }
  return {
    mode,
    text: hasText ? text : undefined,
    vector,
    limit,
    offset,
    fusion: checkFusion(request.fusion),
  };
}

function toVector(value: ArrayLike<number>): Float32Array {
  const length = (value as { length?: unknown }).length;
  if (value instanceof BigInt64Array || value instanceof BigUint64Array) {
    throw new EngineError('INVALID_INPUT', '`vector` must hold numbers, not BigInts');
  }
  if (typeof length !== 'number' || length === 0) {
    throw new EngineError('INVALID_INPUT', '`vector` must be a non-empty array of numbers');
  }
  const vector = Float32Array.from(value);
  for (let i = 0; i < vector.length; i++) {
    if (!Number.isFinite(vector[i]!) || typeof value[i] !== 'number') {
      throw new EngineError(
        'INVALID_INPUT',
        `\`vector\`[${i}] is ${String(value[i])}; every entry must be a finite float32 number`,
      );
    }
  }
  const tooLong = float32LengthProblem(vector);
  if (tooLong !== undefined) throw new EngineError('INVALID_INPUT', `\`vector\` ${tooLong}`);
  return vector;
}

function checkFusion(fusion: SearchRequest['fusion']): FusionOptions {
  const options: FusionOptions =
    typeof fusion === 'string' || fusion === undefined || fusion === null
      ? { method: fusion ?? 'calibrated' }
      : fusion;
  if (!FUSIONS.includes(options.method)) {
    throw new EngineError(
      'INVALID_INPUT',
      `fusion must be one of ${FUSIONS.join(', ')}; got ${String(options.method)}`,
    );
  }
  return options;
}

export interface SidePlan {
  /** The mode that will actually run. */
  mode: SearchMode;
  /** Set when the vector side runs and the query vector must still be embedded from the text. */
  embedWith: Embedder | undefined;
  warnings: string[];
}

/**
 * Which sides run against this generation. A text query needs a usable embedder for its vector side: when
 * there is none (external vectors, another model, a failed or still-loading model), hybrid degrades to
 * lexical with a warning and vector mode fails with the reason.
 */
export function planSides(
  params: SearchParams,
  record: GenerationRecord,
  embedder: Embedder | undefined,
): SidePlan {
  const space = record.embedding;
  const where = `generation ${record.generation} of "${record.kb}"`;
  if (params.mode === 'lexical') return { mode: 'lexical', embedWith: undefined, warnings: [] };
  if (isLexicalOnly(space)) {
    const why = `${where} is lexical-only (written without an embedding model), so it has no vectors`;
    if (params.mode === 'vector' || !params.text) {
      throw new EngineError(
        'INVALID_INPUT',
        `${why}: search it with \`query\` text in lexical or hybrid mode. ${ADD_VECTORS}`,
      );
    }
    return {
      mode: 'lexical',
      embedWith: undefined,
      warnings: [`${why}; this answer is lexical only. ${ADD_VECTORS}`],
    };
  }
  if (params.vector) {
    if (space && params.vector.length !== space.dimension) {
      throw new EngineError(
        'DIMENSION_MISMATCH',
        `${where} stores ${space.dimension}-d vectors (${space.model}); the query vector has ${params.vector.length}`,
      );
    }
    if (record.metric === 'cosine' && isZeroVector(params.vector)) {
      throw new EngineError(
        'INVALID_INPUT',
        `\`vector\` is all zeros; ${where} uses cosine similarity, which is undefined for a vector without direction ` +
          '(in float32, the type vectors are compared in, components below its precision, like 1e-40, count as zero)',
      );
    }
    if (params.mode === 'hybrid' && !params.text) {
      return {
        mode: 'vector',
        embedWith: undefined,
        warnings: ['no query text was given, so only the vector side ran'],
      };
    }
    return { mode: params.mode, embedWith: undefined, warnings: [] };
  }
  if (!space) return { mode: params.mode, embedWith: undefined, warnings: [] };
  try {
    if (space.model === EXTERNAL_MODEL) {
      throw new EngineError(
        'INVALID_INPUT',
        `${where} holds caller-supplied vectors, so a text query cannot be embedded for it; pass \`vector\``,
      );
    }
    const usable = checkEmbedderUsable(space, embedder, where);
    if (params.mode === 'hybrid' && usable.status().state === 'loading') {
      const progress = usable.status().progress;
      return {
        mode: 'lexical',
        embedWith: undefined,
        warnings: [
          `the embedding model ${usable.id} is still loading` +
            (progress !== undefined ? ` (${Math.round(progress * 100)}%)` : '') +
            '; this answer is lexical only — retry shortly for hybrid results',
        ],
      };
    }
    return {
      mode: params.mode,
      embedWith: usable,
      warnings: usable.semantic === false ? [nonSemanticWarning(usable)] : [],
    };
  } catch (error) {
    if (params.mode === 'vector' || !isEngineError(error)) throw error;
    return {
      mode: 'lexical',
      embedWith: undefined,
      warnings: [`vector side skipped, answer is lexical only: ${error.code}: ${errorText(error)}`],
    };
  }
}

/** Vectors of a non-semantic embedder rank by shared word hashes: on SciFact hybrid-rrf scored below lexical. */
function nonSemanticWarning(embedder: Embedder): string {
  return (
    `the embedding model ${embedder.id} is not semantic (it is for tests only): its vectors match shared words, ` +
    'not meaning (calibrated fusion, the default, weighs them down; rrf, weighted and adaptive fusion usually ' +
    'rank worse than lexical with them). Use mode "lexical", or configure a ' +
    `real model (${setting('embeddingModel')}, default Xenova/bge-small-en-v1.5)`
  );
}
