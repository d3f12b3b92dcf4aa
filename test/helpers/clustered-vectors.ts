// Seeded clustered vectors (a mixture of Gaussians): ANN recall is meaningful on them, unlike uniform noise.

import { mulberry32 } from '../../src/engine/search/draw-probes.js';

/** The engine's seeded PRNG (Mulberry32), so every run sees the same data. */
export const seededRandom = mulberry32;

function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

function normalize(v: Float32Array): Float32Array {
  const norm = Math.hypot(...v) || 1;
  return v.map((x) => x / norm);
}

/**
 * Two-level clusters, like real embeddings: topics (centres), sub-topics around them, then points with
 * small isotropic noise. Noise norms are given in absolute terms so the structure holds at any dimension
 * (isotropic noise of norm > 1 would make every neighbour equidistant, which no real corpus looks like).
 */
export function clusteredVectors(
  count: number,
  dimension: number,
  clusters: number,
  seed: number,
): Float32Array[] {
  const random = seededRandom(seed);
  const offset = (norm: number) => {
    const v = Float32Array.from({ length: dimension }, () => gaussian(random));
    const n = Math.hypot(...v);
    return v.map((x) => (x / n) * norm);
  };
  const centres = Array.from({ length: clusters }, () => normalize(offset(1)));
  const subtopics = centres.map((c) => Array.from({ length: 8 }, () => c.map((x, d) => x + offset(0.5)[d]!)));
  return Array.from({ length: count }, () => {
    const cluster = subtopics[Math.floor(random() * clusters)]!;
    const sub = cluster[Math.floor(random() * cluster.length)]!;
    const noise = offset(0.3 * Math.sqrt(random()));
    return normalize(sub.map((x, d) => x + noise[d]!));
  });
}

/** Exact top-k by cosine similarity: the ground truth recall is measured against. */
export function exactTopK(vectors: Float32Array[], query: Float32Array, k: number): number[] {
  const scored = vectors.map((v, i) => {
    let dot = 0;
    for (let d = 0; d < v.length; d++) dot += v[d]! * query[d]!;
    return { i, dot };
  });
  scored.sort((a, b) => b.dot - a.dot);
  return scored.slice(0, k).map((s) => s.i);
}
