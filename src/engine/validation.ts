// Input checks that run before anything touches storage: knowledge-base names, chunk batches, default limits.
import { EngineError } from './errors.js';
import { setting } from './terms.js';
import { METADATA_KEY_SEGMENT } from './search/filter.js';
import { INPUT_FIELDS, type ChunkFieldKind } from './storage/chunk-fields.js';
import type { EngineLimits } from './types.js';
import { clip, describeValue, isPlainObject } from './value-description.js';

/** Limits used when EngineOptions.limits leaves one out. */
export const DEFAULT_LIMITS: Readonly<EngineLimits> = Object.freeze({
  /** Chunks in one upsert call; more fails with LIMIT_EXCEEDED (split the batch). @example 100000 */
  maxChunksPerCall: 100_000,
  /** Size of one chunk's content in UTF-8 bytes (256 KiB). @example 262144 */
  maxContentBytes: 262_144,
  /** Size of one chunk's metadata serialized as JSON, in UTF-8 bytes (16 KiB). @example 16384 */
  maxMetadataBytes: 16_384,
  /** Nesting of metadata: `{a: 1}` is depth 1, `{a: {b: [1]}}` depth 3. @example 8 */
  maxMetadataDepth: 8,
  /** Length of a chunk id or document id, in UTF-16 code units. @example 512 */
  maxIdLength: 512,
  /** Length of a search query text, in UTF-16 code units. @example 4096 */
  maxQueryLength: 4096,
  /** Largest `limit` of one search. @example 100 */
  maxLimit: 100,
  /** Largest `offset` of one search. @example 10000 */
  maxOffset: 10_000,
  /** Nodes of one filter: objects, conditions, operators and $in/$nin values each count one. @example 64 */
  maxFilterNodes: 64,
  /** Nesting of $and/$or in one filter; a flat filter is depth 1. @example 6 */
  maxFilterDepth: 6,
  /** Chunk ids plus document ids in one delete call. @example 10000 */
  maxDeleteIds: 10_000,
  /**
   * Size of each citation field (title, sourcePath, license, version, anchor) in UTF-8 bytes (4 KiB): they
   * are returned with every hit and `title` is BM25-indexed, so they must not sidestep maxContentBytes.
   * @example 4096
   */
  maxCitationBytes: 4096,
  /** Estimated bytes of search responses the result cache keeps (64 MiB); one over a quarter of it is not cached. @example 67108864 */
  maxSearchCacheBytes: 64 * 1024 * 1024,
});

/** Most numbers in one embedding vector. @example 65536 */
export const MAX_EMBEDDING_DIMENSION = 65_536;
/** The rule a knowledge-base name must follow: it becomes part of table names and paths. */
export const KB_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;
/** Problems listed in an assertChunksValid message before "and N more". */
const LISTED_PROBLEMS = 20;
const FLOAT32_MAX = 3.4028234663852886e38;
/** Smallest normal float32: squared lengths below it underflow (or flush to zero) in LanceDB's float32 math. */
const FLOAT32_MIN_NORMAL = 1.1754943508222875e-38;
/**
 * Largest squared length accepted: distances between two such vectors (up to 4× it for L2) stay finite in
 * float32. @example 8.5e37
 */
const MAX_SQUARED_LENGTH = FLOAT32_MAX / 4;
const INT32_MAX = 2147483647;
/** ChunkInput properties: the engine's own plus every caller-set stored field (chunk-fields.ts). */
const CHUNK_FIELDS = [
  'chunkId',
  'documentId',
  'content',
  'metadata',
  'embedding',
  'embeddingText',
  ...INPUT_FIELDS.map((f) => f.input),
];
/** Headings kept in a heading path, and the UTF-8 bytes of each. */
const MAX_HEADING_DEPTH = 32;

export interface ChunkProblem {
  /** Position of the chunk in the call. */
  index: number;
  reason: string;
}

/**
 * Returns `name` when it is a valid knowledge-base name, else throws INVALID_INPUT saying the rule.
 * @example validateKbName('docs-v2') // 'docs-v2'
 */
export function validateKbName(name: unknown): string {
  if (typeof name === 'string' && KB_NAME_PATTERN.test(name)) return name;
  const shown = typeof name === 'string' ? JSON.stringify(clip(name)) : `of type ${typeof name}`;
  const suggestion = typeof name === 'string' ? suggestKbName(name) : undefined;
  throw new EngineError(
    'INVALID_INPUT',
    `invalid knowledge base name ${shown}: use 1-64 characters of lowercase letters a-z, digits, "_" and "-", ` +
      `starting with a letter or digit (${KB_NAME_PATTERN.source}), e.g. "docs" or "team_wiki-2"` +
      (suggestion === undefined ? '' : `. Did you mean "${suggestion}"?`),
  );
}

/** The valid name a person most likely meant: `Team Wiki` → `team-wiki`. Undefined when none is close. */
export function suggestKbName(name: string): string | undefined {
  const candidate = name
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[-_]+|[-_]+$/g, '');
  return KB_NAME_PATTERN.test(candidate) ? candidate : undefined;
}

/**
 * Checks every chunk of one upsert call and returns all problems found (empty when the batch is good).
 *
 * Rules: each chunk is an object with only ChunkInput fields; `chunkId`/`documentId` are non-empty strings of
 * at most maxIdLength code units, and no `chunkId` repeats within the call; `content` is a string with
 * non-whitespace text and at most maxContentBytes UTF-8 bytes; ids, content and citation strings have no
 * unpaired surrogates and no leading U+FEFF (neither would read back as written); `metadata`, if
 * given, is a plain object of JSON values (strings without unpaired surrogates, finite numbers, booleans,
 * null, arrays, plain objects) at most maxMetadataDepth deep and maxMetadataBytes serialized, whose keys at
 * every level match METADATA_KEY_SEGMENT (`^[A-Za-z0-9_-]{1,64}$`) so that `metadata.a.b` filters can
 * reach them, and are not `__proto__`; citation fields are strings of at most maxCitationBytes UTF-8 bytes, null or absent; integer fields (`pageNumber`,
 * `ordinal`, `lineStart`, `lineEnd`) are integers 0..2147483647, null or absent; `headingPath` is an array of
 * at most 32 such strings, null or absent; `embedding`, if given, is an array or typed array of 1..65536 finite numbers within float32 range,
 * and all embeddings of the call have one length. A field set to `undefined` counts as absent.
 *
 * More than maxChunksPerCall chunks throws LIMIT_EXCEEDED at once, without inspecting them.
 */
export function validateChunks(chunks: unknown[], limits: EngineLimits): { problems: ChunkProblem[] } {
  if (!Array.isArray(chunks))
    throw new EngineError('INVALID_INPUT', 'chunks must be an array of chunk objects');
  if (chunks.length > limits.maxChunksPerCall) {
    throw new EngineError(
      'LIMIT_EXCEEDED',
      `${chunks.length} chunks in one call; at most ${limits.maxChunksPerCall} are accepted: split the batch`,
    );
  }
  const problems: ChunkProblem[] = [];
  const firstIndexOfId = new Map<string, number>();
  let dimension: { length: number; index: number } | undefined;
  chunks.forEach((chunk, index) => {
    const report = (reason: string) => problems.push({ index, reason });
    if (!isPlainObject(chunk)) {
      report(`not a chunk object (got ${describeValue(chunk)})`);
      return;
    }
    const unknown = Object.keys(chunk).filter((k) => !CHUNK_FIELDS.includes(k) && chunk[k] !== undefined);
    if (unknown.length > 0) {
      const hint =
        unknown.includes('chunk_id') || unknown.includes('document_id') ? ' (fields are camelCase)' : '';
      report(
        `unknown field(s) ${unknown.slice(0, 5).join(', ')}${hint}; allowed: ${CHUNK_FIELDS.join(', ')}`,
      );
    }
    for (const field of ['chunkId', 'documentId'] as const) {
      const problem = idProblem(chunk[field], limits.maxIdLength);
      if (problem) report(`${field} ${problem}`);
    }
    if (typeof chunk.chunkId === 'string' && idProblem(chunk.chunkId, limits.maxIdLength) === undefined) {
      const first = firstIndexOfId.get(chunk.chunkId);
      if (first === undefined) firstIndexOfId.set(chunk.chunkId, index);
      else
        report(
          `chunkId "${clip(chunk.chunkId)}" repeats chunk ${first}'s; each chunk may appear once per call`,
        );
    }
    const contentProblem = textProblem(chunk.content, limits.maxContentBytes);
    if (contentProblem) report(`content ${contentProblem}`);
    if (chunk.metadata !== undefined) {
      const problem = metadataProblem(chunk.metadata, limits);
      if (problem) report(problem);
    }
    if (chunk.embeddingText !== undefined && typeof chunk.embeddingText !== 'string') {
      report(`embeddingText must be a string, got ${describeValue(chunk.embeddingText)}`);
    }
    for (const { input, kind } of INPUT_FIELDS) {
      const problem = inputFieldProblem(chunk[input], kind, limits);
      if (problem) report(`${input} ${problem}`);
    }
    if (chunk.embedding !== undefined) {
      const problem = embeddingProblem(chunk.embedding);
      if (problem) report(`embedding ${problem}`);
      else {
        const length = (chunk.embedding as ArrayLike<number>).length;
        if (!dimension) dimension = { length, index };
        else if (length !== dimension.length) {
          report(
            `embedding has ${length} numbers but chunk ${dimension.index}'s has ${dimension.length}; ` +
              'all vectors in one call must have the same dimension',
          );
        }
      }
    }
  });
  return { problems };
}

/** The generic rule of an optional caller-set stored field (a citation string, an integer, a heading path). */
function inputFieldProblem(value: unknown, kind: ChunkFieldKind, limits: EngineLimits): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (kind === 'integer') {
    return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= INT32_MAX
      ? undefined
      : `must be an integer from 0 to ${INT32_MAX} or null, got ${describeValue(value)}`;
  }
  if (kind === 'string-list') {
    if (
      !Array.isArray(value) ||
      value.length > MAX_HEADING_DEPTH ||
      value.some((v) => typeof v !== 'string')
    ) {
      return `must be an array of at most ${MAX_HEADING_DEPTH} strings or null, got ${describeValue(value)}`;
    }
    for (const entry of value as string[]) {
      const problem = unstorableStringProblem(entry) ?? citationSizeProblem(entry, limits.maxCitationBytes);
      if (problem) return `entry ${problem}`;
    }
    return undefined;
  }
  if (typeof value !== 'string') return `must be a string or null, got ${describeValue(value)}`;
  return unstorableStringProblem(value) ?? citationSizeProblem(value, limits.maxCitationBytes);
}

/**
 * Throws INVALID_INPUT listing each problem (`chunk 3: content is empty`, the first 20, then "and N more")
 * with the full list as `details`, so that nothing of a bad batch is written. Throws LIMIT_EXCEEDED for
 * too many chunks, like validateChunks.
 */
export function assertChunksValid(chunks: unknown[], limits: EngineLimits): void {
  const { problems } = validateChunks(chunks, limits);
  if (problems.length === 0) return;
  const bad = new Set(problems.map((p) => p.index)).size;
  const listed = problems.slice(0, LISTED_PROBLEMS).map((p) => `chunk ${p.index}: ${p.reason}`);
  const more = problems.length > LISTED_PROBLEMS ? `; and ${problems.length - LISTED_PROBLEMS} more` : '';
  throw new EngineError(
    'INVALID_INPUT',
    `${bad} of ${chunks.length} chunks are invalid, so none was written; fix them and retry: ${listed.join('; ')}${more}`,
    { details: problems },
  );
}

/**
 * Why a string would not read back as written, if it would not: storage holds UTF-8, which has no unpaired
 * surrogates (they come back as U+FFFD), and Arrow's decoder drops a leading U+FEFF (byte order mark).
 */
function unstorableStringProblem(value: string): string | undefined {
  const surrogate = surrogateProblem(value);
  if (surrogate) return surrogate;
  if (value.startsWith('\ufeff')) {
    return 'starts with U+FEFF (a byte order mark), which would be lost on reading: remove it';
  }
  return undefined;
}

/** Metadata strings live inside JSON, so only this half of unstorableStringProblem applies to them. */
function surrogateProblem(value: string): string | undefined {
  return /\p{Surrogate}/u.test(value)
    ? 'contains an unpaired UTF-16 surrogate, which UTF-8 cannot store'
    : undefined;
}

function citationSizeProblem(value: string, maxBytes: number): string | undefined {
  // Cheap bound first: a string of n UTF-16 units has at most 3n UTF-8 bytes.
  if (value.length * 3 <= maxBytes) return undefined;
  const bytes = Buffer.byteLength(value, 'utf8');
  return bytes > maxBytes
    ? `is ${bytes} bytes in UTF-8; the limit is ${maxBytes} (${setting('maxCitationBytes')}): shorten it, or keep long text in content or metadata`
    : undefined;
}

function idProblem(value: unknown, maxLength: number): string | undefined {
  if (typeof value !== 'string') return `must be a non-empty string, got ${describeValue(value)}`;
  if (value.trim() === '') return 'must be a non-empty string, got an empty one';
  if (value.length > maxLength) return `is ${value.length} characters long; the limit is ${maxLength}`;
  return unstorableStringProblem(value);
}

function textProblem(value: unknown, maxBytes: number): string | undefined {
  if (typeof value !== 'string') return `must be a string, got ${describeValue(value)}`;
  if (value.trim() === '') return 'is empty; a chunk needs text to search';
  const unstorable = unstorableStringProblem(value);
  if (unstorable) return unstorable;
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes > maxBytes) return `is ${bytes} bytes in UTF-8; the limit is ${maxBytes}: split the chunk`;
  return undefined;
}

function metadataProblem(metadata: unknown, limits: EngineLimits): string | undefined {
  if (!isPlainObject(metadata)) return `metadata must be a JSON object, got ${describeValue(metadata)}`;
  const problem = jsonProblem(metadata, 'metadata', 1, limits.maxMetadataDepth);
  if (problem) return problem;
  const bytes = Buffer.byteLength(JSON.stringify(metadata), 'utf8');
  if (bytes > limits.maxMetadataBytes) {
    return `metadata is ${bytes} bytes as JSON; the limit is ${limits.maxMetadataBytes}`;
  }
  return undefined;
}

/** The first reason `value` (at `path`, nested `depth` deep) is not storable, filterable JSON. */
function jsonProblem(value: unknown, path: string, depth: number, maxDepth: number): string | undefined {
  if (value === null || typeof value === 'boolean') return undefined;
  if (typeof value === 'string') {
    const problem = surrogateProblem(value);
    return problem && `${path} ${problem}`;
  }
  if (typeof value === 'number') {
    return Number.isFinite(value) ? undefined : `${path} is ${value}; JSON numbers must be finite`;
  }
  const isArray = Array.isArray(value);
  if (!isArray && !isPlainObject(value))
    return `${path} is ${describeValue(value)}, which is not a JSON value`;
  if (depth > maxDepth) return `metadata is nested deeper than ${maxDepth} levels at ${path}`;
  if (isArray) {
    for (let i = 0; i < value.length; i++) {
      const problem = jsonProblem(value[i], `${path}[${i}]`, depth + 1, maxDepth);
      if (problem) return problem;
    }
    return undefined;
  }
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    if (key === '__proto__') {
      // JSON.parse makes it an own key, but object spreads and most JSON tooling drop or misread it.
      return `metadata key "__proto__" at ${path} is reserved: rename it`;
    }
    if (!METADATA_KEY_SEGMENT.test(key)) {
      return (
        `metadata key "${clip(key)}" at ${path} is not filterable: keys must match ${METADATA_KEY_SEGMENT.source} ` +
        '(letters, digits, _ and -)'
      );
    }
    const problem = jsonProblem(child, `${path}.${key}`, depth + 1, maxDepth);
    if (problem) return problem;
  }
  return undefined;
}

function embeddingProblem(value: unknown): string | undefined {
  const isTyped =
    ArrayBuffer.isView(value) &&
    !(value instanceof DataView) &&
    !(value instanceof BigInt64Array) &&
    !(value instanceof BigUint64Array);
  if (!Array.isArray(value) && !isTyped) return `must be an array of numbers, got ${describeValue(value)}`;
  const vector = value as ArrayLike<unknown>;
  if (vector.length === 0) return 'is empty';
  if (vector.length > MAX_EMBEDDING_DIMENSION)
    return `has ${vector.length} numbers; the limit is ${MAX_EMBEDDING_DIMENSION}`;
  for (let i = 0; i < vector.length; i++) {
    const x = vector[i];
    if (typeof x !== 'number' || !Number.isFinite(x) || Math.abs(x) > FLOAT32_MAX) {
      return `[${i}] is ${describeValue(x)}; vectors hold finite float32 numbers`;
    }
  }
  return float32LengthProblem(vector as ArrayLike<number>);
}

/** Squared length as LanceDB will see it: each component rounded to float32 first. */
function squaredLength32(vector: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < vector.length; i++) {
    const x = Math.fround(vector[i]!);
    sum += x * x;
  }
  return sum;
}

/**
 * Why a vector's length breaks float32 arithmetic, or undefined: components near 1e19 and above make its
 * squared length overflow, so distances come out infinite or NaN (a chunk at 1e30 scored 0 against a
 * parallel query; one at 3e38 was never returned).
 */
export function float32LengthProblem(vector: ArrayLike<number>): string | undefined {
  const squared = squaredLength32(vector);
  if (squared <= MAX_SQUARED_LENGTH) return undefined;
  return (
    `has a squared length of ${squared.toExponential(2)}, beyond what float32 distances can hold ` +
    `(${MAX_SQUARED_LENGTH.toExponential(2)}): scale it down (unit-length vectors are best)`
  );
}

/**
 * True when the vector has no direction in float32, the type it is stored and compared in: all zeros, or
 * components so small (1e-46 rounds to 0; 1e-40 squares to 0) that its squared length underflows.
 * Cosine similarity is undefined for such a vector.
 */
export function isZeroVector(vector: ArrayLike<number>): boolean {
  return squaredLength32(vector) < FLOAT32_MIN_NORMAL;
}

/**
 * Throws INVALID_INPUT naming the chunks whose supplied embedding is all zeros, for a cosine generation: LanceDB
 * computes NaN distances for them, so vector search would never return them.
 */
export function assertNoZeroVectors(chunks: readonly ChunkInputLike[], where: string): void {
  const zero = chunks.flatMap((c, i) => (c.embedding !== undefined && isZeroVector(c.embedding) ? [i] : []));
  if (zero.length === 0) return;
  const listed = zero.slice(0, LISTED_PROBLEMS).join(', ') + (zero.length > LISTED_PROBLEMS ? ', …' : '');
  throw new EngineError(
    'INVALID_INPUT',
    `${zero.length} of ${chunks.length} chunks have an all-zero embedding (chunk ${listed}), so none was written: ` +
      `${where} uses cosine similarity, which is undefined for a vector without direction (components below ` +
      'float32 precision, like 1e-40, count as zero); send real vectors or ' +
      'leave `embedding` out to let the server embed the text',
  );
}

interface ChunkInputLike {
  embedding?: ArrayLike<number>;
}
