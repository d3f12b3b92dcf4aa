// HashEmbedder: deterministic, offline feature hashing. NOT semantic; for tests and air-gapped smoke runs only.
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { EngineError } from '../errors.js';
import type { Embedder, EmbedderStatus } from '../types.js';
import { throwIfAborted } from './abort.js';
import { normalizeL2InPlace } from './l2-normalize.js';

export interface HashEmbedderOptions {
  /** Output dimension. @example 384 */
  dimension?: number;
  /** Character n-gram length, taken over each token padded with `<` and `>`. 0 disables n-grams. @example 3 */
  ngram?: number;
}

/** Bumped whenever the hashing changes, so generations built with an older scheme are told apart. */
const HASH_SCHEME_REVISION = 'fnv1a-w1-c3-v2';
const TOKEN_SEED = 0x811c9dc5;
const NGRAM_SEED = 0x01000193;
const EMPTY_FEATURE = '\u2205';
/** The event loop gets a turn at least this often while a large batch is hashed. */
const YIELD_EVERY_MS = 8;

/**
 * Feature hashing of lower-cased, NFKC-normalised, accent-stripped word tokens (weight 1 each) and the
 * character n-grams of each token (together as heavy as the token in L2, so long words do not dominate), into
 * `dimension` buckets with a hash-derived sign, then L2-normalised.
 *
 * Texts that share words or word pieces come out closer than texts that share none; synonyms do not.
 * Use it for tests and for air-gapped smoke runs, never for real retrieval quality.
 * @example const embedder = new HashEmbedder({ dimension: 384 });
 */
export class HashEmbedder implements Embedder {
  readonly id = 'hash';
  readonly dimension: number;
  readonly revision: string;
  readonly pooling = 'none';
  /** Feature hashing: vectors share dimensions with shared words, not with shared meaning. */
  readonly semantic = false;
  private readonly ngram: number;

  constructor(options: HashEmbedderOptions = {}) {
    const dimension = options.dimension ?? 384;
    const ngram = options.ngram ?? 3;
    if (!Number.isInteger(dimension) || dimension < 2 || dimension > 65536) {
      throw new EngineError(
        'INVALID_INPUT',
        `hash embedder dimension must be an integer in 2..65536, got ${dimension}`,
      );
    }
    if (!Number.isInteger(ngram) || ngram < 0 || ngram > 16) {
      throw new EngineError(
        'INVALID_INPUT',
        `hash embedder n-gram length must be an integer in 0..16, got ${ngram}`,
      );
    }
    this.dimension = dimension;
    this.ngram = ngram;
    this.revision = ngram === 3 ? HASH_SCHEME_REVISION : `${HASH_SCHEME_REVISION}-n${ngram}`;
  }

  async embedDocuments(texts: string[], signal?: AbortSignal): Promise<Float32Array[]> {
    throwIfAborted(signal);
    const vectors: Float32Array[] = [];
    let lastYield = performance.now();
    for (const text of texts) {
      vectors.push(this.embedSync(text));
      if (performance.now() - lastYield > YIELD_EVERY_MS) {
        await yieldToEventLoop();
        throwIfAborted(signal);
        lastYield = performance.now();
      }
    }
    return vectors;
  }

  async embedQuery(text: string, signal?: AbortSignal): Promise<Float32Array> {
    throwIfAborted(signal);
    return this.embedSync(text);
  }

  status(): EmbedderStatus {
    return { state: 'ready', progress: 1 };
  }

  prewarm(): void {}

  async close(): Promise<void> {}

  /** The vector of one text; synchronous because it is cheap (microseconds for a chunk). */
  embedSync(text: string): Float32Array {
    const vector = new Float32Array(this.dimension);
    const tokens = tokenize(text);
    if (tokens.length === 0) {
      addFeature(vector, hashRange(EMPTY_FEATURE, 0, EMPTY_FEATURE.length, TOKEN_SEED), 1);
    }
    for (const token of tokens) {
      addFeature(vector, hashRange(token, 0, token.length, TOKEN_SEED), 1);
      if (this.ngram > 0) this.addNgrams(vector, token);
    }
    normalizeL2InPlace(vector);
    return vector;
  }

  private addNgrams(vector: Float32Array, token: string): void {
    const padded = `<${token}>`;
    const n = Math.min(this.ngram, padded.length);
    const count = padded.length - n + 1;
    // Together a token's n-grams weigh as much (in L2) as the token itself, whatever its length.
    const weight = 1 / Math.sqrt(count);
    for (let start = 0; start < count; start++) {
      addFeature(vector, hashRange(padded, start, start + n, NGRAM_SEED), weight);
    }
  }
}

/** Lower-cased word tokens with accents stripped, so "Café" and "cafe" are the same feature. */
export function tokenize(text: string): string[] {
  const folded = text
    .normalize('NFKC')
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{M}+/gu, '');
  return folded.match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** Signed hashing: the sign bit cancels collisions on average instead of letting them pile up. */
function addFeature(vector: Float32Array, hash: number, weight: number): void {
  const mixed = fmix32(hash);
  const index = mixed % vector.length;
  vector[index] = (vector[index] as number) + (mixed & 0x80000000 ? -weight : weight);
}

/** FNV-1a over UTF-16 code units of text[start, end): no substring allocation in the hot loop. */
function hashRange(text: string, start: number, end: number, seed: number): number {
  let hash = seed >>> 0;
  for (let i = start; i < end; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** MurmurHash3's finaliser: spreads FNV's weak low bits before the modulo. */
function fmix32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
