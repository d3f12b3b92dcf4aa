// A search request normalised once (checked parameters, compiled filter, defaults applied), and the cache key
// derived from it.
import { createHash } from 'node:crypto';
import type { GenerationRecord } from '../storage/catalog.js';
import { EngineError } from '../errors.js';
import {
  CONTENT_MODES,
  type ContentMode,
  type EngineLimits,
  type SearchMode,
  type SearchRequest,
} from '../types.js';
import { validateKbName } from '../validation.js';
import { compileFilter } from './filter.js';
import { checkSearchParams, type SearchParams } from './query-plan.js';

/** Everything that decides a search's answer, defaults applied; nothing else goes into the cache key. */
export interface NormalisedSearch extends SearchParams {
  kb: string;
  /** The compiled filter predicate. */
  predicate: string | undefined;
  generation: number | undefined;
  content: ContentMode;
  maxTokens: number | undefined;
  /** Chunks per document when grouping by document; undefined when not grouping. */
  perDocument: number | undefined;
}

/** Largest token budget accepted: far above any context window, small enough to stay an integer. */
export const MAX_TOKEN_BUDGET = 1_000_000;
/** Most chunks per document when results are grouped by document. */
export const MAX_PER_DOCUMENT = 100;

/** Checks a request before any I/O; throws INVALID_INPUT / LIMIT_EXCEEDED naming the bad argument. */
export function normaliseSearch(request: SearchRequest, limits: EngineLimits): NormalisedSearch {
  const kb = validateKbName(request.kb);
  const params = checkSearchParams(request, limits);
  const predicate =
    request.filter === undefined || request.filter === null
      ? undefined
      : compileFilter(request.filter, limits);
  return { ...params, kb, predicate, generation: request.generation, ...checkShaping(request) };
}

function checkShaping(
  request: SearchRequest,
): Pick<NormalisedSearch, 'content' | 'maxTokens' | 'perDocument'> {
  const content = request.content ?? 'full';
  if (!CONTENT_MODES.includes(content)) {
    throw new EngineError(
      'INVALID_INPUT',
      `content must be one of ${CONTENT_MODES.join(', ')}; got ${String(content)}`,
    );
  }
  const maxTokens = request.maxTokens ?? undefined;
  if (
    maxTokens !== undefined &&
    !(Number.isInteger(maxTokens) && maxTokens >= 1 && maxTokens <= MAX_TOKEN_BUDGET)
  ) {
    throw new EngineError(
      'INVALID_INPUT',
      `the token budget must be an integer from 1 to ${MAX_TOKEN_BUDGET}; got ${String(maxTokens)}`,
    );
  }
  const groupBy = request.groupBy ?? undefined;
  if (groupBy !== undefined && groupBy !== 'document') {
    throw new EngineError('INVALID_INPUT', `results group by "document" only; got ${String(groupBy)}`);
  }
  const perDocument = request.perDocument ?? 1;
  if (!(Number.isInteger(perDocument) && perDocument >= 1 && perDocument <= MAX_PER_DOCUMENT)) {
    throw new EngineError(
      'INVALID_INPUT',
      `chunks per document must be an integer from 1 to ${MAX_PER_DOCUMENT}; got ${String(perDocument)}`,
    );
  }
  if (request.perDocument !== undefined && groupBy === undefined) {
    throw new EngineError(
      'INVALID_INPUT',
      'chunks per document apply only when grouping by "document": group, or leave it out',
    );
  }
  return { content, maxTokens, perDocument: groupBy === 'document' ? perDocument : undefined };
}

/**
 * The cache key: the whole normalised request (so a new option cannot be left out), the mode that actually
 * runs, and the generation and table version read. Any write or promotion changes the version or generation,
 * so the cache never serves stale hits. The query vector is hashed rather than spelled out.
 */
export function searchCacheKey(
  search: NormalisedSearch,
  mode: SearchMode,
  record: GenerationRecord,
  tableVersion: number,
  rerankDepth?: number,
): string {
  const { vector, ...rest } = search;
  const vectorHash = vector
    ? createHash('sha1')
        .update(Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength))
        .digest('base64')
    : null;
  return JSON.stringify([
    record.kb,
    record.generation,
    tableVersion,
    // The seal's commit adds the calibration after its index build changed the version: a hybrid answer
    // cached between the two must not outlive it.
    record.fusionCalibration?.calibratedAt ?? null,
    mode,
    vectorHash,
    rerankDepth ?? null,
    sortedKeys(rest),
  ]);
}

/** JSON with object keys sorted at every level, so equal requests give equal keys whatever their key order. */
function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, sortedKeys((value as Record<string, unknown>)[k])]),
  );
}
