// Generated KBs for fusion calibration tests: made-up words, and an embedder whose vectors mean nothing.
import { mulberry32 } from '../../src/engine/search/calibration.js';
import type { ChunkInput, Embedder, EmbedderStatus } from '../../src/engine/types.js';

/** Vectors that depend on the text but mean nothing: a seeded random direction per distinct text. */
export class NoiseEmbedder implements Embedder {
  readonly id = 'noise-test';
  readonly pooling = 'noise';
  readonly dimension = 32;
  embed(text: string): Float32Array {
    let seed = 7;
    for (const ch of text) seed = Math.imul(seed ^ ch.charCodeAt(0), 0x01000193);
    const random = mulberry32(seed);
    return Float32Array.from({ length: this.dimension }, () => random() * 2 - 1);
  }
  embedDocuments(texts: string[]): Promise<Float32Array[]> {
    return Promise.resolve(texts.map((t) => this.embed(t)));
  }
  embedQuery(text: string): Promise<Float32Array> {
    return Promise.resolve(this.embed(text));
  }
  status(): EmbedderStatus {
    return { state: 'ready' };
  }
}

/** Made-up words (letters only, so the keyword embedder sees them) and chunks of two 8-word sentences. */
export function corpus(count: number, seed = 3): { chunks: ChunkInput[]; vocabulary: string[] } {
  const random = mulberry32(seed);
  const syllables = ['ka', 'lo', 'mi', 'ne', 'tu', 'ra', 'so', 'vi', 'pe', 'du', 'go', 'ze'];
  const vocabulary = [
    ...new Set(
      Array.from({ length: 500 }, () =>
        Array.from({ length: 3 }, () => syllables[Math.floor(random() * syllables.length)]).join(''),
      ),
    ),
  ];
  const sentence = () =>
    Array.from({ length: 8 }, () => vocabulary[Math.floor(random() * vocabulary.length)]).join(' ') + '.';
  const chunks = Array.from({ length: count }, (_, i) => ({
    chunkId: `c${i}`,
    documentId: `d${i}`,
    content: `${sentence()} ${sentence()}`,
  }));
  return { chunks, vocabulary };
}
