// A deterministic test embedder: each vocabulary word is one axis, so similarities are known by construction.
import type { Embedder, EmbedderStatus } from '../../src/engine/types.js';

export interface KeywordEmbedderOptions {
  id?: string;
  vocabulary?: string[];
  /** When set, embedQuery waits for this promise: lets a test hold a search in flight. */
  gate?: () => Promise<void>;
  state?: EmbedderStatus;
}

export const DEFAULT_VOCABULARY = [
  'cat', 'dog', 'fish', 'bird', 'car', 'train', 'plane', 'boat',
  'apple', 'banana', 'cherry', 'grape', 'red', 'green', 'blue', 'yellow',
];

export class KeywordEmbedder implements Embedder {
  readonly id: string;
  readonly dimension: number;
  readonly pooling = 'keyword';
  calls = 0;
  private readonly vocabulary: string[];

  constructor(private readonly options: KeywordEmbedderOptions = {}) {
    this.vocabulary = options.vocabulary ?? DEFAULT_VOCABULARY;
    this.id = options.id ?? 'keyword-test';
    // One extra axis keeps texts without vocabulary words from being zero vectors.
    this.dimension = this.vocabulary.length + 1;
  }

  embed(text: string): Float32Array {
    const v = new Float32Array(this.dimension);
    for (const word of text.toLowerCase().match(/[a-z]+/g) ?? []) {
      const axis = this.vocabulary.indexOf(word);
      if (axis >= 0) v[axis]! += 1;
    }
    v[this.dimension - 1] = 0.01;
    const norm = Math.hypot(...v);
    return v.map((x) => x / norm);
  }

  async embedDocuments(texts: string[]): Promise<Float32Array[]> {
    this.calls++;
    return texts.map((t) => this.embed(t));
  }

  async embedQuery(text: string): Promise<Float32Array> {
    this.calls++;
    await this.options.gate?.();
    return this.embed(text);
  }

  status(): EmbedderStatus {
    return this.options.state ?? { state: 'ready' };
  }
}
