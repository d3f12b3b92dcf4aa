// compileFilter against a real LanceDB table: every operator, metadata typing, missing keys, injection, rejections.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as lancedb from '@lancedb/lancedb';
import { compileFilter } from '../../../src/engine/search/filter.js';
import { EngineError } from '../../../src/engine/errors.js';
import { chunksToArrow, chunkSchema, type StoredChunk } from '../../../src/engine/storage/chunk-schema.js';
import type { Filter, JsonValue } from '../../../src/engine/types.js';
import { makeTempDir, type TempDir } from '../../helpers/temp-dir.js';

const LIMITS = { maxFilterNodes: 64, maxFilterDepth: 6 };
const INJECTION = "x' OR '1'='1";
const DROP = "'); DROP TABLE t; --";
const UNICODE = 'é😀"\\';
const day = (iso: string) => Date.parse(iso);

type Row = Partial<StoredChunk> & { chunk_id: string; meta: Record<string, JsonValue> };
const ROWS: Row[] = [
  {
    chunk_id: 'r0',
    document_id: 'd1',
    title: 'Alpha',
    source_path: 'docs/a.md',
    license: 'MIT',
    version: '1.0',
    anchor: '#intro',
    page_number: 1,
    created_at: day('2024-01-01T00:00:00Z'),
    meta: {
      lang: 'en',
      n: 5,
      f: 2.5,
      ok: true,
      tags: ['x', 'y'],
      nested: { a: 3, 'my-key': 'v' },
      date: '2024-03-01',
    },
  },
  {
    chunk_id: 'r1',
    document_id: 'd1',
    title: 'beta',
    license: 'Apache-2.0',
    version: '2.0',
    page_number: 2,
    created_at: day('2024-02-01T00:00:00Z'),
    meta: { lang: 'de', n: '5', ok: false, tags: ['z', 5], nested: { a: '3' }, date: '2024-04-15' },
  },
  {
    chunk_id: 'r2',
    document_id: 'd2',
    title: INJECTION,
    source_path: 'a\\b%_',
    page_number: 3,
    created_at: day('2024-03-01T00:00:00Z'),
    meta: { lang: INJECTION, n: 30, ok: 1, tags: 'x', q: DROP, u: UNICODE },
  },
  {
    chunk_id: 'r3',
    document_id: 'd2',
    title: 'gamma',
    page_number: null,
    created_at: day('2024-04-01T00:00:00Z'),
    meta: { lang: null, n: -1.5, ok: 'true', tags: ['a"b', 'c\\d'], nested: 'flat' },
  },
  {
    chunk_id: 'r4',
    document_id: 'd3',
    title: null,
    page_number: 0,
    created_at: day('2024-05-01T00:00:00Z'),
    meta: {},
  },
  {
    chunk_id: 'r5',
    document_id: 'd3',
    title: 'Élan',
    page_number: 10,
    created_at: day('2024-06-01T00:00:00Z'),
    meta: { lang: 'EN', n: 1e21, arr: [{ k: 1 }], nested: { a: { deep: 'yes' } } },
  },
];
const ALL = ROWS.map((r) => r.chunk_id);
const except = (...ids: string[]) => ALL.filter((id) => !ids.includes(id));

function stored(row: Row, i: number): StoredChunk {
  return {
    chunk_id: row.chunk_id,
    document_id: row.document_id ?? 'd',
    kb_id: 'kb',
    content: `content ${i}`,
    title: row.title ?? null,
    source_path: row.source_path ?? null,
    license: row.license ?? null,
    version: row.version ?? null,
    anchor: row.anchor ?? null,
    page_number: row.page_number ?? null,
    metadata: JSON.stringify(row.meta),
    embedding: Float32Array.from([i, 1]),
    created_at: row.created_at ?? 0,
    updated_at: 1_700_000_000_000 + i,
    ordinal: i,
    content_hash: null,
    heading_path: null,
    line_start: null,
    line_end: null,
  };
}

let dir: TempDir;
let table: lancedb.Table;
beforeAll(async () => {
  dir = await makeTempDir();
  const db = await lancedb.connect(dir.path);
  table = await db.createTable('chunks', chunksToArrow(ROWS.map(stored), 2), { schema: chunkSchema(2) });
  await table.createIndex('content', { config: lancedb.Index.fts() });
});
afterAll(async () => dir?.remove());

async function ids(filter: Filter): Promise<string[]> {
  const where = compileFilter(filter, LIMITS);
  const query = table.query().select(['chunk_id']);
  const rows = await (where === undefined ? query : query.where(where)).toArray();
  return rows.map((r) => String(r.chunk_id)).sort();
}

function rejection(filter: unknown, limits = LIMITS): EngineError {
  try {
    compileFilter(filter as Filter, limits);
  } catch (error) {
    expect(error).toBeInstanceOf(EngineError);
    expect((error as EngineError).code).toBe('INVALID_INPUT');
    return error as EngineError;
  }
  throw new Error(`expected ${JSON.stringify(filter)} to be rejected`);
}

describe('compileFilter on plain string columns', () => {
  it.each<[string, Filter, string[]]>([
    ['scalar equality', { title: 'Alpha' }, ['r0']],
    ['is case-sensitive', { title: 'alpha' }, []],
    ['$eq', { title: { $eq: 'beta' } }, ['r1']],
    ['null matches NULL', { title: null }, ['r4']],
    ['$ne matches NULL too', { title: { $ne: 'Alpha' } }, except('r0')],
    ['$ne null', { title: { $ne: null } }, except('r4')],
    ['$in', { title: { $in: ['Alpha', 'gamma'] } }, ['r0', 'r3']],
    ['$in with null', { title: { $in: ['Alpha', null] } }, ['r0', 'r4']],
    ['$nin matches NULL too', { title: { $nin: ['Alpha', 'beta'] } }, ['r2', 'r3', 'r4', 'r5']],
    ['$nin with null', { title: { $nin: [null, 'beta'] } }, ['r0', 'r2', 'r3', 'r5']],
    ['$gt is code-point order', { title: { $gt: 'beta' } }, ['r2', 'r3', 'r5']],
    ['$gte', { title: { $gte: 'beta' } }, ['r1', 'r2', 'r3', 'r5']],
    ['$lt', { title: { $lt: 'beta' } }, ['r0']],
    ['$lte', { title: { $lte: 'beta' } }, ['r0', 'r1']],
    [
      'other citation columns',
      { license: 'MIT', version: '1.0', anchor: '#intro', source_path: 'docs/a.md' },
      ['r0'],
    ],
    ['ids', { chunk_id: { $in: ['r1', 'r2'] }, document_id: 'd2' }, ['r2']],
    ['empty filter', {}, ALL],
    ['$prefix on a folder', { source_path: { $prefix: 'docs/' } }, ['r0']],
    ['$prefix takes % and _ literally', { source_path: { $prefix: 'a\\b%' } }, ['r2']],
    ['$prefix % matches no prefix', { source_path: { $prefix: '%' } }, []],
    ['$contains', { title: { $contains: 'lph' } }, ['r0']],
    ['$contains is case-sensitive', { title: { $contains: 'LPH' } }, []],
    ['$contains _ literally', { source_path: { $contains: '%_' } }, ['r2']],
    ['metadata $prefix', { 'metadata.lang': { $prefix: 'e' } }, ['r0']],
    ['metadata $contains', { 'metadata.date': { $contains: '-04-' } }, ['r1']],
    ['metadata $contains skips arrays and numbers', { 'metadata.tags': { $contains: 'x' } }, ['r2']],
  ])('%s', async (_name, filter, expected) => {
    expect(await ids(filter)).toEqual(expected);
  });
});

describe('compileFilter on page_number and timestamps', () => {
  it.each<[string, Filter, string[]]>([
    ['page $eq', { page_number: 2 }, ['r1']],
    ['page null', { page_number: null }, ['r3']],
    ['page $ne', { page_number: { $ne: 2 } }, except('r1')],
    ['page $in', { page_number: { $in: [1, 3] } }, ['r0', 'r2']],
    ['page $nin', { page_number: { $nin: [1, 3] } }, ['r1', 'r3', 'r4', 'r5']],
    ['page $gt', { page_number: { $gt: 2 } }, ['r2', 'r5']],
    ['page $gte', { page_number: { $gte: 2 } }, ['r1', 'r2', 'r5']],
    ['page $lt', { page_number: { $lt: 2 } }, ['r0', 'r4']],
    ['page $lte', { page_number: { $lte: 0 } }, ['r4']],
    ['page range', { page_number: { $gte: 1, $lt: 3 } }, ['r0', 'r1']],
    ['created ISO', { created_at: '2024-02-01T00:00:00Z' }, ['r1']],
    ['created epoch ms', { created_at: day('2024-02-01T00:00:00Z') }, ['r1']],
    ['created date only is UTC', { created_at: { $eq: '2024-02-01' } }, ['r1']],
    ['created offset', { created_at: '2024-02-01T01:00:00+01:00' }, ['r1']],
    ['created no zone is UTC', { created_at: '2024-02-01T00:00:00' }, ['r1']],
    ['created $ne', { created_at: { $ne: '2024-02-01' } }, except('r1')],
    ['created $in', { created_at: { $in: ['2024-01-01', day('2024-03-01')] } }, ['r0', 'r2']],
    ['created $nin', { created_at: { $nin: ['2024-01-01', day('2024-03-01')] } }, ['r1', 'r3', 'r4', 'r5']],
    ['created $gt', { created_at: { $gt: '2024-03-01' } }, ['r3', 'r4', 'r5']],
    ['created $gte', { created_at: { $gte: '2024-03-01T00:00:00.000Z' } }, ['r2', 'r3', 'r4', 'r5']],
    ['created $lt', { created_at: { $lt: day('2024-02-01T00:00:00Z') } }, ['r0']],
    ['created $lte', { created_at: { $lte: '2024-02-01' } }, ['r0', 'r1']],
    ['updated $gte', { updated_at: { $gte: 1_700_000_000_004 } }, ['r4', 'r5']],
  ])('%s', async (_name, filter, expected) => {
    expect(await ids(filter)).toEqual(expected);
  });
});

describe('compileFilter on metadata', () => {
  it.each<[string, Filter, string[]]>([
    ['string equality', { 'metadata.lang': 'en' }, ['r0']],
    ['string $eq', { 'metadata.lang': { $eq: 'de' } }, ['r1']],
    ['string never matches a number', { 'metadata.n': '5' }, ['r1']],
    ['string $ne matches missing and null', { 'metadata.lang': { $ne: 'en' } }, except('r0')],
    ['null matches missing and null', { 'metadata.lang': null }, ['r3', 'r4']],
    ['$ne null', { 'metadata.lang': { $ne: null } }, ['r0', 'r1', 'r2', 'r5']],
    ['string $in', { 'metadata.lang': { $in: ['en', 'de'] } }, ['r0', 'r1']],
    ['$in with null', { 'metadata.lang': { $in: ['en', null] } }, ['r0', 'r3', 'r4']],
    ['string $nin', { 'metadata.lang': { $nin: ['en', 'de'] } }, ['r2', 'r3', 'r4', 'r5']],
    ['string $gt only compares strings', { 'metadata.lang': { $gt: 'a' } }, ['r0', 'r1', 'r2']],
    ['string range on dates', { 'metadata.date': { $gte: '2024-03-01', $lt: '2024-04-01' } }, ['r0']],
    ['string $lte', { 'metadata.date': { $lte: '2024-04-15' } }, ['r0', 'r1']],
    ['string range skips numbers', { 'metadata.n': { $gt: '4' } }, ['r1']],
    ['number equality is numeric', { 'metadata.n': 5 }, ['r0']],
    ['number equality with float', { 'metadata.f': 2.5 }, ['r0']],
    ['number $ne', { 'metadata.n': { $ne: 5 } }, except('r0')],
    ['number $in', { 'metadata.n': { $in: [5, 30] } }, ['r0', 'r2']],
    ['number $nin', { 'metadata.n': { $nin: [5, 30] } }, ['r1', 'r3', 'r4', 'r5']],
    ['number $gt skips strings', { 'metadata.n': { $gt: 4 } }, ['r0', 'r2', 'r5']],
    ['number $gte', { 'metadata.n': { $gte: 30 } }, ['r2', 'r5']],
    ['number $lt', { 'metadata.n': { $lt: 0 } }, ['r3']],
    ['number $lte', { 'metadata.n': { $lte: 5 } }, ['r0', 'r3']],
    ['huge number', { 'metadata.n': { $gte: 1e21 } }, ['r5']],
    ['float range', { 'metadata.f': { $gt: 2.4, $lt: 2.6 } }, ['r0']],
    ['bool true is exact', { 'metadata.ok': true }, ['r0']],
    ['bool false', { 'metadata.ok': { $eq: false } }, ['r1']],
    ['bool $ne', { 'metadata.ok': { $ne: true } }, except('r0')],
    ['bool $in', { 'metadata.ok': { $in: [true, false] } }, ['r0', 'r1']],
    ['string matches array element or scalar', { 'metadata.tags': 'x' }, ['r0', 'r2']],
    ['array element', { 'metadata.tags': 'z' }, ['r1']],
    ['string never matches a number element', { 'metadata.tags': '5' }, []],
    ['numbers do not search arrays', { 'metadata.tags': 5 }, []],
    ['array $in', { 'metadata.tags': { $in: ['y', 'z'] } }, ['r0', 'r1']],
    ['array $nin', { 'metadata.tags': { $nin: ['x'] } }, ['r1', 'r3', 'r4', 'r5']],
    ['array element with quote', { 'metadata.tags': 'a"b' }, ['r3']],
    ['array element with backslash', { 'metadata.tags': 'c\\d' }, ['r3']],
    ['ranges skip arrays', { 'metadata.tags': { $gte: '' } }, ['r2']],
    ['nested number', { 'metadata.nested.a': 3 }, ['r0']],
    ['nested string', { 'metadata.nested.a': '3' }, ['r1']],
    ['nested key with dash', { 'metadata.nested.my-key': 'v' }, ['r0']],
    ['deeply nested', { 'metadata.nested.a.deep': 'yes' }, ['r5']],
    ['nested missing through scalar', { 'metadata.nested.a': null }, ['r2', 'r3', 'r4']],
    ['nested $ne', { 'metadata.nested.a': { $ne: 3 } }, except('r0')],
    ['objects count as present', { 'metadata.nested': { $ne: null } }, ['r0', 'r1', 'r3', 'r5']],
  ])('%s', async (_name, filter, expected) => {
    expect(await ids(filter)).toEqual(expected);
  });
});

describe('compileFilter combinators', () => {
  it.each<[string, Filter, string[]]>([
    ['several keys are ANDed', { document_id: 'd1', 'metadata.lang': 'en' }, ['r0']],
    ['$or', { $or: [{ title: 'Alpha' }, { page_number: 3 }] }, ['r0', 'r2']],
    ['$and', { $and: [{ document_id: 'd1' }, { page_number: { $gt: 1 } }] }, ['r1']],
    [
      '$and containing $or',
      { $and: [{ document_id: 'd1' }, { $or: [{ 'metadata.lang': 'de' }, { page_number: 1 }] }] },
      ['r0', 'r1'],
    ],
    ['keys beside $or', { document_id: 'd2', $or: [{ page_number: 3 }, { page_number: 1 }] }, ['r2']],
    [
      'three levels',
      {
        $or: [
          { $and: [{ document_id: 'd3' }, { $or: [{ page_number: 0 }, { 'metadata.n': 1e21 }] }] },
          { title: 'beta' },
        ],
      },
      ['r1', 'r4', 'r5'],
    ],
    ['$or of complements', { $or: [{ 'metadata.lang': { $ne: 'en' } }, { 'metadata.lang': 'en' }] }, ALL],
  ])('%s', async (_name, filter, expected) => {
    expect(await ids(filter)).toEqual(expected);
  });
});

describe('compileFilter in searches', () => {
  const filter: Filter = { 'metadata.tags': 'x', title: { $ne: 'gamma' } };
  const where = () => compileFilter(filter, LIMITS)!;

  it('prefilters a vector search, so the limit is filled from matching rows', async () => {
    // Nearest to [5, 1] are r5, r4, r3…; only r0 and r2 match, and both come back with limit 2.
    const rows = await table.vectorSearch([5, 1]).distanceType('l2').where(where()).limit(2).toArray();
    expect(rows.map((r) => String(r.chunk_id)).sort()).toEqual(['r0', 'r2']);
  });

  it('filters a full-text search', async () => {
    const rows = await table.query().fullTextSearch('content').where(where()).limit(10).toArray();
    expect(rows.map((r) => String(r.chunk_id)).sort()).toEqual(['r0', 'r2']);
  });
});

describe('compileFilter is injection-proof', () => {
  it.each<[string, Filter, string[]]>([
    ['quote injection on a column finds only the literal row', { title: INJECTION }, ['r2']],
    ['quote injection variant finds nothing', { title: `${INJECTION} --` }, []],
    ['quote injection on ids', { chunk_id: "r0' OR 'a'='a" }, []],
    ['quote injection in $in', { chunk_id: { $in: ["r0') OR ('1'='1", 'nope'] } }, []],
    ['quote injection on metadata', { 'metadata.lang': INJECTION }, ['r2']],
    ['metadata injection variant', { 'metadata.lang': "en' OR '1'='1" }, []],
    ['drop table literal', { 'metadata.q': DROP }, ['r2']],
    ['backslash and wildcards are literal', { source_path: 'a\\b%_' }, ['r2']],
    ['% is not a wildcard', { source_path: '%' }, []],
    ['backslash-quote', { title: "\\' OR 1=1 --" }, []],
    ['unicode, quote and backslash in metadata', { 'metadata.u': UNICODE }, ['r2']],
    ['range with injection', { title: { $gt: "z' OR '1'='1" } }, ['r5']],
  ])('%s', async (_name, filter, expected) => {
    expect(await ids(filter)).toEqual(expected);
  });

  it('leaves the table intact', async () => {
    expect(await ids({ 'metadata.q': DROP })).toEqual(['r2']);
    expect(await table.countRows()).toBe(ROWS.length);
  });

  it('matches arbitrary strings only literally', async () => {
    const tricky = fc.constantFrom(
      "'",
      "''",
      '\\',
      '"',
      '%',
      '_',
      ')',
      ';',
      '--',
      ' OR ',
      '1=1',
      '\n',
      '\u0000',
      'é',
      '😀',
    );
    const text = fc
      .array(fc.oneof(tricky, fc.string({ maxLength: 4 })), { maxLength: 8 })
      .map((parts) => parts.join(''));
    await fc.assert(
      fc.asyncProperty(text, async (value) => {
        const expected = ROWS.filter((r) => r.title === value).map((r) => r.chunk_id);
        expect(await ids({ title: value })).toEqual(expected);
        const inMeta = ROWS.filter((r) => r.meta.lang === value).map((r) => r.chunk_id);
        expect(await ids({ 'metadata.lang': value })).toEqual(inMeta);
      }),
      { numRuns: 40 },
    );
  });
});

describe('compileFilter rejections', () => {
  it.each<[string, unknown, RegExp]>([
    [
      'unknown key',
      { foo: 1 },
      /unknown filter key "foo"; allowed keys: chunk_id, document_id, .*metadata\.<key>/,
    ],
    ['bare metadata', { metadata: 'x' }, /unknown filter key "metadata"/],
    ['kb_id is not filterable', { kb_id: 'x' }, /unknown filter key "kb_id"/],
    [
      'metadata segment with space',
      { 'metadata.a b': 1 },
      /bad metadata key "metadata\.a b": .*\^\[A-Za-z0-9_-\]\{1,64\}\$/,
    ],
    ['metadata segment with quote', { "metadata.a'b": 1 }, /bad metadata key/],
    ['metadata path injection', { 'metadata.a"]': 1 }, /bad metadata key/],
    ['empty metadata segment', { 'metadata.a..b': 1 }, /bad metadata key/],
    ['trailing dot', { 'metadata.': 1 }, /bad metadata key/],
    ['65-char segment', { [`metadata.${'a'.repeat(65)}`]: 1 }, /bad metadata key/],
    ['too many segments', { [`metadata.${Array(17).fill('a').join('.')}`]: 1 }, /at most 16 segments/],
    [
      'unknown operator',
      { title: { $regex: 'a' } },
      /at filter\.title\.\$regex: unknown operator "\$regex"; allowed operators: \$eq, \$ne, \$in, \$nin, \$gt, \$gte, \$lt, \$lte/,
    ],
    ['nested object as value', { 'metadata.nested': { a: 3 } }, /unknown operator "a".*metadata\.a\.b/],
    [
      'unknown top-level operator',
      { $not: { title: 'a' } },
      /unknown top-level operator "\$not"; only \$and and \$or/,
    ],
    ['empty operator object', { title: {} }, /empty operator object/],
    ['array as value', { title: ['a', 'b'] }, /use \{"\$in": \[\.\.\.\]\}/],
    ['number on string column', { title: 5 }, /filter\.title: expected a string or null, got a number/],
    ['boolean on string column', { title: true }, /expected a string or null, got true/],
    [
      'string on page_number',
      { page_number: '3' },
      /expected an integer between -2147483648 and 2147483647 or null, got a string/,
    ],
    ['fraction on page_number', { page_number: { $gt: 1.5 } }, /expected an integer .*got 1\.5/],
    ['page_number beyond Int32', { page_number: { $lt: 2 ** 31 } }, /expected an integer/],
    ['bad date', { created_at: 'yesterday' }, /"yesterday" is not an ISO-8601 date/],
    ['impossible date', { created_at: { $gte: '2024-02-30' } }, /"2024-02-30" is not an ISO-8601 date/],
    ['fractional epoch', { created_at: 1.5 }, /expected epoch milliseconds/],
    ['boolean on timestamp', { updated_at: false }, /expected epoch milliseconds/],
    [
      'boolean range on metadata',
      { 'metadata.ok': { $gt: true } },
      /\$gt: expected a string or a finite number, got true/,
    ],
    ['null range', { page_number: { $gte: null } }, /\$gte: expected an integer .*got null/],
    ['object in $in', { title: { $in: [{}] } }, /\$in\[0\]: expected a string or null, got an object/],
    ['NaN', { 'metadata.n': NaN }, /expected a string, a finite number, a boolean or null, got NaN/],
    ['Infinity', { 'metadata.n': { $gt: Infinity } }, /got Infinity/],
    ['-Infinity in $in', { 'metadata.n': { $in: [1, -Infinity] } }, /\$in\[1\]: .*got -Infinity/],
    ['empty $in', { title: { $in: [] } }, /\$in takes a non-empty array of values, got an array/],
    [
      '$nin not an array',
      { title: { $nin: 'a' } },
      /\$nin takes a non-empty array of values, got the string "a"/,
    ],
    [
      '$and not an array',
      { $and: { title: 'a' } },
      /\$and takes a non-empty array of filter objects, got an object/,
    ],
    ['empty $or', { $or: [] }, /\$or takes a non-empty array/],
    ['empty object in $or', { $or: [{ title: 'a' }, {}] }, /filter\.\$or\[1\]: empty object/],
    [
      'non-object in $and',
      { $and: ['title'] },
      /filter\.\$and\[0\]: expected an object of conditions, got the string "title"/,
    ],
    ['filter is null', null, /at filter: expected an object of conditions, got null/],
    ['filter is an array', [], /expected an object of conditions, got an array/],
    ['too long string', { title: 'x'.repeat(16385) }, /longer than 16384 characters/],
    ['lone surrogate', { title: 'a\ud800' }, /unpaired UTF-16 surrogate/],
    ['function value', { title: { $eq: () => 1 } }, /got a function/],
  ])('%s', (_name, filter, message) => {
    expect(rejection(filter).message).toMatch(message);
  });

  it('rejects $prefix/$contains on non-string fields or with a non-string or empty operand', () => {
    expect(rejection({ page_number: { $prefix: '1' } }).message).toMatch(
      /page_number\.\$prefix: \$prefix applies to string fields/,
    );
    expect(rejection({ title: { $contains: 5 } }).message).toMatch(/expected a non-empty string, got/);
    expect(rejection({ title: { $prefix: '' } }).message).toMatch(/non-empty string/);
  });

  it('rejects too many nodes and counts $in values', () => {
    const values = Array.from({ length: 70 }, (_, i) => `id${i}`);
    expect(rejection({ chunk_id: { $in: values } }).message).toMatch(/more than 64 nodes/);
    expect(compileFilter({ chunk_id: { $in: values.slice(0, 60) } }, LIMITS)).toContain("'id59'");
    expect(rejection({ a: 1 }, { maxFilterNodes: 0, maxFilterDepth: 6 }).message).toMatch(
      /more than 0 nodes/,
    );
  });

  it('rejects filters nested deeper than maxFilterDepth', () => {
    let filter: Filter = { title: 'a' };
    for (let i = 0; i < 5; i++) filter = { $and: [filter] };
    expect(compileFilter(filter, LIMITS)).toBe("(title = 'a')");
    expect(rejection({ $or: [filter] }).message).toMatch(/nested deeper than 6 levels/);
  });

  it('names the offending place in nested filters', () => {
    const error = rejection({ $or: [{ title: 'a' }, { page_number: { $gt: 'x' } }] });
    expect(error.message).toMatch(/^invalid filter at filter\.\$or\[1\]\.page_number\.\$gt: /);
  });
});
