// validateKbName, validateChunks and assertChunksValid: every rule, the error message and its details.
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_LIMITS,
  assertChunksValid,
  validateChunks,
  validateKbName,
} from '../../src/engine/validation.js';
import { EngineError } from '../../src/engine/errors.js';
import type { EngineLimits } from '../../src/engine/types.js';

const LIMITS: EngineLimits = {
  ...DEFAULT_LIMITS,
  maxIdLength: 10,
  maxContentBytes: 20,
  maxMetadataBytes: 60,
  maxMetadataDepth: 3,
  maxChunksPerCall: 5,
};
const good = (i: number, extra: Record<string, unknown> = {}) => ({
  chunkId: `c${i}`,
  documentId: 'd',
  content: 'some text',
  ...extra,
});
const reasons = (chunks: unknown[], limits = LIMITS) => validateChunks(chunks, limits).problems;

function thrown(fn: () => unknown): EngineError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(EngineError);
    return error as EngineError;
  }
  throw new Error('expected a throw');
}

describe('validateKbName', () => {
  it.each(['a', 'docs', 'team_wiki-2', '0abc', 'a'.repeat(64)])('accepts %s', (name) => {
    expect(validateKbName(name)).toBe(name);
  });

  it.each<[string, unknown]>([
    ['a path', '../x'],
    ['a space and capitals', 'A B'],
    ['empty', ''],
    ['65 characters', 'a'.repeat(65)],
    ['a leading dash', '-a'],
    ['a leading underscore', '_a'],
    ['a slash', 'a/b'],
    ['a dot', 'a.b'],
    ['unicode', 'café'],
    ['a trailing newline', 'a\n'],
    ['a number', 5],
    ['undefined', undefined],
  ])('rejects %s with the rule', (_name, value) => {
    const error = thrown(() => validateKbName(value));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toMatch(
      /^invalid knowledge base name .*: use 1-64 characters of lowercase letters a-z, digits, "_" and "-", starting with a letter or digit \(\^\[a-z0-9\]\[a-z0-9_-\]\{0,63\}\$\)/,
    );
  });

  it('suggests the valid name a person most likely meant', () => {
    expect(thrown(() => validateKbName('Docs')).message).toMatch(/\. Did you mean "docs"\?$/);
    expect(thrown(() => validateKbName('Team Wiki')).message).toContain('Did you mean "team-wiki"?');
    expect(thrown(() => validateKbName('!!!')).message).not.toContain('Did you mean');
  });

  it('quotes the rejected name', () => {
    expect(thrown(() => validateKbName('../x')).message).toContain('"../x"');
    expect(thrown(() => validateKbName('a\n')).message).toContain('"a\\n"');
  });
});

describe('validateChunks', () => {
  it('accepts good chunks with every optional field', () => {
    const full = good(0, {
      metadata: { lang: 'en', n: 1.5, ok: true, none: null, tags: ['a', 1], nested: { 'my-key': 'v' } },
      embedding: Float32Array.from([0.1, 0.2]),
      title: 'T',
      sourcePath: null,
      license: 'MIT',
      version: undefined,
      anchor: '#a',
      pageNumber: 0,
    });
    expect(
      reasons([full, good(1, { embedding: [1, 2], pageNumber: null }), good(2)], DEFAULT_LIMITS),
    ).toEqual([]);
    expect(reasons([])).toEqual([]);
  });

  it('accepts paired surrogates, U+FEFF after the first character and keys named like Object methods', () => {
    const chunk = good(0, {
      chunkId: 'emoji-\u{1F600}\ufeff',
      content: 'a\ufeffb \u{1F600}',
      title: '\u{1D11E}',
      metadata: { constructor: 1, toString: '\ufeffx', hasOwnProperty: ['\u{1F600}'] },
    });
    expect(reasons([chunk], DEFAULT_LIMITS)).toEqual([]);
  });

  it.each<[string, unknown, RegExp]>([
    ['a non-object', 'text', /^not a chunk object \(got the string "text"\)$/],
    ['null', null, /not a chunk object \(got null\)/],
    ['an array', [], /not a chunk object \(got an array\)/],
    ['a class instance', new Date(0), /not a chunk object \(got a Date object\)/],
    [
      'a missing chunkId',
      { documentId: 'd', content: 'x' },
      /^chunkId must be a non-empty string, got undefined$/,
    ],
    ['an empty chunkId', good(0, { chunkId: '' }), /^chunkId must be a non-empty string, got an empty one$/],
    ['a blank documentId', good(0, { documentId: '  ' }), /^documentId must be a non-empty string/],
    ['a numeric documentId', good(0, { documentId: 7 }), /^documentId must be a non-empty string, got 7$/],
    [
      'a long chunkId',
      good(0, { chunkId: 'x'.repeat(11) }),
      /^chunkId is 11 characters long; the limit is 10$/,
    ],
    [
      'a lone surrogate in an id',
      good(0, { chunkId: 'a\ud800' }),
      /chunkId contains an unpaired UTF-16 surrogate/,
    ],
    [
      'a leading byte order mark in a documentId',
      good(0, { documentId: '\ufeffd' }),
      /^documentId starts with U\+FEFF \(a byte order mark\), which would be lost on reading: remove it$/,
    ],
    [
      'a lone surrogate in content',
      good(0, { content: 'text \ud800 more' }),
      /^content contains an unpaired UTF-16 surrogate, which UTF-8 cannot store$/,
    ],
    [
      'a leading byte order mark in content',
      good(0, { content: '\ufefftext' }),
      /^content starts with U\+FEFF/,
    ],
    [
      'a lone surrogate in a title',
      good(0, { title: 't\udc00' }),
      /^title contains an unpaired UTF-16 surrogate/,
    ],
    [
      'a leading byte order mark in a sourcePath',
      good(0, { sourcePath: '\ufeffa.md' }),
      /^sourcePath starts with U\+FEFF/,
    ],
    ['missing content', { chunkId: 'c', documentId: 'd' }, /^content must be a string, got undefined$/],
    ['empty content', good(0, { content: '' }), /^content is empty; a chunk needs text to search$/],
    ['whitespace content', good(0, { content: ' \n\t' }), /^content is empty/],
    [
      'content over the byte limit',
      good(0, { content: 'é'.repeat(11) }),
      /^content is 22 bytes in UTF-8; the limit is 20: split the chunk$/,
    ],
    [
      'snake_case fields',
      { chunkId: 'c', chunk_id: 'c', documentId: 'd', content: 'x' },
      /unknown field\(s\) chunk_id \(fields are camelCase\); allowed: chunkId, documentId/,
    ],
    ['a typo', good(0, { pagenumber: 3 }), /unknown field\(s\) pagenumber; allowed:/],
    ['array metadata', good(0, { metadata: ['a'] }), /^metadata must be a JSON object, got an array$/],
    ['null metadata', good(0, { metadata: null }), /^metadata must be a JSON object, got null$/],
    ['string metadata', good(0, { metadata: '{"a":1}' }), /^metadata must be a JSON object, got the string/],
    [
      'NaN in metadata',
      good(0, { metadata: { a: [1, NaN] } }),
      /^metadata\.a\[1\] is NaN; JSON numbers must be finite$/,
    ],
    ['Infinity in metadata', good(0, { metadata: { a: Infinity } }), /metadata\.a is Infinity/],
    [
      'a function in metadata',
      good(0, { metadata: { f: () => 1 } }),
      /^metadata\.f is a function, which is not a JSON value$/,
    ],
    [
      'undefined in metadata',
      good(0, { metadata: { u: undefined } }),
      /^metadata\.u is undefined, which is not a JSON value$/,
    ],
    [
      'a Date in metadata',
      good(0, { metadata: { d: new Date(0) } }),
      /metadata\.d is a Date object, which is not a JSON value/,
    ],
    ['a bigint in metadata', good(0, { metadata: { b: 1n } }), /metadata\.b is the bigint 1/],
    [
      'a lone surrogate in metadata',
      good(0, { metadata: { s: '\udc00' } }),
      /metadata\.s contains an unpaired UTF-16 surrogate/,
    ],
    [
      'a __proto__ key (as JSON.parse makes it)',
      good(0, { metadata: JSON.parse('{"a": {"__proto__": {"polluted": true}}}') }),
      /^metadata key "__proto__" at metadata\.a is reserved: rename it$/,
    ],
    [
      'a key with a space',
      good(0, { metadata: { 'a b': 1 } }),
      /^metadata key "a b" at metadata is not filterable: keys must match \^\[A-Za-z0-9_-\]\{1,64\}\$/,
    ],
    [
      'a dotted key',
      good(0, { metadata: { n: { 'a.b': 1 } } }),
      /metadata key "a\.b" at metadata\.n is not filterable/,
    ],
    ['an empty key', good(0, { metadata: { '': 1 } }), /metadata key "" at metadata/],
    [
      'a key inside an array',
      good(0, { metadata: { l: [{ 'x y': 1 }] } }),
      /metadata key "x y" at metadata\.l\[0\]/,
    ],
    [
      'deep metadata',
      good(0, { metadata: { a: { b: { c: {} } } } }),
      /^metadata is nested deeper than 3 levels at metadata\.a\.b\.c$/,
    ],
    [
      'deep arrays',
      good(0, { metadata: { a: [[[1]]] } }),
      /nested deeper than 3 levels at metadata\.a\[0\]\[0\]/,
    ],
    [
      'large metadata',
      good(0, { metadata: { text: 'x'.repeat(60) } }),
      /^metadata is 71 bytes as JSON; the limit is 60$/,
    ],
    ['a numeric title', good(0, { title: 3 }), /^title must be a string or null, got 3$/],
    [
      'an object sourcePath',
      good(0, { sourcePath: {} }),
      /^sourcePath must be a string or null, got an object$/,
    ],
    ['a boolean license', good(0, { license: true }), /^license must be a string or null/],
    [
      'a negative pageNumber',
      good(0, { pageNumber: -1 }),
      /^pageNumber must be an integer from 0 to 2147483647 or null, got -1$/,
    ],
    ['a fractional pageNumber', good(0, { pageNumber: 1.5 }), /pageNumber must be an integer.*got 1\.5/],
    ['a pageNumber beyond Int32', good(0, { pageNumber: 2 ** 31 }), /pageNumber must be an integer/],
    [
      'a string pageNumber',
      good(0, { pageNumber: '3' }),
      /pageNumber must be an integer.*got the string "3"/,
    ],
    ['an empty embedding', good(0, { embedding: [] }), /^embedding is empty$/],
    [
      'a string embedding',
      good(0, { embedding: '1,2' }),
      /^embedding must be an array of numbers, got the string/,
    ],
    ['a null embedding', good(0, { embedding: null }), /^embedding must be an array of numbers, got null$/],
    [
      'NaN in an embedding',
      good(0, { embedding: [1, NaN] }),
      /^embedding \[1\] is NaN; vectors hold finite float32 numbers$/,
    ],
    [
      'Infinity in a typed embedding',
      good(0, { embedding: Float64Array.from([Infinity]) }),
      /embedding \[0\] is Infinity/,
    ],
    ['a number beyond float32', good(0, { embedding: [1e39] }), /embedding \[0\] is 1e\+39/],
    ['a string inside an embedding', good(0, { embedding: [1, '2'] }), /embedding \[1\] is the string "2"/],
    [
      'a bigint embedding',
      good(0, { embedding: BigInt64Array.from([1n]) }),
      /embedding must be an array of numbers, got a BigInt64Array object/,
    ],
  ])('reports %s', (_name, chunk, reason) => {
    const problems = reasons([good(9), chunk]);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.index).toBe(1);
    expect(problems[0]!.reason).toMatch(reason);
  });

  it('counts metadata depth from 1 and size in UTF-8 bytes', () => {
    expect(reasons([good(0, { metadata: { a: { b: [1] } } })])).toEqual([]);
    expect(reasons([good(0, { metadata: { t: 'é'.repeat(25) } })])).toEqual([]); // {"t":"…"} = 58 bytes
    expect(reasons([good(0, { metadata: { t: 'é'.repeat(26) } })])).toEqual([]); // exactly 60 bytes
    expect(reasons([good(0, { metadata: { t: 'é'.repeat(27) } })])[0]!.reason).toBe(
      'metadata is 62 bytes as JSON; the limit is 60',
    );
  });

  it('accepts ids at the length limit and content at the byte limit', () => {
    expect(
      reasons([good(0, { chunkId: 'x'.repeat(10), documentId: 'y'.repeat(10), content: 'é'.repeat(10) })]),
    ).toEqual([]);
  });

  it('reports a chunkId repeated within the call, naming the first occurrence', () => {
    const problems = reasons([good(0), good(1), good(0, { documentId: 'other' }), good(1)]);
    expect(problems).toEqual([
      { index: 2, reason: `chunkId "c0" repeats chunk 0's; each chunk may appear once per call` },
      { index: 3, reason: `chunkId "c1" repeats chunk 1's; each chunk may appear once per call` },
    ]);
  });

  it('requires one embedding length per call', () => {
    const problems = reasons([
      good(0),
      good(1, { embedding: [1, 2, 3] }),
      good(2, { embedding: [1, 2] }),
      good(3, { embedding: Float32Array.from([1, 2, 3]) }),
    ]);
    expect(problems).toEqual([
      {
        index: 2,
        reason:
          "embedding has 2 numbers but chunk 1's has 3; all vectors in one call must have the same dimension",
      },
    ]);
  });

  it('lists every problem of a chunk', () => {
    const problems = reasons([{ chunkId: '', documentId: 1, content: '', pageNumber: -1 }]);
    expect(problems.map((p) => p.reason.split(' ')[0])).toEqual([
      'chunkId',
      'documentId',
      'content',
      'pageNumber',
    ]);
    expect(problems.every((p) => p.index === 0)).toBe(true);
  });

  it('throws LIMIT_EXCEEDED for too many chunks without inspecting them', () => {
    const error = thrown(() =>
      validateChunks(
        Array.from({ length: 6 }, () => null),
        LIMITS,
      ),
    );
    expect(error.code).toBe('LIMIT_EXCEEDED');
    expect(error.message).toBe('6 chunks in one call; at most 5 are accepted: split the batch');
    expect(reasons(Array.from({ length: 5 }, (_, i) => good(i)))).toEqual([]);
  });

  it('rejects a non-array', () => {
    expect(thrown(() => validateChunks('x' as never, LIMITS)).code).toBe('INVALID_INPUT');
  });
});

describe('assertChunksValid', () => {
  it('passes a good batch', () => {
    expect(() => assertChunksValid([good(0), good(1)], LIMITS)).not.toThrow();
  });

  it('lists each bad chunk with its index and carries all problems as details', () => {
    const error = thrown(() =>
      assertChunksValid([good(0), good(1, { content: '' }), good(2), { ...good(3), pageNumber: -2 }], LIMITS),
    );
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toBe(
      '2 of 4 chunks are invalid, so none was written; fix them and retry: ' +
        'chunk 1: content is empty; a chunk needs text to search; ' +
        'chunk 3: pageNumber must be an integer from 0 to 2147483647 or null, got -2',
    );
    expect(error.details).toEqual([
      { index: 1, reason: 'content is empty; a chunk needs text to search' },
      { index: 3, reason: 'pageNumber must be an integer from 0 to 2147483647 or null, got -2' },
    ]);
  });

  it('lists the first 20 problems, then says how many more', () => {
    const chunks = Array.from({ length: 25 }, (_, i) => good(i, { content: '' }));
    const error = thrown(() => assertChunksValid(chunks, { ...LIMITS, maxChunksPerCall: 100 }));
    expect(error.message).toMatch(/^25 of 25 chunks are invalid/);
    expect(error.message).toContain('chunk 19: content is empty');
    expect(error.message).not.toContain('chunk 20:');
    expect(error.message).toMatch(/; and 5 more$/);
    expect((error.details as unknown[]).length).toBe(25);
  });

  it('throws LIMIT_EXCEEDED for too many chunks', () => {
    expect(
      thrown(() =>
        assertChunksValid(
          Array.from({ length: 6 }, (_, i) => good(i)),
          LIMITS,
        ),
      ).code,
    ).toBe('LIMIT_EXCEEDED');
  });
});

describe('DEFAULT_LIMITS', () => {
  it('holds the documented defaults and cannot be changed', () => {
    expect(DEFAULT_LIMITS).toEqual({
      maxChunksPerCall: 100_000,
      maxContentBytes: 262_144,
      maxMetadataBytes: 16_384,
      maxMetadataDepth: 8,
      maxIdLength: 512,
      maxQueryLength: 4096,
      maxLimit: 100,
      maxOffset: 10_000,
      maxFilterNodes: 64,
      maxFilterDepth: 6,
      maxDeleteIds: 10_000,
      maxCitationBytes: 4096,
      maxSearchCacheBytes: 64 * 1024 * 1024,
    });
    expect(Object.isFrozen(DEFAULT_LIMITS)).toBe(true);
  });
});
