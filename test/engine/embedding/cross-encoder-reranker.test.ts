// CrossEncoderReranker on a generated tiny cross-encoder: real worker, real ONNX inference, offline, no network.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { engineErrorText } from '../../../src/config/engine-error-text.js';
import { CrossEncoderReranker } from '../../../src/engine/embedding/index.js';
import type { EmbeddingSettings } from '../../../src/engine/embedding/settings.js';
import { expectEngineError } from '../../helpers/embedder-contract.js';
import { makeTempDir, type TempDir } from '../../helpers/temp-dir.js';
import { writeTinyCrossEncoder, type TinyCrossEncoder } from '../../helpers/tiny-model.js';

/** A port nothing listens on: if any code path tried the network, it would fail fast, not hang. */
const NO_NETWORK = 'http://127.0.0.1:9/';

let temp: TempDir;
let model: TinyCrossEncoder;
const opened: CrossEncoderReranker[] = [];

function open(modelPath: string, extra: Partial<EmbeddingSettings> = {}): CrossEncoderReranker {
  const reranker = new CrossEncoderReranker({
    model: modelPath,
    modelsDir: join(temp.path, 'models'),
    offline: true,
    hfEndpoint: NO_NETWORK,
    batchSize: 2,
    ...extra,
  });
  opened.push(reranker);
  return reranker;
}

beforeAll(async () => {
  temp = await makeTempDir('rag-rerank-');
  model = await writeTinyCrossEncoder(temp.path);
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((reranker) => reranker.close()));
});
afterAll(async () => {
  await temp.remove();
});

describe('CrossEncoderReranker', () => {
  it('scores each passage by the model: here, occurrences of the word in the passage, not the query', async () => {
    const reranker = open(model.dir);
    const passages = [
      'no fruit here',
      'banana',
      'banana bread and banana milk with banana',
      'a banana and a banana',
      '',
    ];
    // batchSize 2: three batches, whose scores must come back in the order given.
    const scores = await reranker.score('banana banana banana', passages);
    expect(scores).toEqual([0, 1, 3, 2, 0]);
    expect(reranker.status().state).toBe('ready');
    expect(reranker.revision).toBe(`sha256:${model.sha256.slice(0, 16)}`);
  });

  it('says which files are missing offline, and how to configure another model', async () => {
    const empty = join(temp.path, 'not-a-model');
    const error = await expectEngineError(open(empty).score('q', ['p']), 'EMBEDDER_UNAVAILABLE');
    expect(error.message).toMatch(/reranking model/);
    expect(error.message).toMatch(/config\.json/);
    expect(error.message).toMatch(/point rerankModel at/);
    expect(engineErrorText(error)).toMatch(/point RAG_STUDIO_RERANK_MODEL at/);
  });

  it('refuses a hub id that is not in the models dir while offline, naming the directory', async () => {
    const error = await expectEngineError(
      open('Xenova/ms-marco-MiniLM-L-6-v2').score('q', ['p']),
      'EMBEDDER_UNAVAILABLE',
    );
    expect(error.message).toContain(join(temp.path, 'models', 'Xenova', 'ms-marco-MiniLM-L-6-v2'));
    expect(error.message).toMatch(/offline/);
  });

  it('reports a truncated ONNX file before the worker loads it', async () => {
    const broken = await writeTinyCrossEncoder(temp.path, { name: 'broken' });
    await writeFile(join(broken.dir, 'onnx', 'model.onnx'), Buffer.from([8, 1, 0]));
    const error = await expectEngineError(open(broken.dir).score('q', ['p']), 'EMBEDDER_UNAVAILABLE');
    expect(error.message).toMatch(/reranking model .* (cannot be loaded|failed to load)/);
  });

  it('fails calls after close', async () => {
    const reranker = open(model.dir);
    await reranker.close();
    const error = await expectEngineError(reranker.score('q', ['p']), 'EMBEDDER_UNAVAILABLE');
    expect(error.message).toMatch(/reranker .* was closed/);
  });
});
