// search: normalise the request, pin a generation, then retrieve → fuse → post-process → hits.
import type { EngineContext } from '../context.js';
import { EngineError, onStorage } from '../errors.js';
import { arg } from '../terms.js';
import type { GenerationRecord } from '../storage/catalog.js';
import { readSurvivingPrune } from '../storage/pruned-version.js';
import type { BudgetReport, FusionWeightsUsed, SearchRequest, SearchResponse } from '../types.js';
import { fuseHybrid } from './fusion.js';
import { foldDuplicates, groupByDocument } from './grouping.js';
import { toHit } from './hits.js';
import { resolveAndPin } from './pinned-generation.js';
import { page, postProcess, type PostProcessStep, type Ranked } from './post-process.js';
import { planSides, type SidePlan } from './query-plan.js';
import { rerankDepth, rerankFused } from './rerank.js';
import { retrieve, type RetrieveDepth, type Retrieved } from './retrieve.js';
import { fitBudget, tokenCounterFor, withContentMode } from './token-budget.js';
import { normaliseSearch, searchCacheKey, type NormalisedSearch } from './search-request.js';

export async function search(ctx: EngineContext, request: SearchRequest): Promise<SearchResponse> {
  const started = performance.now();
  const normalised = normaliseSearch(request, ctx.limits);
  const { kb } = normalised;
  const rerank = rerankDepth(request, ctx.reranker, normalised.text, normalised.limit + normalised.offset);
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
        fusionWeights: null,
        results: [],
        warnings: [...plan.warnings, 'the generation holds no chunks yet'],
        tookMs: elapsed(started),
        cached: false,
      };
    }
    const version = await onStorage(reading, () => table.version());
    const cacheKey = searchCacheKey(normalised, plan.mode, record, version, rerank);
    const hit = ctx.cache.get(cacheKey);
    if (hit) return { ...hit, cached: true, tookMs: elapsed(started) };

    const queryVector = await queryVectorFor(normalised, plan, record, request.signal);
    const steps = postProcessSteps(normalised, rerankStep(ctx, normalised, rerank));
    const rankAt = async (depth: RetrieveDepth) => {
      // The version just read saves retrieve a round trip; a retry after a prune reads the moved handle's own.
      let knownVersion: number | undefined = version;
      const retrieved = await onStorage(reading, () =>
        readSurvivingPrune(table, () => {
          const tableVersion = knownVersion;
          knownVersion = undefined;
          return retrieve(
            table,
            record,
            { vector: queryVector, text: plan.mode === 'vector' ? undefined : normalised.text },
            depth,
            normalised.predicate,
            tableVersion,
          );
        }),
      );
      const fused = fuseSides(plan, normalised, retrieved, record);
      const ranked = await postProcess(fused.ranked, steps, {
        text: normalised.text,
        limit: normalised.limit,
        offset: normalised.offset,
        signal: request.signal,
      });
      const mayHaveMore = retrieved.vector.length >= depth.fetch || retrieved.lexical.length >= depth.fetch;
      return { fused, ranked, short: ranked.length < normalised.limit && mayHaveMore };
    };
    const depths = retrieveDepths(normalised, plan, rerank);
    let attempt = await rankAt(depths.first);
    if (attempt.short && depths.refill) attempt = await rankAt(depths.refill);
    const { fused, ranked } = attempt;
    const hits = ranked.map((r) =>
      withContentMode(toHit(r, kb, record.generation, normalised.text), normalised.content),
    );
    const shaped =
      normalised.maxTokens === undefined
        ? { hits, budget: undefined }
        : await fitBudget(hits, normalised.maxTokens, normalised.text, tokenCounterFor(ctx.embedder));
    const response: SearchResponse = {
      ...base,
      fusionWeights: fused.weights,
      results: shaped.hits,
      warnings: [...plan.warnings, ...budgetWarnings(shaped.budget, hits.length)],
      tookMs: 0,
      cached: false,
      ...(shaped.budget ? { budget: shaped.budget } : {}),
    };
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

/**
 * Candidates each side fetches: the page and everything before it, doubled for hybrid so fusion can reorder,
 * and more when folding and grouping will leave some out (per document, at most 4 pages' worth); the reranker
 * sees its own depth. `ranked` is the page's share, which the vector side's exact re-ranking is sized by.
 *
 * One side alone, ungrouped, first fetches just the page: folding rarely removes anything, and the 10 spare
 * candidates it would need cost a lexical search ~10 % (posting lists walked for 20 hits instead of 10). When
 * folding does leave the page short, the search runs once more with the spare candidates (`refill`).
 */
function retrieveDepths(
  search: NormalisedSearch,
  plan: SidePlan,
  rerank: number | undefined,
): { first: RetrieveDepth; refill: RetrieveDepth | undefined } {
  const sides = plan.mode === 'hybrid' ? 2 : 1;
  const want = search.limit + search.offset;
  const folding =
    search.perDocument === undefined ? want + 10 : want * Math.min(4, 1 + 3 / search.perDocument);
  const ranked = Math.max(sides * want, rerank ?? 0);
  const full = { fetch: Math.max(Math.ceil(sides * folding), ranked), ranked };
  const optimistic = sides === 1 && search.perDocument === undefined && rerank === undefined;
  return optimistic
    ? { first: { fetch: want, ranked: want }, refill: full }
    : { first: full, refill: undefined };
}

function budgetWarnings(budget: BudgetReport | undefined, results: number): string[] {
  if (!budget || budget.dropped < results) return [];
  return [
    `${arg('maxTokens')} ${budget.maxTokens} is too small for even one trimmed result; raise it or use content "snippet"`,
  ];
}

/** One side alone keeps its order and its own score; hybrid fuses the two rankings and says with what weights. */
function fuseSides(
  plan: SidePlan,
  search: NormalisedSearch,
  retrieved: Retrieved,
  record: GenerationRecord,
): { ranked: Ranked[]; weights: FusionWeightsUsed | null } {
  if (plan.mode === 'hybrid') {
    const { results, weights } = fuseHybrid(
      search.fusion,
      retrieved.vector,
      retrieved.lexical,
      record.fusionCalibration,
    );
    return { ranked: results, weights };
  }
  const side = plan.mode === 'vector' ? 'vector' : 'lexical';
  return {
    ranked: retrieved[side].map((c, i) => ({
      ...c,
      scores: { [side]: c.score },
      ranks: { [side]: i + 1 },
    })),
    weights: null,
  };
}

/**
 * The post-process steps of this search, in order: exact duplicates fold first (so grouping counts distinct
 * texts), then grouping by document, then the page. A reranker goes before foldDuplicates.
 */
function postProcessSteps(search: NormalisedSearch, rerank: PostProcessStep | undefined): PostProcessStep[] {
  return [
    ...(rerank ? [rerank] : []),
    foldDuplicates,
    ...(search.perDocument === undefined ? [] : [groupByDocument(search.perDocument)]),
    page,
  ];
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 100) / 100;
}

/** The cross-encoder step (first: it reorders before anything folds or pages), when the request asks for it. */
function rerankStep(
  ctx: EngineContext,
  search: NormalisedSearch,
  depth: number | undefined,
): PostProcessStep | undefined {
  if (depth === undefined) return undefined;
  return (ranked, { signal }) => rerankFused(ctx.reranker!, search.text!, ranked, depth, signal);
}
