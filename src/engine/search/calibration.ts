// Label-free calibration of hybrid fusion: probe queries cut from a generation's own chunks pick its side weights.
import type { EngineContext } from '../context.js';
import { EXTERNAL_MODEL, isLexicalOnly } from '../embedding-space.js';
import type { GenerationRecord } from '../storage/catalog.js';
import type { CalibrationReason, FusionCalibration } from '../types.js';
import type { RankedCandidate } from './fusion.js';
import { weighProbes, type Probe } from './probe-weights.js';
import { search } from './run-search.js';

/**
 * Probe queries per calibration, cheap at seal time (1–5 s for 5,183 SciFact chunks). Their noise is handled by
 * the one-standard-error rule (probe-weights.ts), not by their number: over ten seeds the weights stayed at
 * 0–0.15 for three embedders (BENCHMARKS.md).
 */
export const CALIBRATION_PROBES = 60;
/**
 * Wall-clock cap of one calibration, for a pathological store only: the probe count bounds it, so the same data
 * calibrates to the same weights on a busy machine too (a 5 s budget once cut a loaded run to 30 probes of 60).
 */
export const CALIBRATION_TIME_CAP_MS = 30_000;
/** Fewer probes than this and the estimate is noise: no calibration is stored. */
export const MIN_PROBES = 8;
/** Candidates per side per probe, and the depth of the reciprocal-rank measure. */
export const DEPTH = 50;
/** Words in a probe query: about the length of a question or claim. */
const PROBE_WORDS = { min: 4, max: 10 };

/** What drawing probes needs from a generation: its chunks by position, and each side's search. */
export interface ProbeSource {
  chunkCount: number;
  chunkAt(offset: number): Promise<{ chunkId: string; content: string } | undefined>;
  /** `depth` candidates of one side, best first; throws when the side cannot search (embedder failed). */
  search(
    mode: 'vector' | 'lexical',
    text: string,
    depth: number,
  ): Promise<Array<{ id: string; score: number }>>;
}

/**
 * Estimates how much each side of hybrid search should count on this generation, without labels.
 *
 * Probes: seeded random chunks; from each, a short run of words (a sentence fragment of 4–10 words) becomes
 * the query and the chunk it came from is the answer. Both sides are searched to depth 50, and weighProbes
 * picks the vector weight: the one nearest the stronger side alone among the weights whose fused ranking of
 * the probes' sources the probes cannot tell from the best (a one-standard-error rule), so a mix is kept only
 * where it measurably helps.
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
  const source: ProbeSource = {
    chunkCount: await table.countRows(),
    chunkAt: async (offset) => {
      const rows = (await table
        .query()
        .select(['chunk_id', 'content'])
        .offset(offset)
        .limit(1)
        .toArray()) as Array<{
        chunk_id: string;
        content: string;
      }>;
      return rows[0] && { chunkId: rows[0].chunk_id, content: rows[0].content };
    },
    search: async (mode, text, depth) =>
      (
        await search(ctx, { kb: record.kb, generation: record.generation, mode, text, limit: depth })
      ).results.map((h) => ({ id: h.chunkId, score: h.score })),
  };
  const probes = await drawProbes(source, seed, signal);
  if (!probes || probes.length < MIN_PROBES) return null;
  const weighed = weighProbes(probes);
  const w = weighed.vectorWeight;
  return {
    weights: { vector: round3(w), lexical: round3(1 - w) },
    source: 'probes',
    reason,
    probes: probes.length,
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
 * Up to CALIBRATION_PROBES probes from seeded random chunks of `source` (at most 3 × that many chunks tried,
 * within CALIBRATION_TIME_CAP_MS). Null when aborted or a side cannot search (the embedder is still loading
 * for long, or failed): search then falls back uncalibrated.
 */
export async function drawProbes(
  source: ProbeSource,
  seed: number,
  signal?: AbortSignal,
): Promise<Probe[] | null> {
  const started = performance.now();
  const random = mulberry32(seed);
  const probes: Probe[] = [];
  const tried = new Set<number>();
  const budget = Math.min(source.chunkCount, CALIBRATION_PROBES * 3);
  while (
    probes.length < CALIBRATION_PROBES &&
    tried.size < budget &&
    performance.now() - started < CALIBRATION_TIME_CAP_MS
  ) {
    const offset = Math.floor(random() * source.chunkCount);
    if (tried.has(offset)) continue;
    tried.add(offset);
    const chunk = await source.chunkAt(offset);
    if (signal?.aborted) return null;
    const text = chunk ? probeText(chunk.content, random) : undefined;
    if (!chunk || !text) continue;
    let answers;
    try {
      answers = await Promise.all([
        source.search('vector', text, DEPTH),
        source.search('lexical', text, DEPTH),
      ]);
    } catch {
      return null;
    }
    const [vector, lexical] = answers.map((list) => list.map((h) => ({ ...h, row: null }))) as [
      RankedCandidate<null>[],
      RankedCandidate<null>[],
    ];
    probes.push({ source: chunk.chunkId, vector, lexical });
  }
  return probes;
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

/**
 * A run of PROBE_WORDS words from one sentence of the chunk (the longest of two seeded picks), or undefined
 * when the chunk has too few words to make a question of.
 */
export function probeText(content: string, random: () => number): string | undefined {
  const sentences = content
    .split(/(?<=[.!?])\s+|\n+/)
    .map((s) => s.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)))
    .filter((words) => words.length >= PROBE_WORDS.min);
  if (sentences.length === 0) return undefined;
  const words = sentences[Math.floor(random() * sentences.length)]!;
  const length = Math.min(
    words.length,
    PROBE_WORDS.min + Math.floor(random() * (PROBE_WORDS.max - PROBE_WORDS.min + 1)),
  );
  const start = Math.floor(random() * (words.length - length + 1));
  return words.slice(start, start + length).join(' ');
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

/** Mulberry32: a tiny seeded PRNG. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
