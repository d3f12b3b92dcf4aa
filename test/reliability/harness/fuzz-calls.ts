// Shared pieces of the generated tool calls (fixture, limits, hostile generation/KB values) and the searches.
import fc from 'fast-check';
import { filterArb, hostileString, hugeString, PATH_LIKE_NAMES, wrongValue } from './fuzz-values.js';

export interface ToolCall {
  tool: string;
  args: Record<string, unknown>;
}

/**
 * The fixture the fuzzer runs against (see fuzz-tools.test.ts): `docs` (hash, 384-d: g1 archived, g2 active,
 * g3 building and empty), `notes` (hash, g1 active), `vectors` (caller-supplied 8-d vectors, g1 active), and
 * `fresh-kb`, which does not exist.
 */
export const FUZZ_LIMITS = {
  maxChunksPerCall: 50,
  maxContentBytes: 4096,
  maxMetadataBytes: 1024,
  maxMetadataDepth: 4,
  maxIdLength: 64,
  maxQueryLength: 256,
  maxLimit: 100,
  maxOffset: 1000,
  maxFilterNodes: 24,
  maxFilterDepth: 3,
  maxDeleteIds: 20,
};
export const FUZZ_SERVER_ARGS = [
  '--max-chunks-per-call',
  '50',
  '--max-content-bytes',
  '4096',
  '--max-metadata-bytes',
  '1024',
  '--max-metadata-depth',
  '4',
  '--max-id-length',
  '64',
  '--max-query-length',
  '256',
  '--max-offset',
  '1000',
  '--max-filter-nodes',
  '24',
  '--max-filter-depth',
  '3',
  '--max-delete-ids',
  '20',
];
export const KBS = ['docs', 'notes', 'vectors', 'fresh-kb'] as const;
export type Kb = (typeof KBS)[number];
export const DIMENSION: Record<Kb, number | undefined> = {
  docs: 384,
  notes: 384,
  vectors: 8,
  'fresh-kb': undefined,
};

export const vector = (length: number, value = 0.1) => Array.from({ length }, () => value);
export const nonString = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 2 }),
  fc.dictionary(fc.string({ maxLength: 3 }), fc.integer(), { maxKeys: 2 }),
);
export const badGeneration = fc.constantFrom<unknown>(
  0,
  -1,
  1.5,
  '1',
  Number.NaN,
  Infinity,
  null,
  true,
  [],
  999,
  2 ** 31,
);
export const badKb = fc.oneof(fc.constantFrom(...PATH_LIKE_NAMES), nonString);

const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 3 });

const dropUndefined = (args: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(args).filter(([, v]) => v !== undefined));

/** Free-form searches: any field valid, hostile, wrong-typed or absent. */
const anySearch: fc.Arbitrary<ToolCall> = fc
  .record({
    kb: fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...KBS) }, { weight: 1, arbitrary: badKb }),
    query: optional(
      fc.oneof(
        {
          weight: 3,
          arbitrary: fc.constantFrom('alpha', 'install the server', 'garbage collection', 'configuration'),
        },
        { weight: 3, arbitrary: hostileString },
        { weight: 1, arbitrary: hugeString },
        { weight: 1, arbitrary: wrongValue },
      ),
    ),
    vector: optional(
      fc.oneof(
        fc.constantFrom(1, 3, 8, 384, 385).map((n) => vector(n, 0.05)),
        fc.array(fc.double(), { minLength: 1, maxLength: 9 }),
        fc.constant(vector(384, Number.NaN)),
        wrongValue,
      ),
    ),
    mode: optional(
      fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom('hybrid', 'vector', 'lexical') },
        { weight: 1, arbitrary: wrongValue },
      ),
    ),
    limit: optional(
      fc.oneof(
        fc.integer({ min: 1, max: 100 }),
        fc.constantFrom<unknown>(0, -1, 101, 1e9, 1.5, Number.NaN, '10', null),
      ),
    ),
    offset: optional(
      fc.oneof(
        fc.integer({ min: 0, max: 30 }),
        fc.constantFrom<unknown>(-1, 1001, 10_001, 2.5, Number.NaN, '0'),
      ),
    ),
    filter: optional(filterArb),
    generation: optional(fc.oneof(fc.constantFrom(1, 2, 3, 999), badGeneration)),
    fusion: optional(fc.oneof(fc.constantFrom('calibrated', 'rrf', 'weighted', 'adaptive'), wrongValue)),
  })
  .map((args) => ({ tool: 'hybrid_search', args: dropUndefined(args) }));

/** Well-formed searches with hostile query text and filters: these reach the FTS parser and the SQL predicate. */
const reachingSearch: fc.Arbitrary<ToolCall> = fc
  .record({
    kb: fc.constantFrom('docs', 'notes', 'vectors'),
    query: fc.oneof(hostileString, fc.constantFrom('alpha', 'install the server', 'npm')),
    mode: fc.constantFrom('hybrid', 'vector', 'lexical'),
    limit: optional(fc.integer({ min: 1, max: 100 })),
    offset: optional(fc.integer({ min: 0, max: 50 })),
    filter: optional(filterArb),
    generation: optional(fc.constantFrom(1, 2, 3)),
    fusion: optional(fc.constantFrom('calibrated', 'rrf', 'weighted', 'adaptive')),
  })
  .filter((args) => args.query.length > 0)
  .map((args) => ({ tool: 'hybrid_search', args: dropUndefined(args) }));

/** Searches never change data, so any of them may succeed. */
export const searchCall: fc.Arbitrary<ToolCall> = fc.oneof(anySearch, reachingSearch);

/** Filters on string columns with hostile values: results must satisfy the filter exactly (no injected predicate). */
export const injectionSearch = fc.record({
  field: fc.constantFrom('chunk_id', 'document_id', 'source_path', 'title', 'anchor', 'metadata.lang'),
  op: fc.constantFrom('$eq', '$ne', '$in', '$gt'),
  value: fc.oneof(
    hostileString,
    fc
      .constantFrom('guide', 'install-1', 'en')
      .chain((v) => fc.constantFrom(`${v}' OR '1'='1`, `${v}'--`, `${v}\\`, `${v}%`, `${v}_`, v)),
  ),
  kb: fc.constantFrom('docs', 'notes'),
});

/** Deletes whose ids are hostile strings: valid calls that must delete nothing (no id equals them). */
export const injectionDelete = fc.record({
  kb: fc.constantFrom('docs', 'notes', 'vectors'),
  chunk_ids: fc.array(hostileString, { minLength: 1, maxLength: 5 }),
  document_ids: fc.option(fc.array(hostileString, { minLength: 1, maxLength: 5 }), { nil: undefined }),
});
