// Seeded synthetic corpus: 384-d vectors from a mixture of Gaussians and text from a Zipf vocabulary.
// Any batch can be regenerated on its own (its seed derives from the corpus seed and the batch number), so a
// million chunks never need to be in memory at once and every system in a run sees the same data.
import type { ChunkInput } from '../src/engine/types.js';
import { seededRandom } from '../test/helpers/clustered-vectors.js';

/** Chunks per generation batch; fixed so batch i is the same whatever the corpus size. */
export const GENERATION_BATCH = 10_000;

export interface CorpusSpec {
  seed: number;
  dimension: number;
  clusters: number;
  vocabulary: number;
  /** Zipf exponent of word frequencies. */
  zipf: number;
  /** Per-dimension noise around a cluster centre (centres have norm 1). */
  noise: number;
}

export const DEFAULT_SPEC: CorpusSpec = {
  seed: 20_251_124,
  dimension: 384,
  clusters: 1024,
  vocabulary: 30_000,
  zipf: 1.0,
  // Noise of norm ~0.8: same-cluster cosine ~0.6, other clusters ~0 — roughly how sentence embeddings spread.
  noise: 0.8 / Math.sqrt(384),
};

function mixSeed(seed: number, stream: number): number {
  return (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(stream + 1, 0xc2b2ae35)) >>> 0;
}

function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

function normalizeInPlace(v: Float32Array): Float32Array {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i]! * v[i]!;
  const norm = Math.sqrt(sum) || 1;
  for (let i = 0; i < v.length; i++) v[i]! /= norm;
  return v;
}

/** Walker's alias method: O(1) draws from a fixed discrete distribution. */
class AliasTable {
  private readonly probability: Float64Array;
  private readonly alias: Uint32Array;

  constructor(weights: readonly number[]) {
    const n = weights.length;
    const total = weights.reduce((s, w) => s + w, 0);
    const scaled = weights.map((w) => (w * n) / total);
    this.probability = new Float64Array(n);
    this.alias = new Uint32Array(n);
    const small: number[] = [];
    const large: number[] = [];
    scaled.forEach((p, i) => (p < 1 ? small : large).push(i));
    while (small.length > 0 && large.length > 0) {
      const s = small.pop()!;
      const l = large.pop()!;
      this.probability[s] = scaled[s]!;
      this.alias[s] = l;
      scaled[l] = scaled[l]! + scaled[s]! - 1;
      (scaled[l]! < 1 ? small : large).push(l);
    }
    for (const i of [...small, ...large]) this.probability[i] = 1;
  }

  draw(random: () => number): number {
    const i = Math.floor(random() * this.probability.length);
    return random() < this.probability[i]! ? i : this.alias[i]!;
  }
}

const SYLLABLES = [
  'ka',
  'lo',
  'mi',
  'ren',
  'tas',
  'vo',
  'qui',
  'bel',
  'dor',
  'fen',
  'gar',
  'hul',
  'jin',
  'pra',
  'sil',
  'tor',
  'ux',
  'wen',
  'zy',
  'nar',
];

/** The shared parts of a corpus: cluster centres, vocabulary, Zipf sampler, topic words per cluster. */
export class SyntheticCorpus {
  readonly spec: CorpusSpec;
  private readonly centres: Float32Array[];
  private readonly words: string[];
  private readonly zipfWords: AliasTable;
  private readonly topics: Uint32Array[];

  constructor(spec: CorpusSpec = DEFAULT_SPEC) {
    this.spec = spec;
    const random = seededRandom(spec.seed);
    this.centres = Array.from({ length: spec.clusters }, () =>
      normalizeInPlace(Float32Array.from({ length: spec.dimension }, () => gaussian(random))),
    );
    const seen = new Set<string>();
    this.words = [];
    while (this.words.length < spec.vocabulary) {
      const length = 2 + Math.floor(random() * 3);
      let word = '';
      for (let i = 0; i < length; i++) word += SYLLABLES[Math.floor(random() * SYLLABLES.length)];
      if (!seen.has(word)) {
        seen.add(word);
        this.words.push(word);
      }
    }
    this.zipfWords = new AliasTable(this.words.map((_, rank) => 1 / Math.pow(rank + 1, spec.zipf)));
    // Each cluster's topic words come from the mid/rare part of the vocabulary, where BM25 discriminates.
    this.topics = this.centres.map(() =>
      Uint32Array.from({ length: 24 }, () => 500 + Math.floor(random() * (spec.vocabulary - 500))),
    );
  }

  /** Chunks [start, start + count) where start is a multiple of GENERATION_BATCH. */
  batch(start: number, count: number): ChunkInput[] {
    const chunks: ChunkInput[] = [];
    for (let offset = 0; offset < count; offset += GENERATION_BATCH) {
      chunks.push(
        ...this.generationBatch(
          (start + offset) / GENERATION_BATCH,
          Math.min(GENERATION_BATCH, count - offset),
        ),
      );
    }
    return chunks;
  }

  private generationBatch(index: number, count: number): ChunkInput[] {
    const random = seededRandom(mixSeed(this.spec.seed, index + 1));
    const chunks: ChunkInput[] = [];
    for (let k = 0; k < count; k++) {
      const i = index * GENERATION_BATCH + k;
      const cluster = Math.floor(random() * this.spec.clusters);
      const length = 30 + Math.floor(random() * 60);
      chunks.push({
        chunkId: `c${i}`,
        documentId: `d${Math.floor(i / 4)}`,
        title: this.text(random, cluster, 4 + Math.floor(random() * 4), 0.5),
        content: this.text(random, cluster, length, 0.15),
        metadata: { cluster, part: i % 4 },
        embedding: this.point(random, cluster),
      });
    }
    return chunks;
  }

  /** `count` queries near random cluster centres, each with a short text of topic and common words. */
  queries(count: number, stream = 0): Array<{ text: string; vector: Float32Array }> {
    const random = seededRandom(mixSeed(this.spec.seed ^ 0x5bd1e995, stream));
    return Array.from({ length: count }, () => {
      const cluster = Math.floor(random() * this.spec.clusters);
      const topic = this.topics[cluster]!;
      const words = [
        this.words[topic[Math.floor(random() * topic.length)]!]!,
        this.words[topic[Math.floor(random() * topic.length)]!]!,
        ...Array.from(
          { length: 1 + Math.floor(random() * 3) },
          () => this.words[this.zipfWords.draw(random)]!,
        ),
      ];
      return { text: words.join(' '), vector: this.point(random, cluster) };
    });
  }

  private point(random: () => number, cluster: number): Float32Array {
    const centre = this.centres[cluster]!;
    const v = new Float32Array(this.spec.dimension);
    for (let d = 0; d < v.length; d++) v[d] = centre[d]! + this.spec.noise * gaussian(random);
    return normalizeInPlace(v);
  }

  private text(random: () => number, cluster: number, length: number, topicShare: number): string {
    const topic = this.topics[cluster]!;
    const out: string[] = [];
    for (let w = 0; w < length; w++) {
      const rank =
        random() < topicShare ? topic[Math.floor(random() * topic.length)]! : this.zipfWords.draw(random);
      out.push(this.words[rank]!);
    }
    return out.join(' ');
  }
}
