// Label-free calibration of hybrid fusion: probe queries cut from a generation's own chunks pick its side weights.
import type { EngineContext } from '../context.js';
import { EXTERNAL_MODEL, isLexicalOnly } from '../embedding-space.js';
import type { GenerationRecord } from '../storage/catalog.js';
import { arrowToRows } from '../storage/arrow-rows.js';
import { searchText } from '../storage/chunk-fields.js';
import type { CalibrationReason, FusionCalibration } from '../types.js';
import { drawProbes, MIN_PROBES, type ProbeSource } from './draw-probes.js';
import { weighProbes } from './probe-weights.js';
import { search } from './run-search.js';

/**
 * Estimates how much each side of hybrid search should count on this generation, without labels.
 *
 * Probes (draw-probes.ts): from seeded random chunks one sentence is held out; a short run of its words is the
 * query, and the rest of its chunk is the answer, among other chunks of the generation. Both sides are searched
 * to depth 50, and weighProbes picks the vector weight: the one nearest the stronger side alone among the
 * weights whose fused ranking of the probes' answers the probes cannot tell from the best (a one-standard-error
 * rule), so a mix is kept only where it measurably helps — and, guarded by as many verbatim probes (a fragment
 * searched for the chunk that contains it), only as far as it does not measurably hurt queries that quote the
 * KB. KBs of one-sentence chunks use verbatim probes alone; `probeKind` and `guard` say which ran.
 *
 * Seeded by seedOf(kb, generation); benchmarks draw with other seeds through drawProbes.
 * Returns null when the generation cannot be calibrated: no vectors, caller-supplied vectors, no usable
 * embedder, or fewer than MIN_PROBES usable chunks.
 */
export async function calibrateFusion(
  ctx: EngineContext,
  record: GenerationRecord,
  reason: CalibrationReason = 'seal',
  /** Aborted (engine closing): stop between probes and store nothing. */
  signal?: AbortSignal,
): Promise<FusionCalibration | null> {
  const space = record.embedding;
  if (!canCalibrate(ctx, record) || !space) return null;
  const table = await ctx.tables.open(record.tableName);
  if (!table) return null;
  const started = performance.now();
  const seed = seedOf(record.kb, record.generation);
  const embedder = ctx.embedder!;
  const source: ProbeSource = {
    chunkCount: await table.countRows(),
    metric: record.metric,
    chunksAt: async (offsets) => {
      if (offsets.length === 0) return [];
      const rows = arrowToRows(
        await table
          .takeOffsets([...offsets])
          .select(['chunk_id', 'title', 'content', 'embedding', '_rowoffset'])
          .toArrow(),
      );
      return rows.map((row) => ({
        offset: Number(row._rowoffset),
        chunkId: row.chunk_id as string,
        text: searchText((row.title as string | null) ?? null, row.content as string),
        vector: Float32Array.from(row.embedding as ArrayLike<number>),
      }));
    },
    embedDocuments: (texts, abort) => embedder.embedDocuments(texts, abort),
    embedQuery: (text, abort) => embedder.embedQuery(text, abort),
    search: async (mode, text, depth) =>
      (
        await search(ctx, { kb: record.kb, generation: record.generation, mode, text, limit: depth })
      ).results.map((h) => ({ id: h.chunkId, score: h.score })),
  };
  const drawn = await drawProbes(source, seed, signal, ctx.settings.calibrationProbes);
  if (!drawn || drawn.probes.length < MIN_PROBES) return null;
  const { probes, kind, guard } = drawn;
  const weighed = weighProbes(probes, guard);
  const w = weighed.vectorWeight;
  return {
    weights: { vector: round3(w), lexical: round3(1 - w) },
    source: 'probes',
    reason,
    probes: probes.length,
    probeKind: kind,
    ...(weighed.guard && { guard: weighed.guard }),
    probeMrr: {
      vector: round3(weighed.probeMrr.vector),
      lexical: round3(weighed.probeMrr.lexical),
      fused: round3(weighed.probeMrr.fused),
    },
    typicalMargin: {
      vector: round3(weighed.typicalMargin.vector),
      lexical: round3(weighed.typicalMargin.lexical),
    },
    seed,
    chunkCount: source.chunkCount,
    embeddingModel: space.model,
    tookMs: Math.round(performance.now() - started),
    calibratedAt: new Date().toISOString(),
  };
}

/**
 * True when both sides of `record` can be searched from text here: it has vectors this process's embedder
 * made (not lexical-only, not caller-supplied, same model).
 */
export function canCalibrate(ctx: EngineContext, record: GenerationRecord): boolean {
  const space = record.embedding;
  return (
    !!space &&
    !isLexicalOnly(space) &&
    space.model !== EXTERNAL_MODEL &&
    ctx.embedder !== undefined &&
    ctx.embedder.id === space.model
  );
}

/** Three decimals: what the catalog stores and the resources show. */
export function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** FNV-1a of "kb/generation": the same generation always draws the same probes. */
function seedOf(kb: string, generation: number): number {
  let h = 0x811c9dc5;
  for (const ch of `${kb}/${generation}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
  return h >>> 0;
}
