// Drawing calibration probes from a generation's own chunks: held-out sentences first, verbatim fragments as the fallback.
import type { Metric, ProbeKind } from '../types.js';
import type { RankedCandidate } from './fusion.js';
import type { Probe } from './probe-weights.js';
import { ProbeTable, type ProbeRow } from './probe-table.js';

/**
 * Probe queries per calibration, of each kind (the engine's `calibrationProbes` setting). Held-out probes are
 * harder than verbatim ones (the source no longer contains the query), so their reciprocal ranks spread more;
 * 150 keep the one-standard-error band narrow enough to see a mix that helps (BENCHMARKS.md).
 */
export const CALIBRATION_PROBES = 150;
/** Most probes a calibration may be asked for: each costs a few lexical searches at seal time. */
export const MAX_CALIBRATION_PROBES = 2_000;
/**
 * Other chunks the held-out rests are ranked among, with their stored vectors (nothing is embedded for them).
 * Bounds the copy for a large KB; a smaller field of candidates only makes every probe a little easier.
 */
export const PROBE_DISTRACTORS = 5_000;
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
/** Words a held-out rest must keep to be worth finding (a chunk of one sentence cannot be split). */
const MIN_REST_WORDS = 8;

/** A chunk of the source, with its position (take returns rows in table order, not in the order asked). */
export interface SourceChunk extends ProbeRow {
  offset: number;
}

/** What drawing probes needs from a generation: its chunks by position, its embedder, and each side's search. */
export interface ProbeSource {
  chunkCount: number;
  metric: Metric;
  /**
   * The chunks at these offsets, with the text lexical search scores and their stored vectors, in any order.
   */
  chunksAt(offsets: readonly number[]): Promise<SourceChunk[]>;
  embedDocuments(texts: string[], signal?: AbortSignal): Promise<Float32Array[]>;
  embedQuery(text: string, signal?: AbortSignal): Promise<Float32Array>;
  /** `depth` candidates of one side of the KB's own search, best first (verbatim probes). */
  search(
    mode: 'vector' | 'lexical',
    text: string,
    depth: number,
  ): Promise<Array<{ id: string; score: number }>>;
}

export interface DrawnProbes {
  kind: ProbeKind;
  probes: Probe[];
  /** With held-out probes: verbatim ones too, which a weight must not measurably hurt (pickGuardedWeight). */
  guard?: Probe[];
}

/**
 * Up to `count` probes from seeded random chunks of `source`: held-out ones (drawHeldOutProbes) guarded by as
 * many verbatim ones, or verbatim ones alone when fewer than MIN_PROBES chunks can be split (chunks of one
 * sentence). Null when aborted or a side cannot search (the embedder is still loading for long, or failed):
 * search then falls back uncalibrated.
 */
export async function drawProbes(
  source: ProbeSource,
  seed: number,
  signal?: AbortSignal,
  count = CALIBRATION_PROBES,
): Promise<DrawnProbes | null> {
  const heldOut = await drawHeldOutProbes(source, seed, signal, count);
  if (heldOut === null) return null;
  const verbatim = await drawVerbatimProbes(source, seed, signal, count);
  if (verbatim === null) return null;
  if (heldOut.length >= MIN_PROBES) return { kind: 'held-out', probes: heldOut, guard: verbatim };
  return { kind: 'verbatim', probes: verbatim };
}

/**
 * Held-out probes: from each seeded chunk one sentence is cut out; a run of its words is the query, and the
 * rest of the chunk — re-embedded, and no longer containing the query — is the answer, ranked among up to
 * PROBE_DISTRACTORS other chunks in a throwaway table (probe-table.ts). Neither side can find the answer by
 * the query's own words, so the probes measure what users' questions need: BM25 by the topic words the rest
 * shares, the model by what the passage means. Verbatim fragments let BM25 find their source almost always
 * and could not tell a weak semantic model from feature hashing (BENCHMARKS.md).
 * Empty when too few chunks split (or the table cannot be made here); null when aborted or a side fails.
 */
export async function drawHeldOutProbes(
  source: ProbeSource,
  seed: number,
  signal?: AbortSignal,
  count = CALIBRATION_PROBES,
): Promise<Probe[] | null> {
  const started = performance.now();
  const random = mulberry32(seed);
  const tried = sampleOffsets(random, source.chunkCount, count * 3);
  const splits: Array<{ chunkId: string; query: string; rest: string }> = [];
  for (const row of shuffled(byChunkId(await source.chunksAt(tried)), random)) {
    if (splits.length >= count) break;
    const split = heldOutSplit(row.text, random);
    if (split) splits.push({ chunkId: row.chunkId, ...split });
  }
  if (signal?.aborted) return null;
  if (splits.length < MIN_PROBES) return [];
  // The probe chunks themselves must not be distractors: their full text contains the query. Excluded by id
  // (rows do not say which offset they came from), so a few more are drawn.
  const probeIds = new Set(splits.map((s) => s.chunkId));
  const others = sampleOffsets(random, source.chunkCount, PROBE_DISTRACTORS + splits.length);
  let table: ProbeTable;
  try {
    const [candidates, rests] = await Promise.all([
      source.chunksAt(others),
      source.embedDocuments(
        splits.map((s) => s.rest),
        signal,
      ),
    ]);
    const distractors = byChunkId(candidates)
      .filter((row) => !probeIds.has(row.chunkId))
      .slice(0, PROBE_DISTRACTORS)
      .map(({ chunkId, text, vector }) => ({ chunkId, text, vector }));
    const restRows = splits.map((s, i) => ({ chunkId: s.chunkId, text: s.rest, vector: rests[i]! }));
    table = await ProbeTable.create([...distractors, ...restRows], source.metric);
  } catch {
    return signal?.aborted ? null : [];
  }
  try {
    const probes: Probe[] = [];
    for (const split of splits) {
      if (performance.now() - started > CALIBRATION_TIME_CAP_MS) break;
      if (signal?.aborted) return null;
      let answers;
      try {
        const vector = await source.embedQuery(split.query, signal);
        answers = await Promise.all([
          table.search({ vector }, DEPTH),
          table.search({ text: split.query }, DEPTH),
        ]);
      } catch {
        return null;
      }
      probes.push({ source: split.chunkId, ...asCandidates(answers) });
    }
    return probes;
  } finally {
    await table.dispose();
  }
}

/**
 * Verbatim probes — the guard of held-out ones, and all there is for KBs whose chunks are too short to split:
 * a run of words from one sentence of a seeded chunk is searched in the KB itself, and that chunk is the
 * answer (at most 3 × `count` chunks tried, read in one take).
 */
export async function drawVerbatimProbes(
  source: ProbeSource,
  seed: number,
  signal?: AbortSignal,
  count = CALIBRATION_PROBES,
): Promise<Probe[] | null> {
  const started = performance.now();
  const random = mulberry32(seed);
  const probes: Probe[] = [];
  const offsets = sampleOffsets(random, source.chunkCount, count * 3);
  const chunks = new Map((await source.chunksAt(offsets)).map((row) => [row.offset, row]));
  for (const offset of offsets) {
    if (probes.length >= count || performance.now() - started > CALIBRATION_TIME_CAP_MS) break;
    if (signal?.aborted) return null;
    const chunk = chunks.get(offset);
    const text = chunk ? probeText(chunk.text, random) : undefined;
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
    probes.push({ source: chunk.chunkId, ...asCandidates(answers) });
  }
  return probes;
}

/**
 * Cuts one sentence out of `text` (seeded): a run of PROBE_WORDS of its words becomes the query, the text
 * without that whole sentence the rest. Undefined when no sentence is long enough or too little would remain.
 */
export function heldOutSplit(
  text: string,
  random: () => number,
): { query: string; rest: string } | undefined {
  const sentences = sentenceSpans(text).filter((s) => s.words.length >= PROBE_WORDS.min);
  if (sentences.length === 0) return undefined;
  const cut = sentences[Math.floor(random() * sentences.length)]!;
  const rest = `${text.slice(0, cut.start)}${text.slice(cut.end)}`.trim();
  if (wordsOf(rest).length < MIN_REST_WORDS) return undefined;
  return { query: wordRun(cut.words, random), rest };
}

/**
 * A run of PROBE_WORDS words from one sentence of the chunk, or undefined when the chunk has too few words to
 * make a question of.
 */
export function probeText(content: string, random: () => number): string | undefined {
  const sentences = sentenceSpans(content).filter((s) => s.words.length >= PROBE_WORDS.min);
  if (sentences.length === 0) return undefined;
  return wordRun(sentences[Math.floor(random() * sentences.length)]!.words, random);
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

/** Sentences (split after . ! ? and at line breaks) with where they sit in `text` and their words. */
function sentenceSpans(text: string): Array<{ start: number; end: number; words: string[] }> {
  const spans: Array<{ start: number; end: number; words: string[] }> = [];
  const boundary = /(?<=[.!?])\s+|\n+/g;
  let start = 0;
  for (const match of [...text.matchAll(boundary), null]) {
    const end = match ? match.index : text.length;
    spans.push({ start, end, words: wordsOf(text.slice(start, end)) });
    if (match) start = match.index + match[0].length;
  }
  return spans;
}

function wordsOf(text: string): string[] {
  return text.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w));
}

/** PROBE_WORDS.min–max consecutive words of `words` (all of them when fewer), seeded. */
function wordRun(words: readonly string[], random: () => number): string {
  const length = Math.min(
    words.length,
    PROBE_WORDS.min + Math.floor(random() * (PROBE_WORDS.max - PROBE_WORDS.min + 1)),
  );
  const start = Math.floor(random() * (words.length - length + 1));
  return words.slice(start, start + length).join(' ');
}

/** Up to `k` distinct seeded offsets below `count` (all of them, shuffled, when there are no more than 2k). */
function sampleOffsets(random: () => number, count: number, k: number): number[] {
  if (k * 2 >= count)
    return shuffled(
      Array.from({ length: count }, (_, i) => i),
      random,
    ).slice(0, k);
  const picked = new Set<number>();
  while (picked.size < k) picked.add(Math.floor(random() * count));
  return [...picked];
}

/** A seeded Fisher–Yates shuffle of a copy of `items`. */
function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const all = [...items];
  for (let i = all.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  return all;
}

/** Rows in chunk-id order: the same draw whatever order the store returned them in. */
function byChunkId<T extends ProbeRow>(rows: T[]): T[] {
  return [...rows].sort((a, b) => (a.chunkId < b.chunkId ? -1 : a.chunkId > b.chunkId ? 1 : 0));
}

function asCandidates(answers: Array<Array<{ id: string; score: number }>>): {
  vector: RankedCandidate<null>[];
  lexical: RankedCandidate<null>[];
} {
  const [vector, lexical] = answers.map((list) => list.map((h) => ({ ...h, row: null })));
  return { vector: vector!, lexical: lexical! };
}
