// The shaping stage of a search: what text each hit carries (content mode) and fitting the hits into a token
// budget, trimming content to its best-matching passage before dropping results.
import { estimateTokens } from '../token-estimate.js';
import type { BudgetReport, ContentMode, Embedder, SearchHit } from '../types.js';
import { makeSnippet } from './snippet.js';

/** Counts tokens of many texts at once, and says with what. */
export interface TokenCounter {
  countedWith: BudgetReport['countedWith'];
  count(texts: string[]): Promise<number[]>;
}

/**
 * The embedding model's tokenizer when the model is loaded (a search never waits for a model to load just to
 * count), else estimateTokens. A tokenizer that fails falls back to the estimate for that call.
 */
export function tokenCounterFor(embedder: Embedder | undefined): TokenCounter {
  const estimate: TokenCounter = {
    countedWith: 'estimate',
    count: (texts) => Promise.resolve(texts.map(estimateTokens)),
  };
  if (!embedder?.countTokens || embedder.status().state !== 'ready') return estimate;
  return {
    countedWith: 'model',
    count: (texts) => embedder.countTokens!(texts).catch(() => estimate.count(texts)),
  };
}

/** Smallest passage (in tokens) content is trimmed to: below this a snippet already says as much. */
export const MIN_PASSAGE_TOKENS = 48;

/** Applies the content mode: `snippet` drops the content, `none` both content and snippet. */
export function withContentMode(hit: SearchHit, mode: ContentMode): SearchHit {
  if (mode === 'full') return hit;
  return { ...hit, content: null, snippet: mode === 'none' ? null : hit.snippet };
}

/**
 * What a hit costs an agent besides its content: its snippet, citation, metadata, ids and scores, counted on
 * the JSON of those fields (field names and punctuation are tokens too).
 */
function frameText(hit: SearchHit): string {
  const { content: _content, ...rest } = hit;
  return JSON.stringify(rest);
}

/**
 * Fits `hits` (best first) into `maxTokens`. When they do not fit as they are, each content longer than an
 * equal share of the budget is cut to its best-matching passage (makeSnippet around the query terms, at least
 * MIN_PASSAGE_TOKENS); then the lowest-ranked results are dropped until the rest fit.
 */
export async function fitBudget(
  hits: SearchHit[],
  maxTokens: number,
  query: string | undefined,
  counter: TokenCounter,
): Promise<{ hits: SearchHit[]; budget: BudgetReport }> {
  const frames = await counter.count(hits.map(frameText));
  let contents = await counter.count(hits.map((h) => h.content ?? ''));
  const shaped = [...hits];
  const total = () => shaped.reduce((sum, _h, i) => sum + frames[i]! + contents[i]!, 0);
  if (total() > maxTokens && shaped.length > 0) {
    const share = Math.floor(maxTokens / shaped.length);
    const targets = shaped.map((_h, i) => Math.max(MIN_PASSAGE_TOKENS, share - frames[i]!));
    const cut = await Promise.all(
      shaped.map(async (hit, i) => {
        if (hit.content === null || contents[i]! <= targets[i]!) return undefined;
        return trimToTokens(hit.content, contents[i]!, targets[i]!, query, counter);
      }),
    );
    cut.forEach((passage, i) => {
      if (passage === undefined) return;
      shaped[i] = { ...shaped[i]!, content: passage.text, trimmed: true };
    });
    contents = contents.map((n, i) => cut[i]?.tokens ?? n);
  }
  let dropped = 0;
  while (shaped.length > 0 && total() > maxTokens) {
    shaped.pop();
    dropped++;
  }
  // Trimmed results that were dropped afterwards do not count as trimmed.
  const trimmed = shaped.filter((h) => h.trimmed === true).length;
  return {
    hits: shaped,
    budget: { maxTokens, usedTokens: total(), countedWith: counter.countedWith, trimmed, dropped },
  };
}

/**
 * The best-matching passage of `content` within `target` tokens: a window sized by the content's own
 * characters-per-token, narrowed until the counter agrees (a few rounds at most).
 */
async function trimToTokens(
  content: string,
  tokens: number,
  target: number,
  query: string | undefined,
  counter: TokenCounter,
): Promise<{ text: string; tokens: number }> {
  let chars = Math.max(1, Math.floor((content.length * target) / tokens));
  let text = makeSnippet(content, query, chars);
  let [count] = await counter.count([text]);
  for (let round = 0; round < 4 && count! > target; round++) {
    chars = Math.max(1, Math.floor((chars * target) / count! - 1));
    text = makeSnippet(content, query, chars);
    [count] = await counter.count([text]);
  }
  return { text, tokens: count! };
}
