// Query-centred excerpts of chunk content for search results.

/** The mark placed where the excerpt cuts the text; it counts towards the length limit. */
export const ELLIPSIS = '…';
/** Query terms considered (the first ones, deduplicated); more would not change a 300-character window. */
const MAX_TERMS = 32;
/** Matches considered; enough to find the densest window in any realistic chunk. */
const MAX_MATCHES = 5000;
/** Letters (with their combining marks) and digits: what a query term is made of. */
const TERM = /[\p{L}\p{N}][\p{L}\p{M}\p{N}]*/gu;
/** Scripts written without spaces between words: a term may start anywhere inside a run of them. */
const UNSPACED =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;

interface Match {
  start: number;
  end: number;
  term: number;
}

/**
 * An excerpt of `content` of at most `maxChars` UTF-16 code units (so also at most `maxChars` characters),
 * whitespace collapsed, centred on the window that contains the most distinct query terms (then the most
 * matches, then the earliest). Terms match case-insensitively at the start of a word (`index` finds
 * "indexes"), or anywhere in scripts written without spaces (Chinese, Japanese, Thai…). Cuts fall on word
 * boundaries when the words allow it and are marked with `…`. Without a query or a match, the excerpt is
 * the beginning of the text.
 * @example makeSnippet(chunk.content, 'promotion epoch', 300)
 */
export function makeSnippet(content: string, query: string | undefined, maxChars = 300): string {
  const text = content.replace(/\s+/gu, ' ').trim();
  const limit = Number.isFinite(maxChars) ? Math.max(0, Math.floor(maxChars)) : 300;
  if (text.length <= limit) return text;
  if (limit < 3) return text.slice(0, safeEnd(text, limit));

  const focus = bestFocus(findMatches(text, query ?? ''), limit - 2);
  // Centre a window of `limit - 2` on the focus, leaving room for two ellipses.
  let start = Math.max(
    0,
    Math.min(text.length - (limit - 1), Math.floor((focus.start + focus.end - limit + 2) / 2)),
  );
  if (start <= 1) start = 0;
  if (start > 0 && !/\s/u.test(text[start - 1]!)) {
    // Mid-word: begin at the next word instead, unless that would cut into the focus.
    const space = text.indexOf(' ', start);
    if (space !== -1 && space < focus.start) start = space + 1;
  }
  start = safeStart(text, start);
  const room = limit - (start > 0 ? 1 : 0);
  let end = text.length - start <= room ? text.length : start + room - 1;
  if (end < text.length && !/\s/u.test(text[end]!)) {
    const space = text.lastIndexOf(' ', end - 1);
    if (space > start && space >= focus.end) end = space;
  }
  end = safeEnd(text, end);
  const excerpt = text.slice(start, end).trim();
  return (start > 0 ? ELLIPSIS : '') + excerpt + (end < text.length ? ELLIPSIS : '');
}

/**
 * Every occurrence of every distinct query term, in text order. The word-start condition is checked on the
 * character before each match rather than compiled into each term's pattern: a lookbehind over Unicode
 * property classes costs ~1 ms to compile per term (case-folding the classes), which made snippets most of a
 * lexical search's time. A match rejected here cannot hide a valid one: its characters are all letters,
 * marks or digits, so no position inside it starts a word.
 */
function findMatches(text: string, query: string): Match[] {
  const terms = [...new Set((query.match(TERM) ?? []).map((t) => t.toLowerCase()))].slice(0, MAX_TERMS);
  if (ASCII.test(text) && terms.every((t) => ASCII.test(t))) return findAsciiMatches(text, terms);
  const matches: Match[] = [];
  terms.forEach((term, index) => {
    const anywhere = UNSPACED.test(term);
    for (const m of text.matchAll(termPattern(term))) {
      if (matches.length >= MAX_MATCHES) break;
      if (!anywhere && WORD_CHAR_BEFORE.test(text.slice(Math.max(0, m.index - 2), m.index))) continue;
      matches.push({ start: m.index, end: m.index + m[0].length, term: index });
    }
  });
  return matches.sort((a, b) => a.start - b.start || a.end - b.end);
}

/**
 * findMatches for ASCII text and terms, where case-insensitive matching is exactly lower-casing and a word
 * character is a letter or digit: indexOf instead of a regular expression per term (several times faster).
 */
function findAsciiMatches(text: string, terms: readonly string[]): Match[] {
  const lower = text.toLowerCase();
  const matches: Match[] = [];
  terms.forEach((term, index) => {
    for (let at = lower.indexOf(term); at !== -1; at = lower.indexOf(term, at + term.length)) {
      if (matches.length >= MAX_MATCHES) break;
      if (at > 0 && isAsciiWordChar(lower.charCodeAt(at - 1))) continue;
      matches.push({ start: at, end: at + term.length, term: index });
    }
  });
  return matches.sort((a, b) => a.start - b.start || a.end - b.end);
}

const ASCII = /^[\x00-\x7f]*$/;

/** 0-9, a-z (the text is lower-cased). */
function isAsciiWordChar(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 97 && code <= 122);
}

/** A letter, mark or digit (a whole surrogate pair counts as one) at the end of the text tested. */
const WORD_CHAR_BEFORE = /[\p{L}\p{M}\p{N}]$/u;

/** A term as a case-insensitive pattern (cheap to compile: no property classes). */
function termPattern(term: string): RegExp {
  return new RegExp(term.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'giu');
}

/** The span from the first to the last match of the best window no wider than `width`. */
function bestFocus(matches: Match[], width: number): { start: number; end: number } {
  let best = { distinct: 0, count: 0, start: 0, end: 0 };
  const counts = new Map<number, number>();
  let j = 0;
  for (let i = 0; i < matches.length; i++) {
    const first = matches[i]!;
    if (j <= i) j = i; // everything before i has left the window
    // Grow the window [i, j) while the next match still ends within `width` of the first one's start.
    while (j < matches.length && matches[j]!.end - first.start <= width) {
      counts.set(matches[j]!.term, (counts.get(matches[j]!.term) ?? 0) + 1);
      j++;
    }
    if (j === i) continue; // this match alone is wider than the window
    const count = j - i;
    if (counts.size > best.distinct || (counts.size === best.distinct && count > best.count)) {
      let end = 0;
      for (let k = i; k < j; k++) end = Math.max(end, matches[k]!.end);
      best = { distinct: counts.size, count, start: first.start, end };
    }
    const left = counts.get(first.term)! - 1;
    if (left === 0) counts.delete(first.term);
    else counts.set(first.term, left);
  }
  if (best.distinct === 0 && matches.length > 0) {
    const m = matches[0]!;
    return { start: m.start, end: Math.min(m.end, m.start + width) };
  }
  return best;
}

/** Moves a start index off the second half of a surrogate pair. */
function safeStart(text: string, index: number): number {
  return /[\uDC00-\uDFFF]/.test(text[index] ?? '') && index > 0 ? index + 1 : index;
}

/** Moves an end index back so that it does not split a surrogate pair. */
function safeEnd(text: string, index: number): number {
  return /[\uD800-\uDBFF]/.test(text[index - 1] ?? '') ? index - 1 : index;
}
