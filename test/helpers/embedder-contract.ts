// Shared contract every Embedder implementation must pass; each implementation's test file runs it with its own factory.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isEngineError, type EngineError } from '../../src/engine/errors.js';
import type { Embedder } from '../../src/engine/types.js';

export interface EmbedderContractOptions {
  name: string;
  /** Builds a fresh embedder; called once per suite (loading a model is slow). */
  make: () => Promise<Embedder>;
  /** Tears down what `make` created (temp dirs). */
  cleanup?: () => Promise<void>;
  /** Output dimension the implementation must report. */
  dimension: number;
}

export function dot(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] as number) * (b[i] as number);
  return sum;
}

export function norm(a: Float32Array): number {
  return Math.sqrt(dot(a, a));
}

export function expectCloseVectors(actual: Float32Array, expected: Float32Array, tolerance = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    worst = Math.max(worst, Math.abs((actual[i] as number) - (expected[i] as number)));
  }
  expect(worst).toBeLessThanOrEqual(tolerance);
}

export async function expectEngineError(promise: Promise<unknown>, code: string): Promise<EngineError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error, `expected an EngineError ${code}, got success`).toBeDefined();
  expect(isEngineError(error), `expected an EngineError, got ${String(error)}`).toBe(true);
  expect((error as { code: string }).code).toBe(code);
  return error as EngineError;
}

export const ANCHOR = 'the cat sat on the mat';
export const RELATED = 'a cat sat on a red mat';
export const UNRELATED = 'stock market prices rise';

export function runEmbedderContract(options: EmbedderContractOptions): void {
  describe(`Embedder contract: ${options.name}`, () => {
    let embedder: Embedder;

    beforeAll(async () => {
      embedder = await options.make();
    });

    afterAll(async () => {
      await embedder.close?.();
      await options.cleanup?.();
    });

    it('returns one vector of the reported dimension per text', async () => {
      const vectors = await embedder.embedDocuments([ANCHOR, RELATED, UNRELATED]);
      expect(vectors).toHaveLength(3);
      for (const vector of vectors) {
        expect(vector).toBeInstanceOf(Float32Array);
        expect(vector.length).toBe(options.dimension);
      }
      expect(embedder.dimension).toBe(options.dimension);
      expect((await embedder.embedQuery(ANCHOR)).length).toBe(options.dimension);
    });

    it('returns unit-norm, finite vectors', async () => {
      const vectors = await embedder.embedDocuments([ANCHOR, UNRELATED, 'x', 'Ünïcödé — 東京 🚀']);
      vectors.push(await embedder.embedQuery(RELATED));
      for (const vector of vectors) {
        expect(vector.every((value) => Number.isFinite(value))).toBe(true);
        expect(norm(vector)).toBeCloseTo(1, 5);
      }
    });

    it('is deterministic', async () => {
      const [first] = await embedder.embedDocuments([UNRELATED]);
      const [second] = await embedder.embedDocuments([UNRELATED]);
      expectCloseVectors(first as Float32Array, second as Float32Array, 0);
    });

    it('embeds a batch exactly as one text at a time', async () => {
      const texts = [ANCHOR, 'short', UNRELATED, `${RELATED} ${RELATED} ${RELATED}`];
      const batch = await embedder.embedDocuments(texts);
      for (const [index, text] of texts.entries()) {
        const [single] = await embedder.embedDocuments([text]);
        expectCloseVectors(batch[index] as Float32Array, single as Float32Array);
      }
    });

    it('places texts that share words closer than unrelated texts', async () => {
      const [anchor, related, unrelated] = (await embedder.embedDocuments([ANCHOR, RELATED, UNRELATED])) as [
        Float32Array,
        Float32Array,
        Float32Array,
      ];
      expect(dot(anchor, related)).toBeGreaterThan(dot(anchor, unrelated) + 0.1);
    });

    it('returns an empty list for no texts', async () => {
      expect(await embedder.embedDocuments([])).toEqual([]);
    });

    it('rejects an already-aborted call with CANCELLED', async () => {
      const controller = new AbortController();
      controller.abort();
      await expectEngineError(embedder.embedDocuments([ANCHOR], controller.signal), 'CANCELLED');
      await expectEngineError(embedder.embedQuery(ANCHOR, controller.signal), 'CANCELLED');
    });

    it('reports ready once it has embedded', async () => {
      await embedder.embedQuery(ANCHOR);
      expect(embedder.status().state).toBe('ready');
      expect(embedder.id.length).toBeGreaterThan(0);
    });
  });
}
