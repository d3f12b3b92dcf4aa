// makeSnippet: length bound, centring on the densest window of query terms, word-boundary cuts, unicode.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ELLIPSIS, makeSnippet } from '../../../src/engine/search/snippet.js';

const filler = (n: number, word = 'lorem') => Array.from({ length: n }, (_, i) => `${word}${i}`).join(' ');
const inner = (snippet: string) => snippet.replace(/^…/u, '').replace(/…$/u, '');

/** Checks that the excerpt is a piece of the text cut between words, with ellipses exactly where it was cut. */
function expectCleanCut(text: string, snippet: string) {
  const body = inner(snippet);
  const at = text.indexOf(body);
  expect(at).toBeGreaterThanOrEqual(0);
  expect(snippet.startsWith(ELLIPSIS)).toBe(at > 0);
  expect(snippet.endsWith(ELLIPSIS)).toBe(at + body.length < text.length);
  if (at > 0) expect(text[at - 1]).toBe(' ');
  if (at + body.length < text.length) expect(text[at + body.length]).toBe(' ');
}

describe('makeSnippet', () => {
  it('returns short content whole, with whitespace collapsed', () => {
    expect(makeSnippet('  A short\n\n chunk\tof text. ', 'chunk')).toBe('A short chunk of text.');
    expect(makeSnippet('', 'x')).toBe('');
  });

  it('returns the beginning, cut at a word, without a query or without a match', () => {
    const text = filler(100);
    for (const query of [undefined, '', 'absent', '  ,;! ']) {
      const snippet = makeSnippet(text, query);
      expect(snippet.startsWith('lorem0 lorem1')).toBe(true);
      expect(snippet.endsWith(ELLIPSIS)).toBe(true);
      expect(snippet.length).toBeLessThanOrEqual(300);
      expect(snippet.length).toBeGreaterThan(280);
      expectCleanCut(text, snippet);
    }
  });

  it('centres the excerpt on a match in the middle', () => {
    const text = `${filler(200)} the needle is here ${filler(200, 'ipsum')}`;
    const snippet = makeSnippet(text, 'NEEDLE');
    expect(snippet.length).toBeLessThanOrEqual(300);
    expect(snippet.startsWith(ELLIPSIS) && snippet.endsWith(ELLIPSIS)).toBe(true);
    const centre = snippet.indexOf('needle') + 'needle'.length / 2;
    expect(Math.abs(centre - snippet.length / 2)).toBeLessThan(15);
    expectCleanCut(text, snippet);
  });

  it('shifts the window instead of overflowing at either end', () => {
    const early = `needle ${filler(100)}`;
    expect(makeSnippet(early, 'needle').startsWith('needle ')).toBe(true);
    const late = `${filler(100)} needle`;
    const snippet = makeSnippet(late, 'needle');
    expect(snippet.endsWith(' needle')).toBe(true);
    expect(snippet.startsWith(ELLIPSIS)).toBe(true);
    expect(snippet.length).toBeLessThanOrEqual(300);
    expectCleanCut(late, snippet);
  });

  it('prefers the window holding the most distinct query terms', () => {
    const text = `alpha ${filler(100)} alpha ${filler(100, 'x')} alpha beta gamma ${filler(100, 'y')} beta`;
    const snippet = makeSnippet(text, 'alpha beta gamma');
    expect(snippet).toContain('alpha beta gamma');
    expect(snippet).toContain('x99');
    expectCleanCut(text, snippet);
  });

  it('matches at word starts, case-insensitively, not inside words', () => {
    const text = `${filler(100)} concatenate ${filler(100, 'x')} Catalogue ${filler(100, 'y')}`;
    expect(makeSnippet(text, 'cat')).toContain('Catalogue');
    expect(makeSnippet(text, 'cat')).not.toContain('concatenate');
  });

  it('treats letters, marks and digits before a match alike in ASCII and non-ASCII text', () => {
    // ASCII text takes an indexOf path, other text a regular expression: both must reject the same starts.
    for (const tail of ['', ' é']) {
      const text = `${filler(100)} 9cat écat cafe\u0301cat ${filler(100, 'x')} -CAT ${filler(100, 'y')}${tail}`;
      const snippet = makeSnippet(text, 'Cat');
      expect(snippet).toContain('-CAT');
      expect(snippet).not.toContain('9cat');
    }
  });

  it('tokenises unicode queries and matches unspaced scripts anywhere', () => {
    const german = `${filler(100)} Über die Brücke ${filler(100, 'x')}`;
    expect(makeSnippet(german, 'über brücke')).toContain('Über die Brücke');
    const japanese = `${'あ'.repeat(400)}東京都に住む${'い'.repeat(400)}`;
    const snippet = makeSnippet(japanese, '東京');
    expect(snippet).toContain('東京都');
    expect(snippet.length).toBeLessThanOrEqual(300);
  });

  it('honours a custom maxChars and cuts an endless word', () => {
    const text = `${filler(50)} needle ${filler(50)}`;
    const snippet = makeSnippet(text, 'needle', 60);
    expect(snippet.length).toBeLessThanOrEqual(60);
    expect(snippet).toContain('needle');
    expectCleanCut(text, snippet);
    const endless = 'a'.repeat(1000);
    expect(makeSnippet(endless, 'b')).toBe(`${'a'.repeat(299)}${ELLIPSIS}`);
    expect(makeSnippet(endless, 'x', 2)).toBe('aa');
  });

  it('never splits a surrogate pair', () => {
    const text = '😀'.repeat(400);
    const snippet = makeSnippet(text, undefined);
    expect(snippet.length).toBeLessThanOrEqual(300);
    expect(/\p{Surrogate}/u.test(snippet)).toBe(false);
  });

  it('stays within maxChars and within the text for any content and query', () => {
    const word = fc.oneof(
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }),
      fc.constantFrom('needle', 'Needle', 'é', '😀😀', '東京', 'x'.repeat(80)),
    );
    const content = fc
      .tuple(fc.array(word, { maxLength: 200 }), fc.constantFrom(' ', '\n', '  '))
      .map(([words, separator]) => words.join(separator));
    const query = fc.option(
      fc.array(word, { maxLength: 4 }).map((w) => w.join(' ')),
      { nil: undefined },
    );
    fc.assert(
      fc.property(content, query, fc.integer({ min: 3, max: 400 }), (text, q, max) => {
        const snippet = makeSnippet(text, q, max);
        expect(snippet.length).toBeLessThanOrEqual(max);
        expect([...snippet].length).toBeLessThanOrEqual(max);
        expect(/\p{Surrogate}/u.test(snippet)).toBe(false);
        expect(text.replace(/\s+/gu, ' ')).toContain(inner(snippet));
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(content, query, (text, q) => {
        expect(makeSnippet(text, q).length).toBeLessThanOrEqual(300);
      }),
      { numRuns: 300 },
    );
  });
});
