// Generated write calls that must all be refused: a good call with exactly one hostile mutation.
import fc from 'fast-check';
import {
  badGeneration,
  badKb,
  DIMENSION,
  FUZZ_LIMITS,
  KBS,
  nonString,
  vector,
  type Kb,
  type ToolCall,
} from './fuzz-calls.js';
import { hugeString, nested } from './fuzz-values.js';

const goodChunk = (kb: Kb, i: number) => ({
  chunk_id: `fuzz-${i}`,
  document_id: 'fuzz-doc',
  content: 'alpha fuzz content',
  ...(kb === 'vectors' ? { embedding: vector(8) } : {}),
});

const badId = fc.oneof(
  fc.constantFrom('', '   ', '\t\n', 'a\ud800', '\udfff', 'x'.repeat(65), 'é'.repeat(65)),
  nonString,
  fc.constant(undefined),
);
const badContent = fc.oneof(
  fc.constantFrom('', '   ', '\n\t '),
  hugeString.filter((s) => Buffer.byteLength(s) > FUZZ_LIMITS.maxContentBytes && s.trim() !== ''),
  nonString,
  fc.constant(undefined),
);
const badMetadata = fc.oneof(
  fc.constantFrom<unknown>('json', 5, [], [1, 2], null, true),
  fc.constantFrom<unknown>(
    { a: Number.NaN },
    { a: Infinity },
    { a: -Infinity },
    { a: '\ud800' },
    { a: ['\udc00'] },
    { a: { b: 'x\ud800' } },
  ),
  fc.constantFrom<unknown>(
    { 'a.b': 1 },
    { '': 1 },
    { $where: 1 },
    { 'a b': 1 },
    { ключ: 1 },
    { ['x'.repeat(65)]: 1 },
    { a: { 'b.c': 1 } },
    { "a'b": 1 },
    { 'a"]': 1 },
  ),
  fc.integer({ min: 5, max: 60 }).map((depth) => nested(depth, 1, false)),
  fc.integer({ min: 4, max: 60 }).map((depth) => ({ a: nested(depth, 1, true) })),
  fc.integer({ min: 1100, max: 20_000 }).map((n) => ({ big: 'x'.repeat(n) })),
  fc
    .integer({ min: 150, max: 400 })
    .map((n) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]))),
);
const badEmbedding = (kb: Kb) =>
  fc.oneof(
    fc.constantFrom<unknown>(
      [],
      ['x'],
      [Number.NaN],
      [Infinity],
      [-Infinity],
      [1e39],
      [[1]],
      'x',
      {},
      null,
      true,
      [null],
      [1, '2'],
    ),
    fc.constant(vector(65_537)),
    DIMENSION[kb] === undefined
      ? fc.constant(vector(3, Number.NaN))
      : fc.constantFrom(1, 3, DIMENSION[kb]! - 1, DIMENSION[kb]! + 1, 768).map((n) => vector(n)),
  );
const badPage = fc.constantFrom<unknown>(-1, 1.5, 2 ** 31, Number.NaN, Infinity, '3', true, [], {});
const badCitation = fc.constantFrom<unknown>(5, true, {}, [], Number.NaN, ['a']);

/** One mutation that makes an upsert invalid, applied to a good call. */
function mutateUpsert(kb: Kb): fc.Arbitrary<ToolCall> {
  const base = () => ({ kb: kb as unknown, chunks: [goodChunk(kb, 0), goodChunk(kb, 1)] as unknown[] });
  const onChunk = (field: string, value: fc.Arbitrary<unknown>) =>
    value.map((v) => {
      const args = base();
      args.chunks[0] = { ...(args.chunks[0] as object), [field]: v };
      if (v === undefined) delete (args.chunks[0] as Record<string, unknown>)[field];
      return { tool: 'upsert_chunks', args };
    });
  const whole = (value: fc.Arbitrary<Record<string, unknown>>) =>
    value.map((patch) => ({ tool: 'upsert_chunks', args: { ...base(), ...patch } }));
  return fc.oneof(
    whole(badKb.map((k) => ({ kb: k }))),
    onChunk('chunk_id', badId),
    onChunk('document_id', badId),
    onChunk('content', badContent),
    onChunk('metadata', badMetadata),
    onChunk('embedding', badEmbedding(kb)),
    onChunk('page_number', badPage),
    fc
      .constantFrom('title', 'source_path', 'license', 'version', 'anchor')
      .chain((field) => onChunk(field, badCitation)),
    whole(
      fc.constantFrom<unknown>([], 'x', null, {}, [null], ['x'], [[]], [1]).map((chunks) => ({ chunks })),
    ),
    whole(
      fc
        .integer({ min: 51, max: 400 })
        .map((n) => ({ chunks: Array.from({ length: n }, (_, i) => goodChunk(kb, i)) })),
    ),
    whole(fc.constant({ chunks: [goodChunk(kb, 0), goodChunk(kb, 0)] })),
    whole(
      fc.constant({
        chunks: [
          { ...goodChunk(kb, 0), embedding: vector(4) },
          { ...goodChunk(kb, 1), embedding: vector(5) },
        ],
      }),
    ),
    whole(badGeneration.map((generation) => ({ generation }))),
    // docs g1 is archived: not writable.
    ...(kb === 'docs' ? [whole(fc.constant({ generation: 1 }))] : []),
  );
}

function invalidDelete(kb: Kb): fc.Arbitrary<ToolCall> {
  const call = (args: Record<string, unknown>) => ({ tool: 'delete_chunks', args });
  const ids = fc.constantFrom<unknown>('x', [], [''], [5], [null], ['a', ''], {}, null, Number.NaN);
  return fc.oneof(
    badKb.map((k) => call({ kb: k, chunk_ids: ['a'] })),
    fc.constant(call({ kb })),
    ids.map((v) => call({ kb, chunk_ids: v })),
    ids.map((v) => call({ kb, document_ids: v })),
    fc
      .integer({ min: 21, max: 500 })
      .map((n) => call({ kb, chunk_ids: Array.from({ length: n }, (_, i) => `id-${i}`) })),
    // More than the limit in document_ids alone, and in both lists together while each is under it.
    fc.integer({ min: 11, max: 20 }).map((n) =>
      call({
        kb,
        chunk_ids: Array.from({ length: n }, (_, i) => `c-${i}`),
        document_ids: Array.from({ length: n }, (_, i) => `d-${i}`),
      }),
    ),
    fc
      .integer({ min: 21, max: 300 })
      .map((n) =>
        call({ kb, chunk_ids: ['c-0'], document_ids: Array.from({ length: n }, (_, i) => `d-${i}`) }),
      ),
    badGeneration.map((generation) => call({ kb, chunk_ids: ['a'], generation })),
    ...(kb === 'docs' ? [fc.constant(call({ kb, chunk_ids: ['install-1'], generation: 1 }))] : []),
    ...(kb === 'fresh-kb' ? [fc.constant(call({ kb, chunk_ids: ['a'] }))] : []),
  );
}

function invalidGenerationCall(kb: Kb): fc.Arbitrary<ToolCall> {
  const badBool = fc.constantFrom<unknown>('true', 1, 0, null, 'yes', []);
  const badMetric = fc.constantFrom<unknown>('euclid', '', 'COSINE', 5, null, ['cosine']);
  return fc.oneof(
    badKb.map((k) => ({ tool: 'create_generation', args: { kb: k } })),
    badBool.map((v) => ({ tool: 'create_generation', args: { kb, copy_from_active: v } })),
    badMetric.map((v) => ({ tool: 'create_generation', args: { kb, metric: v } })),
    fc.constant(
      kb === 'fresh-kb'
        ? { tool: 'create_generation', args: { kb, copy_from_active: true } }
        : { tool: 'create_generation', args: { kb, copy_from_active: true, metric: 'l2' } },
    ),
    badKb.map((k) => ({ tool: 'promote_generation', args: { kb: k, generation: 1 } })),
    badGeneration.map((generation) => ({
      tool: 'promote_generation',
      args: { kb, generation: generation === 1 ? 999 : generation },
    })),
    fc.constant({ tool: 'promote_generation', args: { kb } }),
    // Promoting docs' empty building g3 is refused without sealing it (refused-calls.test.ts).
    badKb.map((k) => ({ tool: 'run_gc', args: { kb: k } })),
    fc
      .constantFrom<unknown>(-1, 1.5, '2', Number.NaN, null, Infinity)
      .map((v) => ({ tool: 'run_gc', args: { kb, retention_epochs: v } })),
    fc
      .constantFrom<unknown>(-1, 1.5, '2', Number.NaN, null, -Infinity)
      .map((v) => ({ tool: 'run_gc', args: { min_age_seconds: v } })),
    fc.constantFrom<unknown>('false', 0, null, []).map((v) => ({ tool: 'run_gc', args: { dry_run: v } })),
    ...(kb === 'fresh-kb' ? [fc.constant({ tool: 'run_gc', args: { kb } })] : []),
  );
}

/**
 * Per KB, built once: building them inside chain() re-ran every builder, a 65,537-number vector among them, for
 * each generated call (most of the fuzz test's time). The same arbitraries, so a seed still gives the same calls.
 */
const writeCallsByKb = new Map<Kb, fc.Arbitrary<ToolCall>>(
  KBS.map((kb) => [
    kb,
    fc.oneof(
      { weight: 5, arbitrary: mutateUpsert(kb) },
      { weight: 2, arbitrary: invalidDelete(kb) },
      { weight: 2, arbitrary: invalidGenerationCall(kb) },
    ),
  ]),
);

/** Write calls that must all be refused: each is a good call with one hostile mutation. */
export const invalidWriteCall: fc.Arbitrary<ToolCall> = fc
  .constantFrom(...KBS)
  .chain((kb) => writeCallsByKb.get(kb)!);
