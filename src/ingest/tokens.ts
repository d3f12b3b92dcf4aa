// Token counting for chunk sizes: the embedder's tokenizer when one is given, else a documented estimate.

import { estimateTokens } from '../engine/token-estimate.js';

/** Counts tokens of a text. */
export type TokenCounter = (text: string) => number;

/** Estimate used when no tokenizer is at hand (engine/token-estimate.ts says how). */
export { estimateTokens };

/** Counts many texts at once with a real tokenizer (the embedder's). */
export type BatchTokenize = (texts: string[]) => Promise<number[]>;

/**
 * A document's counter from one tokenizer call: each distinct whitespace-separated word of `texts` is counted
 * once, and a text counts as the sum of its words. That is the tokenizer's own count for vocabularies that
 * split at whitespace first (WordPiece, and SentencePiece/BPE up to the space marker). A word the chunker
 * cuts out of an over-long line was not in the batch and falls back to the estimate.
 */
export async function documentTokenCounter(
  texts: readonly string[],
  tokenize: BatchTokenize,
): Promise<TokenCounter> {
  const words = new Set<string>();
  for (const text of texts) for (const word of text.split(WHITESPACE)) if (word) words.add(word);
  const list = [...words];
  const counts = list.length > 0 ? await tokenize(list) : [];
  const byWord = new Map(list.map((word, i) => [word, counts[i] ?? estimateTokens(word)]));
  return (text) => {
    let tokens = 0;
    for (const word of text.split(WHITESPACE)) if (word) tokens += byWord.get(word) ?? estimateTokens(word);
    return tokens;
  };
}

const WHITESPACE = /\s+/;
