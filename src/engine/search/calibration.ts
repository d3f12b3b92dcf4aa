// Label-free calibration of hybrid fusion: probe queries cut from a generation's own chunks pick its side weights.
import type { EngineContext } from '../context.js';
import { EXTERNAL_MODEL, isLexicalOnly } from '../embedding-space.js';
import type { GenerationRecord } from '../storage/catalog.js';
import type { CalibrationReason, FusionCalibration } from '../types.js';
import { calibratedWeights, dedupe, fuseCalibrated, sideConfidence, type RankedCandidate } from './fusion.js';
import { search } from './run-search.js';

/** Probe queries per calibration: enough for a stable estimate (±0.05 on weights), cheap at seal time. */
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
/** Prior weight of the vector side tried, 0 … 1 in steps of 1/GRID_STEPS. */
export const GRID_STEPS = 20;

interface Probe {
  source: string;
  vector: RankedCandidate<null>[];
  lexical: RankedCandidate<null>[];
}

/**
 * Estimates how much each side of hybrid search should count on this generation, without labels.
 *
 * Probes: seeded random chunks; from each, a short run of words (a sentence fragment of 4–10 words) becomes
 * the query and the chunk it came from is the answer. Both sides are searched to depth 50. The vector
 * side's prior weight w is then chosen on a grid from 0 to 1 to maximise the mean reciprocal rank of the
 * source chunk under exactly the fusion searches use (`calibrated`, with its per-query shift). A side that
 * never helps gets weight 0; when both help, the weight lands where their mix ranks best, which is inside
 * (0, 1) whenever the sides find different chunks. Near-ties resolve by the sides' standalone quality (pickWeight).
 *
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
  const chunkCount = await table.countRows();
  const seed = seedOf(record.kb, record.generation);
  const random = mulberry32(seed);
  const probes: Probe[] = [];
  const tried = new Set<number>();
  const budget = Math.min(chunkCount, CALIBRATION_PROBES * 3);
  while (
    probes.length < CALIBRATION_PROBES &&
    tried.size < budget &&
    performance.now() - started < CALIBRATION_TIME_CAP_MS
  ) {
    const offset = Math.floor(random() * chunkCount);
    if (tried.has(offset)) continue;
    tried.add(offset);
    const rows = (await table
      .query()
      .select(['chunk_id', 'content'])
      .offset(offset)
      .limit(1)
      .toArray()) as Array<{
      chunk_id: string;
      content: string;
    }>;
    if (signal?.aborted) return null;
    const row = rows[0];
    const text = row ? probeText(row.content, random) : undefined;
    if (!row || !text) continue;
    const ask = (mode: 'vector' | 'lexical') =>
      search(ctx, { kb: record.kb, generation: record.generation, mode, text, limit: DEPTH });
    let answers;
    try {
      answers = await Promise.all([ask('vector'), ask('lexical')]);
    } catch {
      return null; // the embedder cannot embed (still loading for long, failed): search falls back uncalibrated
    }
    const [vector, lexical] = answers.map((a) =>
      a.results.map((h) => ({ id: h.chunkId, score: h.score, row: null })),
    ) as [RankedCandidate<null>[], RankedCandidate<null>[]];
    probes.push({ source: row.chunk_id, vector, lexical });
  }
  if (probes.length < MIN_PROBES) return null;
  const typicalMargin = {
    vector: median(probes.map((p) => sideConfidence(dedupe(p.vector)))),
    lexical: median(probes.map((p) => sideConfidence(dedupe(p.lexical)))),
  };
  const curve = Array.from({ length: GRID_STEPS + 1 }, (_, i) => {
    const w = i / GRID_STEPS;
    return { w, mrr: fusedMrr(probes, { vector: w, lexical: 1 - w }, typicalMargin) };
  });
  const mrr = {
    vector: mean(probes.map((p) => reciprocalRank(p.vector, p.source))),
    lexical: mean(probes.map((p) => reciprocalRank(p.lexical, p.source))),
  };
  // Only what a side finds beyond a random ranking counts towards its share.
  const chance = harmonic(Math.min(DEPTH, chunkCount)) / chunkCount;
  const skill = { vector: Math.max(0, mrr.vector - chance), lexical: Math.max(0, mrr.lexical - chance) };
  const w = pickWeight(
    curve,
    skill.vector + skill.lexical > 0 ? skill.vector / (skill.vector + skill.lexical) : 0.5,
  );
  return {
    weights: { vector: round3(w), lexical: round3(1 - w) },
    source: 'probes',
    reason,
    probes: probes.length,
    probeMrr: {
      vector: round3(mrr.vector),
      lexical: round3(mrr.lexical),
      fused: round3(curve.find((c) => c.w === w)!.mrr),
    },
    typicalMargin: { vector: round3(typicalMargin.vector), lexical: round3(typicalMargin.lexical) },
    seed,
    chunkCount,
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

/**
 * The vector weight to keep, from the grid's fused MRR curve. Many weights often rank the probes almost
 * equally well (an easy probe's answer tops both sides), and the curve alone would then pick by noise. Among
 * weights within 1% of the best MRR, the one nearest `target` is kept: the vector side's share of the two
 * standalone probe MRRs above chance (what a random ranking would score). A side that finds nothing gets 0; two sides that both find the answers get
 * comparable weights (so a strong model is not flattened into the stronger side), and the fused objective
 * vetoes any mix that ranks clearly worse.
 */
export function pickWeight(curve: ReadonlyArray<{ w: number; mrr: number }>, target: number): number {
  const best = Math.max(...curve.map((c) => c.mrr));
  const near = curve.filter((c) => c.mrr >= best * 0.99);
  return near.reduce((a, b) => (Math.abs(b.w - target) < Math.abs(a.w - target) ? b : a)).w;
}

function fusedMrr(
  probes: readonly Probe[],
  prior: { vector: number; lexical: number },
  typicalMargin: { vector: number; lexical: number },
): number {
  const calibration = { weights: prior, typicalMargin } as FusionCalibration;
  return mean(
    probes.map((p) => {
      const weights = calibratedWeights(p.vector, p.lexical, calibration);
      return reciprocalRank(fuseCalibrated(p.vector, p.lexical, weights), p.source);
    }),
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

export function reciprocalRank(list: ReadonlyArray<{ id: string }>, id: string): number {
  const index = list.findIndex((c) => c.id === id);
  return index < 0 ? 0 : 1 / (index + 1);
}

/** Three decimals: what the catalog stores and the resources show. */
export function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** H(n) = 1 + 1/2 + … + 1/n: n × the MRR at depth n of a random ranking of n items. */
function harmonic(n: number): number {
  let sum = 0;
  for (let i = 1; i <= n; i++) sum += 1 / i;
  return sum;
}

export function mean(values: number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? 0 : sorted[Math.floor(sorted.length / 2)]!;
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
