// HashEmbedder: the shared contract plus hashing specifics (configurable dimension, normalisation, unicode, speed).
import { describe, expect, it } from 'vitest';
import { HashEmbedder, tokenize } from '../../../src/engine/embedding/hash-embedder.js';
import { createEmbedder } from '../../../src/engine/embedding/index.js';
import { EngineError } from '../../../src/engine/errors.js';
import { dot, expectCloseVectors, norm, runEmbedderContract } from '../../helpers/embedder-contract.js';

runEmbedderContract({ name: 'HashEmbedder', make: async () => new HashEmbedder(), dimension: 384 });

describe('HashEmbedder', () => {
  const embedder = new HashEmbedder();

  it('is what createEmbedder returns for model "hash", with id "hash" and a scheme revision', () => {
    const created = createEmbedder({
      model: 'hash',
      modelsDir: '/nonexistent',
      offline: true,
      batchSize: 32,
    });
    expect(created).toBeInstanceOf(HashEmbedder);
    expect(created.id).toBe('hash');
    expect(created.dimension).toBe(384);
    expect(created.revision).toMatch(/^fnv1a/);
    expect(created.status()).toEqual({ state: 'ready', progress: 1 });
  });

  it('honours a configured dimension', async () => {
    const small = new HashEmbedder({ dimension: 64 });
    const [vector] = await small.embedDocuments(['hello world']);
    expect(vector?.length).toBe(64);
    expect(norm(vector as Float32Array)).toBeCloseTo(1, 5);
  });

  it('rejects impossible dimensions and n-gram lengths with INVALID_INPUT', () => {
    for (const options of [{ dimension: 0 }, { dimension: 1.5 }, { dimension: 1_000_000 }, { ngram: -1 }]) {
      expect(() => new HashEmbedder(options)).toThrow(EngineError);
    }
  });

  it('gives a unit vector for empty and whitespace-only text, the same for both', async () => {
    const [empty, blank] = (await embedder.embedDocuments(['', ' \n\t '])) as [Float32Array, Float32Array];
    expect(norm(empty)).toBeCloseTo(1, 5);
    expectCloseVectors(empty, blank, 0);
    const [word] = (await embedder.embedDocuments(['word'])) as [Float32Array];
    expect(dot(empty, word)).toBeLessThan(0.9);
  });

  it('normalises case, width and accents but keeps scripts apart', async () => {
    const [plain, fancy, tokyo, kyoto] = (await embedder.embedDocuments([
      'cafe resume',
      'CAFÉ  Résumé',
      '東京の天気',
      'Ｋｙｏｔｏ',
    ])) as [Float32Array, Float32Array, Float32Array, Float32Array];
    expectCloseVectors(plain, fancy, 1e-6);
    expect(tokenize('Ｋｙｏｔｏ')).toEqual(['kyoto']);
    expect(tokenize('東京の天気, ok!')).toEqual(['東京の天気', 'ok']);
    expect(dot(tokyo, plain)).toBeLessThan(0.5);
    expect(norm(kyoto)).toBeCloseTo(1, 5);
  });

  it('ranks shared words above shared word pieces above nothing in common', async () => {
    const [query, sameWord, samePiece, nothing] = (await embedder.embedDocuments([
      'embedding models',
      'embedding vectors',
      'embedded modelling',
      'quarterly tax returns',
    ])) as [Float32Array, Float32Array, Float32Array, Float32Array];
    const toSameWord = dot(query, sameWord);
    const toSamePiece = dot(query, samePiece);
    const toNothing = dot(query, nothing);
    expect(toSameWord).toBeGreaterThan(toSamePiece);
    expect(toSamePiece).toBeGreaterThan(toNothing + 0.1);
  });

  it('embeds the query exactly like a document (no prefix, no cache surprises)', async () => {
    const query = await embedder.embedQuery('vector search');
    const [document] = await embedder.embedDocuments(['vector search']);
    expectCloseVectors(query, document as Float32Array, 0);
  });

  it('yields to the event loop while hashing a large batch', async () => {
    // 20k chunks take far longer than one 8 ms slice on any machine (~0.4 s here), so the loop must yield.
    const texts = Array.from(
      { length: 20_000 },
      (_, i) => `chunk ${i} about vectors, search and ranking of documents number ${i * 7}`,
    );
    let yielded = false;
    // Runs at the embedder's first yield; a loop that never yields resolves (a microtask) before it.
    setImmediate(() => {
      yielded = true;
    });
    const vectors = await embedder.embedDocuments(texts);
    expect(yielded).toBe(true);
    expect(vectors).toHaveLength(20_000);
  });

  it('stops between slices when aborted mid-way', async () => {
    const texts = Array.from({ length: 200_000 }, (_, i) => `text ${i} with a few words to hash`);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 5);
    await expect(embedder.embedDocuments(texts, controller.signal)).rejects.toMatchObject({
      code: 'CANCELLED',
    });
  });
});
