// The engine called directly with what JSON cannot carry: NaN, ±Infinity, BigInt, typed arrays, symbols, cycles.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HashEmbedder } from '../../src/engine/embedding/index.js';
import { ERROR_CODES, isEngineError, openEngine, type KnowledgeBaseEngine } from '../../src/engine/index.js';
import { makeTempDir, type TempDir } from '../helpers/temp-dir.js';
import { dataChecksum } from './harness/data-checksum.js';
import { FUZZ_LIMITS } from './harness/fuzz-calls.js';
import { filterArb, hostileString, nested, PATH_LIKE_NAMES } from './harness/fuzz-values.js';

const SEED = Number(process.env.RAG_STUDIO_FUZZ_SEED ?? Date.now() % 1_000_000);
let dir: TempDir;
let engine: KnowledgeBaseEngine;
let before: Awaited<ReturnType<typeof dataChecksum>>;

const circular = () => {
  const o: Record<string, unknown> = { a: 1 };
  o.self = o;
  return o;
};

/** The one jsOnly value that is a valid (empty, plain) JSON object after all. */
const PLAIN_PROXY = new Proxy({}, {});
const isProxyOfPlainObject = (v: unknown) => v === PLAIN_PROXY;

/** Values no JSON transport can produce. */
const jsOnly: fc.Arbitrary<unknown> = fc.constantFrom<unknown>(
  Number.NaN,
  Infinity,
  -Infinity,
  10n,
  Symbol('s'),
  () => 1,
  new Date(0),
  new Map([['a', 1]]),
  new Set([1]),
  /re/,
  new Float32Array([Number.NaN]),
  new Float64Array([1e39]),
  new BigInt64Array([1n]),
  new Uint8Array(0),
  new DataView(new ArrayBuffer(4)),
  [1, , 3],
  Object.create({ inherited: 1 }) as unknown,
  new (class Chunk {})(),
  PLAIN_PROXY,
  new Error('x'),
  Promise.resolve(1),
);
const anyHostile = fc.oneof(jsOnly, fc.constant(undefined), fc.constant(null), hostileString);

/** An engine call must resolve or throw an EngineError with a stable code; STORAGE means bad input got through. */
async function expectClean(what: string, call: () => Promise<unknown>, mustFail: boolean): Promise<void> {
  let thrown: unknown;
  try {
    await call();
  } catch (error) {
    thrown = error;
  }
  if (thrown === undefined) {
    if (mustFail) throw new Error(`${what} was accepted`);
    return;
  }
  if (!isEngineError(thrown))
    throw new Error(`${what} threw a ${(thrown as Error)?.constructor?.name}: ${String(thrown)}`);
  if (!(ERROR_CODES as readonly string[]).includes(thrown.code) || thrown.code === 'STORAGE')
    throw new Error(`${what} → ${thrown.code}: ${thrown.message}`);
  if (thrown.message.length < 15) throw new Error(`${what} → terse message "${thrown.message}"`);
}

beforeAll(async () => {
  dir = await makeTempDir();
  engine = await openEngine({ dataDir: dir.path, embedder: new HashEmbedder(), limits: FUZZ_LIMITS });
  await engine.upsertChunks('docs', [
    { chunkId: 'c1', documentId: 'd1', content: 'alpha install guide', metadata: { lang: 'en' } },
    { chunkId: 'c2', documentId: 'd2', content: 'alpha configuration', metadata: { lang: 'de', n: 3 } },
  ]);
  await engine.upsertChunks('vectors', [
    { chunkId: 'v1', documentId: 'd', content: 'alpha', embedding: new Float32Array(8).fill(0.5) },
  ]);
  before = await dataChecksum(dir.path);
});
afterAll(async () => {
  await engine?.close();
  await dir?.remove();
});

describe(`engine calls with non-JSON values (fast-check seed ${SEED})`, () => {
  it('refuses chunks holding them, as EngineError, without writing', async () => {
    const field = fc.constantFrom(
      'chunkId',
      'documentId',
      'content',
      'metadata',
      'embedding',
      'title',
      'pageNumber',
      'sourcePath',
    );
    const badMetadata = fc.oneof(
      // Non-plain objects (a Proxy of a plain object is plain, so it is not here).
      fc.constantFrom<unknown>(
        new Date(0),
        new Map([['a', 1]]),
        new Set([1]),
        /re/,
        Object.create({ inherited: 1 }),
        new (class Meta {})(),
        new Error('x'),
        new Float32Array(2),
      ),
      jsOnly.filter((v) => !isProxyOfPlainObject(v)).map((v) => ({ a: v })),
      fc.constant(circular()),
      fc.integer({ min: 5, max: 200 }).map((d) => nested(d)),
    );
    const mutation = fc.oneof(
      fc.tuple(
        field,
        jsOnly.filter((v) => !(v instanceof Float32Array) && !isProxyOfPlainObject(v)),
      ),
      fc.tuple(fc.constant('metadata'), badMetadata),
      fc.tuple(
        fc.constant('embedding'),
        fc.constantFrom<unknown>(
          new Float32Array([Number.NaN, 1]),
          new Float64Array(8).fill(1e39),
          [Infinity],
          new Float32Array(7),
          new BigInt64Array(8),
          'x',
          new Float32Array(0),
        ),
      ),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('docs', 'vectors', 'fresh'), mutation, async (kb, [name, value]) => {
        const chunk: Record<string, unknown> = {
          chunkId: 'x1',
          documentId: 'd',
          content: 'alpha fuzz',
          ...(kb === 'vectors' ? { embedding: new Float32Array(8) } : {}),
        };
        chunk[name] = value;
        if (value === undefined && name !== 'chunkId' && name !== 'documentId' && name !== 'content') return;
        // A 7-d vector is wrong for docs (384-d) and vectors (8-d), but a new KB may take any dimension.
        if (
          kb === 'fresh' &&
          value instanceof Float32Array &&
          value.length > 0 &&
          value.every(Number.isFinite)
        )
          return;
        await expectClean(
          `upsert ${kb} ${name}=${String(value)}`,
          () => engine.upsertChunks(kb, [chunk as never]),
          true,
        );
      }),
      { numRuns: 800, seed: SEED, endOnFailure: true },
    );
  }, 120_000);

  it('refuses hostile knowledge-base names and arguments in every verb', async () => {
    const name = fc.oneof(
      fc.constantFrom<unknown>(...PATH_LIKE_NAMES),
      jsOnly,
      fc.constant({ toString: () => 'docs' }),
    );
    const verb = fc.constantFrom('upsert', 'delete', 'create', 'promote', 'gc', 'list', 'describe');
    await fc.assert(
      fc.asyncProperty(verb, name, anyHostile, async (v, kb, arg) => {
        const k = kb as string;
        const calls: Record<string, () => Promise<unknown>> = {
          upsert: () => engine.upsertChunks(k, [{ chunkId: 'a', documentId: 'd', content: 'alpha' }]),
          delete: () => engine.deleteChunks(k, { chunkIds: ['a'] }),
          create: () => engine.createGeneration(k, { metric: arg as never }),
          promote: () => engine.promoteGeneration(k, arg as never),
          gc: () => engine.gc({ kb: k, retentionEpochs: arg as never, dryRun: true }),
          list: () => engine.listGenerations(k),
          describe: () => engine.describeKnowledgeBase(k),
        };
        await expectClean(`${v}(${String(kb)})`, calls[v]!, true);
      }),
      { numRuns: 500, seed: SEED, endOnFailure: true },
    );
    // Valid names with hostile arguments.
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('delete', 'promote', 'gc', 'create'), jsOnly, async (v, arg) => {
        const calls: Record<string, () => Promise<unknown>> = {
          delete: () => engine.deleteChunks('docs', { chunkIds: arg as never, documentIds: [arg] as never }),
          promote: () => engine.promoteGeneration('docs', arg as never),
          gc: () => engine.gc({ kb: 'docs', minAgeSeconds: arg as never, retentionEpochs: 1, dryRun: true }),
          create: () =>
            engine.createGeneration('docs', {
              copyFromActive: true,
              metric: arg as never,
              indexConfig: { nprobes: arg } as never,
            }),
        };
        await expectClean(`${v}(docs, ${String(arg)})`, calls[v]!, true);
      }),
      { numRuns: 300, seed: SEED, endOnFailure: true },
    );
  }, 120_000);

  it('answers searches with non-JSON values or refuses them as EngineError', async () => {
    // Known gaps, each with its own test in rejected-calls.test.ts: `fusion: null` and a BigInt64Array vector
    // throw a TypeError. They are left out here so that this property keeps looking for new ones.
    const notKnownGap = (v: unknown) => v !== null && !(v instanceof BigInt64Array);
    const hostile = { vector: anyHostile.filter(notKnownGap), fusion: anyHostile.filter(notKnownGap) };
    const field = {
      kb: anyHostile,
      text: anyHostile,
      vector: fc.oneof(
        fc.constantFrom<unknown>(
          new Float32Array(8).fill(0.1),
          new Float32Array(384).fill(0.1),
          new Float32Array([Number.NaN]),
          new Float64Array(384).fill(Infinity),
          [Number.NaN],
          new Float32Array(0),
        ),
        hostile.vector,
      ),
      mode: anyHostile,
      limit: fc.oneof(fc.constantFrom<unknown>(Number.NaN, Infinity, -0, 0, 1.5, 10n, 101), anyHostile),
      offset: fc.oneof(fc.constantFrom<unknown>(Number.NaN, -Infinity, -0, 0.5, 10n), anyHostile),
      filter: fc.oneof(
        filterArb,
        anyHostile,
        jsOnly.map((v) => ({ document_id: v })),
        jsOnly.map((v) => ({ 'metadata.n': { $gt: v } })),
        jsOnly.map((v) => ({ chunk_id: { $in: [v] } })),
        fc.constant(circular()),
        fc.constant({ $or: [circular()] }),
      ),
      generation: anyHostile,
      fusion: fc.oneof(
        fc.constantFrom<unknown>(
          { method: 'weighted', weights: { vector: Number.NaN, lexical: 1 } },
          { method: 'rrf', k: -Infinity },
          { method: 'weighted', weights: { vector: Infinity, lexical: Infinity } },
          { method: 'weighted', weights: null },
          { method: 'rrf', k: 0 },
          { method: 'weighted', weights: { vector: 0, lexical: 0 } },
        ),
        hostile.fusion,
      ),
    };
    // A good request with one field replaced, so every value reaches the check that should catch it.
    const request = fc.constantFrom(...(Object.keys(field) as Array<keyof typeof field>)).chain((name) =>
      field[name].map((value) => ({
        kb: 'docs',
        text: 'alpha',
        mode: name === 'vector' ? 'vector' : 'hybrid',
        limit: 10,
        [name]: value,
      })),
    );
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        let response: Awaited<ReturnType<KnowledgeBaseEngine['search']>> | undefined;
        await expectClean('search', async () => (response = await engine.search(r as never)), false);
        for (const hit of response?.results ?? []) {
          if (!Number.isFinite(hit.score)) throw new Error(`non-finite score ${hit.score}`);
        }
      }),
      { numRuns: 1500, seed: SEED, endOnFailure: true },
    );
  }, 120_000);

  it('changed no data', async () => {
    expect(await dataChecksum(dir.path)).toEqual(before);
  });
});
