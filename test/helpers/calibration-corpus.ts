// Generated KBs for fusion calibration tests: made-up words, and an embedder whose vectors mean nothing.
import { mulberry32 } from '../../src/engine/search/draw-probes.js';
import type { ChunkInput, Embedder, EmbedderStatus } from '../../src/engine/types.js';

/** An embedder whose vectors are computed at once from each text by `embed`. */
abstract class ComputedEmbedder implements Embedder {
  abstract readonly id: string;
  abstract readonly dimension: number;
  abstract embed(text: string): Float32Array;
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

/** Vectors that depend on the text but mean nothing: a seeded random direction per distinct text. */
export class NoiseEmbedder extends ComputedEmbedder {
  readonly id = 'noise-test';
  readonly pooling = 'noise';
  readonly dimension = 32;
  embed(text: string): Float32Array {
    let seed = 7;
    for (const ch of text) seed = Math.imul(seed ^ ch.charCodeAt(0), 0x01000193);
    const random = mulberry32(seed);
    return Float32Array.from({ length: this.dimension }, () => random() * 2 - 1);
  }
}

/**
 * Made-up words (letters only, so the keyword embedder sees them) and chunks of two 8-word sentences. Each chunk
 * has a topic of three words that both its sentences use (and five random words each), so a sentence held out
 * of a chunk still shares words with the rest of it, as sentences of one passage do.
 */
export function corpus(
  count: number,
  seed = 3,
  /** False: no topic, every word random, so one sentence of a chunk says nothing about the other. */
  topical = true,
): { chunks: ChunkInput[]; vocabulary: string[] } {
  const random = mulberry32(seed);
  const syllables = ['ka', 'lo', 'mi', 'ne', 'tu', 'ra', 'so', 'vi', 'pe', 'du', 'go', 'ze'];
  const vocabulary = [
    ...new Set(
      Array.from({ length: 500 }, () =>
        Array.from({ length: 3 }, () => syllables[Math.floor(random() * syllables.length)]).join(''),
      ),
    ),
  ];
  const word = () => vocabulary[Math.floor(random() * vocabulary.length)]!;
  const sentence = (topic: string[]) => {
    const words = [...topic, ...Array.from({ length: 5 }, word)];
    for (let i = words.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [words[i], words[j]] = [words[j]!, words[i]!];
    }
    return `${words.join(' ')}.`;
  };
  const chunks = Array.from({ length: count }, (_, i) => {
    const topic = [word(), word(), word()];
    const second = topical ? topic : [word(), word(), word()];
    return { chunkId: `c${i}`, documentId: `d${i}`, content: `${sentence(topic)} ${sentence(second)}` };
  });
  return { chunks, vocabulary };
}

/** Concepts of two synonyms each, chunk identifiers, and filler words, for conceptCorpus and ConceptEmbedder. */
export interface ConceptCorpus {
  chunks: ChunkInput[];
  /** concepts[c] = the two words that mean concept c. */
  concepts: string[][];
  /**
   * Judged questions, one per chunk: its three concepts, each by a synonym drawn afresh, its identifier one
   * time in two, and two filler words. Answer: that chunk.
   */
  questions: Array<{ text: string; chunkId: string }>;
}

/**
 * A KB where each side knows something the other does not. Each chunk is about three concepts, and each time
 * it names one it picks either of the concept's two synonyms; it also has an identifier of its own (a made-up
 * word no other chunk uses) that most of its sentences carry. BM25 matches identifiers and same-spelled
 * synonyms only; ConceptEmbedder sees every synonym of a concept as one thing but no identifiers.
 */
/** Concepts in a concept corpus: few enough that many chunks share two or three, so meaning alone cannot pinpoint one. */
const CONCEPTS = 12;
/** How often a sentence of a concept chunk carries the chunk's identifier. */
const IDENTIFIER_SHARE = 0.9;

export function conceptCorpus(count: number, seed = 5): ConceptCorpus {
  const random = mulberry32(seed);
  const syllables = ['ba', 'de', 'fi', 'ho', 'ju', 'ki', 'ma', 'no', 'pu', 'ri', 'sa', 'te', 'vo', 'wy'];
  const made = (n: number) =>
    Array.from({ length: n }, () => syllables[Math.floor(random() * syllables.length)]).join('');
  const words = [...new Set(Array.from({ length: 2000 }, () => made(3)))];
  const concepts = Array.from({ length: CONCEPTS }, (_, c) => [words[2 * c]!, words[2 * c + 1]!]);
  const fillers = words.slice(120, 420);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const shuffled = (words: string[]) => {
    for (let k = words.length - 1; k > 0; k--) {
      const j = Math.floor(random() * (k + 1));
      [words[k], words[j]] = [words[j]!, words[k]!];
    }
    return words.join(' ');
  };
  const questions: ConceptCorpus['questions'] = [];
  const chunks = Array.from({ length: count }, (_, i) => {
    const topic = [pick(concepts), pick(concepts), pick(concepts)];
    const identifier = `${made(4)}${'abcdefghij'[i % 10]}${'abcdefghij'[Math.floor(i / 10) % 10]}`;
    const sentence = () => {
      const named = [...topic.map((c) => pick(c)), ...(random() < IDENTIFIER_SHARE ? [identifier] : [])];
      return `${shuffled([...named, ...Array.from({ length: 8 - named.length }, () => pick(fillers))])}.`;
    };
    const content = `${sentence()} ${sentence()}`;
    const asked = [...topic.map((c) => pick(c)), ...(random() < 0.5 ? [identifier] : [])];
    questions.push({ text: shuffled([...asked, pick(fillers), pick(fillers)]), chunkId: `c${i}` });
    return { chunkId: `c${i}`, documentId: `d${i}`, content };
  });
  return { chunks, concepts, questions };
}

/** One axis per concept: a word's synonyms land on the same axis; identifiers and fillers are not seen. */
export class ConceptEmbedder extends ComputedEmbedder {
  readonly id = 'concept-test';
  readonly pooling = 'concept';
  readonly dimension: number;
  private readonly axis = new Map<string, number>();
  constructor(concepts: readonly string[][]) {
    super();
    concepts.forEach((words, c) => words.forEach((w) => this.axis.set(w, c)));
    this.dimension = concepts.length + 1;
  }
  embed(text: string): Float32Array {
    const v = new Float32Array(this.dimension);
    v[this.dimension - 1] = 0.01;
    for (const word of text.toLowerCase().match(/[a-z]+/g) ?? []) {
      const c = this.axis.get(word);
      if (c !== undefined) v[c]! += 1;
    }
    const norm = Math.hypot(...v);
    return v.map((x) => x / norm);
  }
}
