// A search request normalised once (checked parameters, compiled filter, defaults applied), and the cache key
// derived from it.
import { createHash } from 'node:crypto';
import type { GenerationRecord } from '../storage/catalog.js';
import type { EngineLimits, SearchMode, SearchRequest } from '../types.js';
import { validateKbName } from '../validation.js';
import { compileFilter } from './filter.js';
import { checkSearchParams, type SearchParams } from './query-plan.js';

/** Everything that decides a search's answer, defaults applied; nothing else goes into the cache key. */
export interface NormalisedSearch extends SearchParams {
  kb: string;
  /** The compiled filter predicate. */
  predicate: string | undefined;
  generation: number | undefined;
}

/** Checks a request before any I/O; throws INVALID_INPUT / LIMIT_EXCEEDED naming the bad argument. */
export function normaliseSearch(request: SearchRequest, limits: EngineLimits): NormalisedSearch {
  const kb = validateKbName(request.kb);
  const params = checkSearchParams(request, limits);
  const predicate =
    request.filter === undefined || request.filter === null
      ? undefined
      : compileFilter(request.filter, limits);
  return { ...params, kb, predicate, generation: request.generation };
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
): string {
  const { vector, ...rest } = search;
  const vectorHash = vector
    ? createHash('sha1')
        .update(Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength))
        .digest('base64')
    : null;
  return JSON.stringify([record.kb, record.generation, tableVersion, mode, vectorHash, sortedKeys(rest)]);
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
