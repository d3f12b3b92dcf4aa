// Seeded clustered vectors (a mixture of Gaussians): ANN recall is meaningful on them, unlike uniform noise.

/** Mulberry32: a tiny seeded PRNG so every run sees the same data. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

function normalize(v: Float32Array): Float32Array {
  const norm = Math.hypot(...v) || 1;
  return v.map((x) => x / norm);
}

export function clusteredVectors(count: number, dimension: number, clusters: number, seed: number, spread = 0.35): Float32Array[] {
  const random = seededRandom(seed);
  const centres = Array.from({ length: clusters }, () => normalize(Float32Array.from({ length: dimension }, () => gaussian(random))));
  return Array.from({ length: count }, () => {
    const centre = centres[Math.floor(random() * clusters)]!;
    return normalize(centre.map((c) => c + (spread / Math.sqrt(dimension)) * gaussian(random) * Math.sqrt(dimension) / 4));
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
