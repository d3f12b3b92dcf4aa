// search: normalise the request, pin a generation, then retrieve → fuse → post-process → hits.
import type { EngineContext } from '../context.js';
import { EngineError, onStorage } from '../errors.js';
import type { GenerationRecord } from '../storage/catalog.js';
import type { SearchRequest, SearchResponse } from '../types.js';
import { fuse } from './fusion.js';
import { toHit } from './hits.js';
import { resolveAndPin } from './pinned-generation.js';
import { page, postProcess, type PostProcessStep, type Ranked } from './post-process.js';
import { planSides, type SidePlan } from './query-plan.js';
import { retrieve, type Retrieved } from './retrieve.js';
import { normaliseSearch, searchCacheKey, type NormalisedSearch } from './search-request.js';

export async function search(ctx: EngineContext, request: SearchRequest): Promise<SearchResponse> {
  const started = performance.now();
  const normalised = normaliseSearch(request, ctx.limits);
  const { kb } = normalised;
  const { record, unpin } = await resolveAndPin(ctx, kb, normalised.generation);
  const reading = `searching generation ${record.generation} of "${kb}"`;
  try {
    const plan = planSides(normalised, record, ctx.embedder);
    const table = await onStorage(reading, () => ctx.tables.open(record.tableName));
    const base = {
      kb,
      generation: record.generation,
      mode: plan.mode,
      fusion: plan.mode === 'hybrid' ? normalised.fusion.method : null,
    };
    if (!table || !record.embedding) {
      return {
        ...base,
        results: [],
        warnings: [...plan.warnings, 'the generation holds no chunks yet'],
        tookMs: elapsed(started),
        cached: false,
      };
    }
    const version = await onStorage(reading, () => table.version());
    const cacheKey = searchCacheKey(normalised, plan.mode, record, version);
    const hit = ctx.cache.get(cacheKey);
    if (hit) return { ...hit, cached: true, tookMs: elapsed(started) };

    const queryVector = await queryVectorFor(normalised, plan, record, request.signal);
    const steps = postProcessSteps(normalised);
    const retrieved = await onStorage(reading, () =>
      retrieve(
        table,
        record,
        { vector: queryVector, text: plan.mode === 'vector' ? undefined : normalised.text },
        candidateDepth(normalised, plan),
        normalised.predicate,
      ),
    );
    const ranked = await postProcess(fuseSides(plan, normalised, retrieved), steps, {
      text: normalised.text,
      limit: normalised.limit,
      offset: normalised.offset,
      signal: request.signal,
    });
    const results = ranked.map((r) => toHit(r, kb, record.generation, normalised.text));
    const response: SearchResponse = { ...base, results, warnings: plan.warnings, tookMs: 0, cached: false };
    ctx.cache.set(cacheKey, response);
    return { ...response, tookMs: elapsed(started) };
  } finally {
    unpin();
  }
}

/**
 * The caller's vector (its dimension was checked when the sides were planned), or the text embedded now. An
 * embedder whose output width differs from the generation's is a model mix-up, reported as such.
 */
async function queryVectorFor(
  search: NormalisedSearch,
  plan: SidePlan,
  record: GenerationRecord,
  signal: AbortSignal | undefined,
): Promise<Float32Array | undefined> {
  if (plan.mode === 'lexical') return undefined;
  if (search.vector) return search.vector;
  const vector = await plan.embedWith!.embedQuery(search.text!, signal);
  const dimension = record.embedding!.dimension;
  if (vector.length !== dimension) {
    throw new EngineError(
      'DIMENSION_MISMATCH',
      `generation ${record.generation} of "${record.kb}" stores ${dimension}-d vectors; ` +
        `the embedding model ${plan.embedWith!.id} produced ${vector.length}-d ones for the query`,
    );
  }
  return vector;
}

/** Candidates each side fetches: the page and everything before it, doubled for hybrid so fusion can reorder. */
function candidateDepth(search: NormalisedSearch, plan: SidePlan): number {
  const want = search.limit + search.offset;
  return plan.mode === 'hybrid' ? 2 * want : want;
}

/** One side alone keeps its order and its own score; hybrid fuses the two rankings. */
function fuseSides(plan: SidePlan, search: NormalisedSearch, retrieved: Retrieved): Ranked[] {
  if (plan.mode === 'hybrid') return fuse(search.fusion, retrieved.vector, retrieved.lexical);
  const side = plan.mode === 'vector' ? 'vector' : 'lexical';
  return retrieved[side].map((c, i) => ({
    ...c,
    scores: { [side]: c.score },
    ranks: { [side]: i + 1 },
  }));
}

/** The post-process steps of this search, in order. Paging is always last. */
function postProcessSteps(_search: NormalisedSearch): PostProcessStep[] {
  return [page];
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 100) / 100;
}
