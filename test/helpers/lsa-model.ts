// Builds a weak but real semantic model from a corpus (LSA word vectors) in Hugging Face layout, for fusion tests.
import { join } from 'node:path';
import { seededRandom } from './clustered-vectors.js';
import { SPECIAL_TOKENS, writeGatherEncoder } from './tiny-model.js';

export interface LsaModelOptions {
  /** Directory name under `parent`. Default `lsa`. */
  name?: string;
  /** Latent dimensions = output dimension. Default 64. */
  dimension?: number;
  /** Most frequent words kept (words in fewer than 2 texts are dropped). Default 20000. */
  maxVocab?: number;
  /** Seed of the randomized SVD. Default 7. */
  seed?: number;
  /** tokenizer_config.json model_max_length. Default 512. */
  maxLength?: number;
}

export interface LsaModel {
  dir: string;
  dimension: number;
  vocabSize: number;
}

/**
 * Words as the model's BertPreTokenizer sees them (lower case, split at anything not a letter or digit).
 * The vocabulary holds whole words only, so a word it does not know becomes [UNK], whose row is zero.
 */
export function lsaWords(text: string): string[] {
  return text
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0);
}

/**
 * Latent semantic analysis of `texts`: a tf-idf term × text matrix, its top `dimension` left singular vectors
 * by randomized SVD (Halko et al., 2011), and each word's row scaled by its idf. Mean pooling over a text's
 * tokens then folds the text into the latent space (Σ tf·idf·u_w), which is what LSA compares with cosine.
 * It relates words that co-occur, so it finds some paraphrases BM25 misses, but it is much weaker than BM25.
 */
export async function writeLsaModel(
  parent: string,
  texts: readonly string[],
  options: LsaModelOptions = {},
): Promise<LsaModel> {
  const k = options.dimension ?? 64;
  const dir = join(parent, options.name ?? 'lsa');
  const tokenized = texts.map(lsaWords);
  const df = new Map<string, number>();
  const tf = new Map<string, number>();
  for (const words of tokenized) {
    for (const w of words) tf.set(w, (tf.get(w) ?? 0) + 1);
    for (const w of new Set(words)) df.set(w, (df.get(w) ?? 0) + 1);
  }
  const words = [...df.entries()]
    .filter(([w, n]) => n >= 2 && !(SPECIAL_TOKENS as readonly string[]).includes(w))
    .sort((a, b) => (tf.get(b[0]) ?? 0) - (tf.get(a[0]) ?? 0) || (a[0] < b[0] ? -1 : 1))
    .slice(0, options.maxVocab ?? 20_000)
    .map(([w]) => w);
  const index = new Map(words.map((w, i) => [w, i]));
  const idf = words.map((w) => Math.log(texts.length / df.get(w)!));
  // Sparse columns: one per text, (row, tf-idf) pairs.
  const columns = tokenized.map((ws) => {
    const counts = new Map<number, number>();
    for (const w of ws) {
      const row = index.get(w);
      if (row !== undefined) counts.set(row, (counts.get(row) ?? 0) + 1);
    }
    return [...counts].map(([row, n]) => [row, (1 + Math.log(n)) * idf[row]!] as const);
  });
  const u = leftSingularVectors(columns, words.length, k, seededRandom(options.seed ?? 7));

  const vocab = [...SPECIAL_TOKENS, ...words];
  const wordTable = new Float32Array(vocab.length * k);
  words.forEach((_, row) => {
    const base = (SPECIAL_TOKENS.length + row) * k;
    for (let j = 0; j < k; j++) wordTable[base + j] = u[row * k + j]! * idf[row]!;
  });
  await writeGatherEncoder(dir, {
    vocab,
    wordTable,
    typeTable: new Float32Array(2 * k),
    hidden: k,
    maxLength: options.maxLength ?? 512,
    fp32: true,
    quantized: false,
  });
  return { dir, dimension: k, vocabSize: vocab.length };
}

type SparseColumn = ReadonlyArray<readonly [number, number]>;

/** Top-k left singular vectors (rows × k, row-major) of the sparse matrix given by its columns. */
function leftSingularVectors(
  columns: SparseColumn[],
  rows: number,
  k: number,
  random: () => number,
): Float64Array {
  const l = k + 16;
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  // Y = X Ω, then two power iterations Y = X (Xᵀ Y) sharpen the spectrum; Q is an orthonormal basis of Y.
  let y = new Float64Array(rows * l);
  for (const column of columns) {
    const omega = Array.from({ length: l }, gaussian);
    for (const [r, v] of column) for (let j = 0; j < l; j++) y[r * l + j]! += v * omega[j]!;
  }
  orthonormalize(y, rows, l);
  for (let iteration = 0; iteration < 2; iteration++) {
    const z = columns.map((column) => {
      const out = new Float64Array(l);
      for (const [r, v] of column) for (let j = 0; j < l; j++) out[j]! += v * y[r * l + j]!;
      return out;
    });
    const next = new Float64Array(rows * l);
    columns.forEach((column, c) => {
      const zc = z[c]!;
      for (const [r, v] of column) for (let j = 0; j < l; j++) next[r * l + j]! += v * zc[j]!;
    });
    orthonormalize(next, rows, l);
    y = next;
  }
  // B = Qᵀ X (l × texts); B Bᵀ = W Λ Wᵀ; the left singular vectors of X are Q W.
  const bbt = new Float64Array(l * l);
  for (const column of columns) {
    const b = new Float64Array(l);
    for (const [r, v] of column) for (let j = 0; j < l; j++) b[j]! += v * y[r * l + j]!;
    for (let i = 0; i < l; i++) for (let j = 0; j < l; j++) bbt[i * l + j]! += b[i]! * b[j]!;
  }
  const { vectors, values } = jacobiEigen(bbt, l);
  const order = [...values.keys()].sort((a, b) => values[b]! - values[a]!).slice(0, k);
  const u = new Float64Array(rows * k);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < k; j++) {
      let sum = 0;
      for (let i = 0; i < l; i++) sum += y[r * l + i]! * vectors[i * l + order[j]!]!;
      u[r * k + j] = sum;
    }
  }
  return u;
}

/** Modified Gram-Schmidt on the columns of a rows × cols row-major matrix, in place. */
function orthonormalize(m: Float64Array, rows: number, cols: number): void {
  for (let j = 0; j < cols; j++) {
    for (let p = 0; p < j; p++) {
      let dot = 0;
      for (let r = 0; r < rows; r++) dot += m[r * cols + j]! * m[r * cols + p]!;
      for (let r = 0; r < rows; r++) m[r * cols + j]! -= dot * m[r * cols + p]!;
    }
    let norm = 0;
    for (let r = 0; r < rows; r++) norm += m[r * cols + j]! ** 2;
    norm = Math.sqrt(norm) || 1;
    for (let r = 0; r < rows; r++) m[r * cols + j]! /= norm;
  }
}

/** Cyclic Jacobi eigen-decomposition of a symmetric n × n matrix; eigenvectors are the columns of `vectors`. */
function jacobiEigen(input: Float64Array, n: number): { vectors: Float64Array; values: number[] } {
  const a = Float64Array.from(input);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 50; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q]! ** 2;
    if (off < 1e-20) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * n + q]! - a[p * n + p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let r = 0; r < n; r++) {
          const arp = a[r * n + p]!;
          const arq = a[r * n + q]!;
          a[r * n + p] = c * arp - s * arq;
          a[r * n + q] = s * arp + c * arq;
        }
        for (let r = 0; r < n; r++) {
          const apr = a[p * n + r]!;
          const aqr = a[q * n + r]!;
          a[p * n + r] = c * apr - s * aqr;
          a[q * n + r] = s * apr + c * aqr;
        }
        for (let r = 0; r < n; r++) {
          const vrp = v[r * n + p]!;
          const vrq = v[r * n + q]!;
          v[r * n + p] = c * vrp - s * vrq;
          v[r * n + q] = s * vrp + c * vrq;
        }
      }
    }
  }
  return { vectors: v, values: Array.from({ length: n }, (_, i) => a[i * n + i]!) };
}
