// The token estimate used where no model tokenizer is at hand (chunk sizing, search result budgets).

/**
 * The larger of chars / 4 and words × 4 / 3. BPE and WordPiece vocabularies average about 4 characters or
 * 0.75 words per token on English prose; taking the larger keeps code and identifiers (few spaces, many
 * symbols) from being undercounted.
 */
export function estimateTokens(text: string): number {
  let words = 0;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const space = text.charCodeAt(i) <= 32;
    if (!space && !inWord) words++;
    inWord = !space;
  }
  return Math.ceil(Math.max(text.length / 4, (words * 4) / 3));
}
