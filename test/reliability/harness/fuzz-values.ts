// fast-check arbitraries for hostile values: path-like names, injection strings, unicode edge cases, wrong types.
import fc from 'fast-check';

/** KB names that must never reach the file system: traversal, separators, encodings, NUL, case, length. */
export const PATH_LIKE_NAMES = [
  '../x',
  '..\\x',
  '../../etc',
  '..',
  '.',
  '%2e%2e',
  '%2e%2e%2fx',
  '..%2fx',
  '/etc/passwd',
  '/tmp/x',
  'C:\\Windows',
  '\\\\server\\share',
  'a/b',
  'a\\b',
  'a\0b',
  '\0',
  'kb\0../x',
  '_catalog',
  '-x',
  '_x',
  'KB',
  'Docs',
  'a b',
  'a.b',
  'x'.repeat(65),
  '',
  ' ',
  'kb\n',
  'k\u200bb',
  '\u202ekb',
  'kб',
  'ｋｂ',
  'kb%00',
  'file:///tmp/x',
  's3://bucket/x',
  'kb/../../x',
  '~/.ssh',
  '$HOME',
  '`id`',
  'kb;rm -rf /',
];

/** Strings that try to escape SQL literals, JSON paths or FTS syntax. */
export const INJECTION_STRINGS = [
  "' OR '1'='1",
  "x' OR 1=1 --",
  "'; DROP TABLE _catalog; --",
  '" OR ""="',
  "\\' OR 1=1 --",
  '\\',
  "'",
  "''",
  '%',
  '_',
  '*',
  'NULL',
  'null',
  'true',
  '1=1',
  ') OR (1=1',
  "') OR true --",
  '$.a',
  "$['a']",
  '$..*',
  "json_extract(metadata, '$')",
  "metadata->>'lang'",
  '{"$ne": null}',
  '[1,2]',
  '${x}',
  '{{x}}',
  '<script>alert(1)</script>',
  '__proto__',
  'constructor',
  '"unterminated',
  'AND OR NOT',
  'a AND b',
  '+a -b',
  'title:x',
  'a~2',
  'a^3',
  '"a b"~5',
  '(a',
  'a)',
  '\\"',
  '/* x */',
];

/** Unicode edge cases: lone surrogates, RTL and zero-width marks, combining marks, emoji, NUL, other scripts. */
export const UNICODE_STRINGS = [
  '\ud800',
  '\udfff',
  'a\ud800b',
  'a\udc00',
  '\u202eevil\u202c',
  'مرحبا بالعالم',
  'שלום',
  '\u200b',
  'a\u200bb',
  '\ufeff',
  '\u200d',
  'e\u0301',
  'Z\u0351\u0352\u0353\u0354',
  '👩‍👩‍👧‍👦',
  '🇺🇳',
  '🚀 alpha',
  '\0',
  'a\0b',
  '\u0085',
  '\u2028\u2029',
  '東京',
  'Ünïcödé',
  '\uffff',
  '\ufffd',
  '\t\n\r',
  'ı',
  'ß',
  'ﬁ',
];

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...PATH_LIKE_NAMES, ...INJECTION_STRINGS, ...UNICODE_STRINGS),
  fc.string({ unit: 'binary', maxLength: 24 }),
  fc.string({ unit: 'grapheme', maxLength: 24 }),
  fc
    .tuple(fc.constantFrom(...INJECTION_STRINGS, ...UNICODE_STRINGS), fc.string({ maxLength: 8 }))
    .map(([a, b]) => a + b),
);

/** Sizes around and far beyond the configured limits. */
export const hugeString: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom('x', 'é', '😀', ' '), fc.integer({ min: 10, max: 17 }))
  .map(([unit, power]) => unit.repeat(2 ** power));

/** Anything of the wrong type (or a right type with a wrong value): numbers include NaN, ±Infinity and -0. */
export const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.constant(undefined),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.constantFrom(Number.NaN, Infinity, -Infinity, -0, 1e308, Number.MAX_SAFE_INTEGER + 2),
  hostileString,
  fc.array(fc.oneof(fc.integer(), hostileString), { maxLength: 3 }),
  fc.dictionary(hostileString, fc.oneof(fc.integer(), hostileString), { maxKeys: 3 }),
);

/** A JSON-ish value nested `depth` levels deep. */
export function nested(depth: number, leaf: unknown = 1, asArray = false): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = asArray ? [value] : { k: value };
  return value;
}

export const FILTER_KEYS = [
  'chunk_id',
  'document_id',
  'source_path',
  'title',
  'license',
  'version',
  'anchor',
  'page_number',
  'created_at',
  'updated_at',
  'metadata.lang',
  'metadata.tags',
  'metadata.page',
  'metadata.a.b',
];
const HOSTILE_FILTER_KEYS = [
  'metadata.',
  'metadata..a',
  "metadata.a'b",
  'metadata.$x',
  'metadata.a b',
  'metadata.__proto__',
  '$where',
  '$not',
  '$expr',
  'evil',
  'content',
  'embedding',
  'kb_id',
  'metadata',
  '',
  '__proto__',
  "chunk_id' OR '1'='1",
  'metadata.a"]',
  `metadata.${'a.'.repeat(20)}a`,
];
const OPERATORS = ['$eq', '$ne', '$in', '$nin', '$gt', '$gte', '$lt', '$lte'];
const HOSTILE_OPERATORS = [
  '$regex',
  '$where',
  '$exists',
  '$like',
  '$or',
  '$and',
  '$not',
  '$elemMatch',
  'eq',
  '$EQ',
  '',
];

const filterScalar = fc.oneof(
  hostileString,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom('en', 'de', 'guide', 1, 2, 3),
);

const operatorObject = fc.dictionary(
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...OPERATORS) },
    { weight: 1, arbitrary: fc.constantFrom(...HOSTILE_OPERATORS) },
  ),
  fc.oneof(filterScalar, fc.array(filterScalar, { maxLength: 6 }), wrongValue),
  { maxKeys: 3 },
);

/** Structured filters: mostly well-formed with hostile values, some with unknown keys/operators, some deep or wide. */
export const filterArb: fc.Arbitrary<unknown> = fc.letrec<{ tree: unknown }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.dictionary(
      fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom(...FILTER_KEYS) },
        { weight: 1, arbitrary: fc.constantFrom(...HOSTILE_FILTER_KEYS) },
      ),
      fc.oneof(filterScalar, operatorObject),
      { maxKeys: 4 },
    ),
    fc.record({ $and: fc.array(tie('tree'), { maxLength: 3 }) }),
    fc.record({ $or: fc.array(tie('tree'), { maxLength: 3 }) }),
    fc.integer({ min: 4, max: 40 }).map((depth) => {
      let f: unknown = { document_id: 'guide' };
      for (let i = 0; i < depth; i++) f = { $and: [f] };
      return f;
    }),
    fc.integer({ min: 4, max: 30 }).map((depth) => {
      let f: unknown = { document_id: 'guide' };
      for (let i = 0; i < depth; i++) f = { $or: [f, { chunk_id: `c${i}` }] };
      return f;
    }),
    fc
      .integer({ min: 10, max: 500 })
      .map((n) => ({ chunk_id: { $in: Array.from({ length: n }, (_, i) => `id-${i}`) } })),
    wrongValue,
  ),
})).tree;
