// TransformersEmbedder end to end on a generated tiny BERT-shaped ONNX model: real worker, real inference, no network.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { engineErrorText } from '../../../src/config/engine-error-text.js';
import { EmbeddingWorkerClient } from '../../../src/engine/embedding/embedding-worker-client.js';
import { createEmbedder, TransformersEmbedder } from '../../../src/engine/embedding/index.js';
import type { EmbeddingSettings } from '../../../src/engine/embedding/settings.js';
import type { EmbedderStatus } from '../../../src/engine/types.js';
import {
  ANCHOR,
  dot,
  expectCloseVectors,
  expectEngineError,
  RELATED,
  runEmbedderContract,
  UNRELATED,
} from '../../helpers/embedder-contract.js';
import { makeTempDir, type TempDir } from '../../helpers/temp-dir.js';
import { TINY_MODEL_HIDDEN, writeTinyModel, type TinyModel } from '../../helpers/tiny-model.js';

/** A port nothing listens on: if any code path tried the network, it would fail fast, not hang. */
const NO_NETWORK = 'http://127.0.0.1:9/';

function settingsFor(
  model: string,
  modelsDir: string,
  extra: Partial<EmbeddingSettings> = {},
): EmbeddingSettings {
  return { model, modelsDir, offline: true, hfEndpoint: NO_NETWORK, batchSize: 8, ...extra };
}

let contractDir: TempDir;
runEmbedderContract({
  name: 'TransformersEmbedder (tiny ONNX model)',
  dimension: TINY_MODEL_HIDDEN,
  make: async () => {
    contractDir = await makeTempDir('rag-embed-contract-');
    const model = await writeTinyModel(contractDir.path);
    return new TransformersEmbedder(settingsFor(model.dir, join(contractDir.path, 'models')));
  },
  cleanup: async () => contractDir.remove(),
});

describe('TransformersEmbedder', () => {
  let temp: TempDir;
  let both: TinyModel;
  let fp32Only: TinyModel;
  let modelsDir: string;
  const opened: TransformersEmbedder[] = [];

  /** Every embedder a test opens is closed afterwards, so no worker outlives its test. */
  function open(
    settings: EmbeddingSettings,
    options: ConstructorParameters<typeof TransformersEmbedder>[1] = {},
  ) {
    const embedder = new TransformersEmbedder(settings, options);
    opened.push(embedder);
    return embedder;
  }

  beforeAll(async () => {
    temp = await makeTempDir('rag-embed-');
    modelsDir = join(temp.path, 'models');
    both = await writeTinyModel(temp.path, { name: 'tiny-both', quantized: true });
    fp32Only = await writeTinyModel(temp.path, { name: 'tiny-fp32' });
  });

  afterEach(async () => {
    vi.restoreAllMocks();
    await Promise.all(opened.splice(0).map((embedder) => embedder.close()));
  });

  afterAll(async () => {
    await temp.remove();
  });

  it('is what createEmbedder returns for a model path', () => {
    const embedder = createEmbedder(settingsFor(both.dir, modelsDir));
    expect(embedder).toBeInstanceOf(TransformersEmbedder);
    expect(embedder.id).toBe(both.dir);
  });

  it('goes loading → ready with progress, and records dimension, pooling and the ONNX file hash', async () => {
    const embedder = open(settingsFor(both.dir, modelsDir));
    expect(embedder.status()).toMatchObject({ state: 'loading', progress: 0 });
    expect(embedder.revision).toBeUndefined();
    const seen: EmbedderStatus[] = [];
    const poll = setInterval(() => seen.push(embedder.status()), 1);
    embedder.prewarm();
    while (embedder.status().state === 'loading') await new Promise((resolve) => setTimeout(resolve, 2));
    clearInterval(poll);
    expect(embedder.status()).toEqual({ state: 'ready', progress: 1 });
    expect(seen.some((status) => status.state === 'loading' && status.detail !== undefined)).toBe(true);
    expect(seen.every((status) => status.state !== 'failed')).toBe(true);
    expect(embedder.dimension).toBe(TINY_MODEL_HIDDEN);
    expect(embedder.pooling).toBe('mean');
    // Both files exist, so q8 (model_quantized.onnx) is the one loaded and hashed.
    expect(embedder.revision).toBe(`sha256:${both.sha256['onnx/model_quantized.onnx']?.slice(0, 16)}`);
  });

  it('uses model.onnx (fp32) when no quantized file exists, or when the dtype setting asks for it', async () => {
    const fp32 = open(settingsFor(fp32Only.dir, modelsDir));
    const forced = open(settingsFor(both.dir, modelsDir, { dtype: 'fp32' }));
    const quantized = open(settingsFor(both.dir, modelsDir));
    const [fromFp32] = await fp32.embedDocuments([ANCHOR]);
    const [fromForced] = await forced.embedDocuments([ANCHOR]);
    const [fromQuantized] = await quantized.embedDocuments([ANCHOR]);
    expect(fp32.revision).toBe(`sha256:${fp32Only.sha256['onnx/model.onnx']?.slice(0, 16)}`);
    expect(forced.revision).toBe(`sha256:${both.sha256['onnx/model.onnx']?.slice(0, 16)}`);
    // Same seed: the fp32 files are identical, the 8-bit-rounded one is close but not equal.
    expectCloseVectors(fromFp32 as Float32Array, fromForced as Float32Array, 0);
    expect(dot(fromForced as Float32Array, fromQuantized as Float32Array)).toBeGreaterThan(0.99);
    expect(Array.from(fromForced as Float32Array)).not.toEqual(Array.from(fromQuantized as Float32Array));
  });

  it('gives the same vectors from two independent embedders (and worker threads)', async () => {
    const first = open(settingsFor(fp32Only.dir, modelsDir));
    const second = open(settingsFor(fp32Only.dir, modelsDir, { batchSize: 3 }));
    const texts = [ANCHOR, RELATED, UNRELATED, 'one two three', 'music and songs'];
    const a = await first.embedDocuments(texts);
    const b = await second.embedDocuments(texts);
    for (const [index] of texts.entries())
      expectCloseVectors(a[index] as Float32Array, b[index] as Float32Array);
  });

  it('applies the pooling setting in the worker: cls on this attention-free model makes every text alike', async () => {
    const mean = open(settingsFor(fp32Only.dir, modelsDir));
    const cls = open(settingsFor(fp32Only.dir, modelsDir, { pooling: 'cls' }));
    expect(cls.pooling).toBe('cls');
    const [meanA, meanB] = (await mean.embedDocuments([ANCHOR, UNRELATED])) as [Float32Array, Float32Array];
    const [clsA, clsB] = (await cls.embedDocuments([ANCHOR, UNRELATED])) as [Float32Array, Float32Array];
    expect(dot(meanA, meanB)).toBeLessThan(0.95);
    expect(dot(clsA, clsB)).toBeCloseTo(1, 5);
  });

  it('prefixes queries (not documents) with the query prefix', async () => {
    const plain = open(settingsFor(fp32Only.dir, modelsDir));
    const prefixed = open(settingsFor(fp32Only.dir, modelsDir, { queryPrefix: 'search for music songs: ' }));
    const [document] = (await prefixed.embedDocuments([ANCHOR])) as [Float32Array];
    const [plainDocument] = (await plain.embedDocuments([ANCHOR])) as [Float32Array];
    expectCloseVectors(document, plainDocument);
    expectCloseVectors(await plain.embedQuery(ANCHOR), plainDocument);
    expect(dot(await prefixed.embedQuery(ANCHOR), document)).toBeLessThan(0.99);
  });

  it('answers a repeated query from the LRU cache, returning a copy', async () => {
    const embedder = open(settingsFor(fp32Only.dir, modelsDir, { queryCacheSize: 2 }));
    const embed = vi.spyOn(EmbeddingWorkerClient.prototype, 'embed');
    const first = await embedder.embedQuery('cache me');
    first.fill(0);
    const second = await embedder.embedQuery('cache me');
    expect(embed).toHaveBeenCalledTimes(1);
    expect(second.some((value) => value !== 0)).toBe(true);
    await embedder.embedQuery('other one');
    await embedder.embedQuery('third one'); // evicts "cache me" (capacity 2)
    await embedder.embedQuery('cache me');
    expect(embed).toHaveBeenCalledTimes(4);
  });

  it('cancels a large embedding mid-way and keeps working afterwards', async () => {
    const embedder = open(settingsFor(fp32Only.dir, modelsDir, { batchSize: 4 }));
    await embedder.embedQuery('warm up');
    const embed = vi.spyOn(EmbeddingWorkerClient.prototype, 'embed');
    const controller = new AbortController();
    const texts = Array.from({ length: 20_000 }, (_, i) => `document ${i} about cats and dogs`);
    const pending = embedder.embedDocuments(texts, controller.signal);
    setTimeout(() => controller.abort(), 20);
    await expectEngineError(pending, 'CANCELLED');
    const batchesSent = embed.mock.calls.length;
    expect(batchesSent).toBeGreaterThan(0);
    expect(batchesSent).toBeLessThan(texts.length / 4);
    expect((await embedder.embedDocuments([ANCHOR]))[0]?.length).toBe(TINY_MODEL_HIDDEN);
  });

  it('lets a query overtake a large document embedding, and keeps the event loop free meanwhile', async () => {
    const embedder = open(settingsFor(fp32Only.dir, modelsDir, { batchSize: 8 }));
    await embedder.embedQuery('warm up');
    const texts = Array.from(
      { length: 6_000 },
      (_, i) => `chunk ${i}: the red car drives fast on the old road`,
    );
    const delay = monitorEventLoopDelay({ resolution: 1 });
    delay.enable();
    let documentsDone = false;
    const started = performance.now();
    const documents = embedder.embedDocuments(texts).then((vectors) => {
      documentsDone = true;
      return vectors;
    });
    await new Promise((resolve) => setTimeout(resolve, 30));
    await embedder.embedQuery('a query while documents embed');
    const queryDoneWhileDocumentsPending = !documentsDone;
    expect((await documents).length).toBe(texts.length);
    const elapsed = performance.now() - started;
    delay.disable();
    expect(queryDoneWhileDocumentsPending).toBe(true);
    // Inline inference would block for the whole run; in the worker the loop only sees message handling.
    const maxLagMs = delay.max / 1e6;
    expect(maxLagMs).toBeLessThan(Math.max(100, elapsed / 4));
  });

  it('fails offline with a missing hub model, naming the model and the directory, then loads once the files appear', async () => {
    const cache = join(temp.path, 'hub-cache');
    const settings = settingsFor('test-org/tiny-hub', cache);
    const strict = open(settings, { retryAfterMs: 60_000 });
    const eager = open(settings, { retryAfterMs: 0 });
    const error = await expectEngineError(strict.embedQuery(ANCHOR), 'EMBEDDER_UNAVAILABLE');
    await expectEngineError(eager.embedQuery(ANCHOR), 'EMBEDDER_UNAVAILABLE');
    const expectedDir = join(cache, 'test-org', 'tiny-hub');
    expect(error.message).toContain('"test-org/tiny-hub"');
    expect(error.message).toContain(expectedDir);
    expect(error.message).toMatch(/offline/);
    // The engine names the setting in its words; callers (tools, CLI) read it as the env var.
    expect(error.message).toMatch(/set embeddingModel=hash/);
    expect(engineErrorText(error)).toMatch(/set RAG_STUDIO_EMBEDDING_MODEL=hash/);
    expect(strict.status()).toEqual({ state: 'failed', reason: error.text });

    await mkdir(join(cache, 'test-org'), { recursive: true });
    await writeTinyModel(join(cache, 'test-org'), { name: 'tiny-hub', quantized: true });
    // Within retryAfterMs the same error comes back without touching the disk again.
    expect((await expectEngineError(strict.embedQuery(ANCHOR), 'EMBEDDER_UNAVAILABLE')).message).toBe(
      error.message,
    );
    const vector = await eager.embedQuery(ANCHOR);
    expect(vector.length).toBe(TINY_MODEL_HIDDEN);
    expect(eager.status().state).toBe('ready');
  });

  it('fails clearly for a local directory that does not exist', async () => {
    const missing = join(temp.path, 'no-such-model');
    const embedder = open(settingsFor(missing, modelsDir, { offline: false }));
    const error = await expectEngineError(embedder.embedDocuments([ANCHOR]), 'EMBEDDER_UNAVAILABLE');
    expect(error.message).toContain(missing);
    expect(error.message).toContain('config.json');
    expect(embedder.status()).toMatchObject({ state: 'failed', reason: error.text });
  });

  it('fails clearly (status failed with the reason) when the ONNX file is corrupt', async () => {
    const broken = await writeTinyModel(temp.path, { name: 'tiny-broken' });
    await writeFile(join(broken.dir, 'onnx', 'model.onnx'), 'this is not a protobuf');
    const embedder = open(settingsFor(broken.dir, modelsDir));
    embedder.prewarm();
    const error = await expectEngineError(embedder.embedQuery(ANCHOR), 'EMBEDDER_UNAVAILABLE');
    // Refused before ONNX Runtime sees it: some corrupt files abort the process from inside the runtime.
    expect(error.message).toContain(`"${broken.dir}" in ${broken.dir} cannot be loaded`);
    expect(error.message).toContain('onnx/model.onnx is not a valid ONNX model');
    expect(embedder.status()).toEqual({ state: 'failed', reason: error.text });
  });

  it('rejects settings that can never work with INVALID_INPUT', () => {
    const bad: Array<Partial<EmbeddingSettings>> = [
      { model: 'models/relative-dir/' },
      { model: '../up' },
      { model: '   ' },
      { batchSize: 0 },
      { batchSize: 2.5 },
      { queryCacheSize: -1 },
      { dtype: 'fp64' as never },
      { pooling: 'max' as never },
      { threads: 0 },
    ];
    for (const override of bad) {
      const settings = { ...settingsFor(both.dir, modelsDir), ...override };
      expect(() => new TransformersEmbedder(settings), JSON.stringify(override)).toThrow(
        expect.objectContaining({ code: 'INVALID_INPUT' }),
      );
    }
  });

  it('reports a crashed worker as failed and reloads on the next call', async () => {
    const embedder = open(settingsFor(fp32Only.dir, modelsDir));
    const before = await embedder.embedQuery('before the crash');
    // Reaching into privates stands in for the OS killing the thread (e.g. out of memory).
    const client = (
      embedder as unknown as { loader: { client: { worker: { terminate(): Promise<number> } } } }
    ).loader.client;
    await client.worker.terminate();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(embedder.status()).toMatchObject({ state: 'failed', reason: expect.stringContaining('reloads') });
    const [after] = await embedder.embedDocuments(['before the crash']);
    expectCloseVectors(after as Float32Array, before);
    expect(embedder.status().state).toBe('ready');
  });

  it('stops a load in progress on close without waiting for it', async () => {
    const embedder = open(settingsFor(both.dir, modelsDir));
    const pending = embedder.embedQuery(ANCHOR);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(embedder.status().state).toBe('loading');
    const started = performance.now();
    await embedder.close();
    // Loading this model takes ~1 s from TypeScript source; close must not wait for it.
    expect(performance.now() - started).toBeLessThan(400);
    const error = await expectEngineError(pending, 'EMBEDDER_UNAVAILABLE');
    expect(error.message).toMatch(/closed/);
  });

  it('refuses work after close', async () => {
    const embedder = open(settingsFor(fp32Only.dir, modelsDir));
    await embedder.embedQuery(ANCHOR);
    await embedder.close();
    await expectEngineError(embedder.embedQuery('after close'), 'EMBEDDER_UNAVAILABLE');
  });
});
