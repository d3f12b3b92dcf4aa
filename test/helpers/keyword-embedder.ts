// A deterministic test embedder: each vocabulary word is one axis, so similarities are known by construction.
import type { Embedder, EmbedderStatus } from '../../src/engine/types.js';

export interface KeywordEmbedderOptions {
  id?: string;
  vocabulary?: string[];
  /** When set, embedQuery waits for this promise: lets a test hold a search in flight. */
  gate?: () => Promise<void>;
  state?: EmbedderStatus;
  /** Behave like a model not yet downloaded: dimension 0 and no revision until the first embed. */
  lazy?: boolean;
}

export const DEFAULT_VOCABULARY = [
  'cat',
  'dog',
  'fish',
  'bird',
  'car',
  'train',
  'plane',
  'boat',
  'apple',
  'banana',
  'cherry',
  'grape',
  'red',
  'green',
  'blue',
  'yellow',
];

export class KeywordEmbedder implements Embedder {
  readonly id: string;
  readonly pooling = 'keyword';
  calls = 0;
  private readonly vocabulary: string[];
  private readonly width: number;
  private loaded: boolean;

  constructor(private readonly options: KeywordEmbedderOptions = {}) {
    this.vocabulary = options.vocabulary ?? DEFAULT_VOCABULARY;
    this.id = options.id ?? 'keyword-test';
    // One extra axis keeps texts without vocabulary words from being zero vectors.
    this.width = this.vocabulary.length + 1;
    this.loaded = !options.lazy;
  }

  get dimension(): number {
    return this.loaded ? this.width : 0;
  }

  get revision(): string | undefined {
    return this.options.lazy && this.loaded ? 'sha256:lazy' : undefined;
  }

  embed(text: string): Float32Array {
    this.loaded = true;
    const v = new Float32Array(this.width);
    for (const word of text.toLowerCase().match(/[a-z]+/g) ?? []) {
      const axis = this.vocabulary.indexOf(word);
      if (axis >= 0) v[axis]! += 1;
    }
    v[this.width - 1] = 0.01;
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
