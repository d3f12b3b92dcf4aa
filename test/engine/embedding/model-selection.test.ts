// Model selection without inference: the known-model table, id/path resolution, dtype choice from the disk.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { engineErrorText } from '../../../src/config/engine-error-text.js';
import { lookupKnownModel, resolveModelProfile } from '../../../src/engine/embedding/known-models.js';
import {
  missingModelError,
  planModelFiles,
  resolveModelSource,
} from '../../../src/engine/embedding/model-files.js';
import { DEFAULT_EMBEDDING_MODEL, type EmbeddingSettings } from '../../../src/engine/embedding/settings.js';
import { makeTempDir, type TempDir } from '../../helpers/temp-dir.js';

const BGE_PREFIX = 'Represent this sentence for searching relevant passages: ';

function settings(model: string, extra: Partial<EmbeddingSettings> = {}): EmbeddingSettings {
  return { model, modelsDir: '/var/models', offline: true, batchSize: 32, ...extra };
}

describe('known-model table', () => {
  it('gives the default model cls pooling, the BGE query prefix, 384 dimensions and q8', () => {
    expect(resolveModelProfile(settings(DEFAULT_EMBEDDING_MODEL))).toEqual({
      known: true,
      pooling: 'cls',
      queryPrefix: BGE_PREFIX,
      documentPrefix: '',
      dimension: 384,
      dtype: 'q8',
    });
  });

  it('matches by last path segment, case-insensitively, for ids and local directories', () => {
    expect(lookupKnownModel('BAAI/bge-base-en-v1.5')?.dimension).toBe(768);
    expect(lookupKnownModel('/opt/models/BGE-Small-EN-v1.5/')?.pooling).toBe('cls');
    expect(lookupKnownModel('Xenova/all-MiniLM-L6-v2')).toMatchObject({ pooling: 'mean', queryPrefix: '' });
    expect(lookupKnownModel('intfloat/multilingual-e5-small')).toMatchObject({
      queryPrefix: 'query: ',
      documentPrefix: 'passage: ',
    });
    expect(lookupKnownModel('someone/unknown-model')).toBeUndefined();
  });

  it('lets settings override pooling and the query prefix; unknown models default to mean and no prefix', () => {
    expect(
      resolveModelProfile(settings(DEFAULT_EMBEDDING_MODEL, { pooling: 'mean', queryPrefix: '' })),
    ).toMatchObject({
      pooling: 'mean',
      queryPrefix: '',
    });
    expect(resolveModelProfile(settings('someone/unknown-model'))).toEqual({
      known: false,
      pooling: 'mean',
      queryPrefix: '',
      documentPrefix: '',
    });
  });
});

describe('model source', () => {
  it('puts hub ids under modelsDir/<owner>/<name> and keeps absolute paths as they are', () => {
    expect(resolveModelSource(settings('Xenova/bge-small-en-v1.5'))).toEqual({
      kind: 'hub',
      pathOrId: 'Xenova/bge-small-en-v1.5',
      directory: join('/var/models', 'Xenova', 'bge-small-en-v1.5'),
    });
    expect(resolveModelSource(settings('/srv/my-model'))).toEqual({
      kind: 'local',
      pathOrId: '/srv/my-model',
      directory: '/srv/my-model',
    });
  });

  it('rejects relative paths, traversal and a relative modelsDir with INVALID_INPUT', () => {
    for (const model of ['./model', 'a/b/c', '../x', 'owner/../../etc', '', 'has space/x']) {
      expect(() => resolveModelSource(settings(model)), model).toThrow(
        expect.objectContaining({ code: 'INVALID_INPUT' }),
      );
    }
    expect(() => resolveModelSource(settings('owner/name', { modelsDir: 'models' }))).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
  });
});

describe('model file plan', () => {
  let temp: TempDir;
  beforeEach(async () => {
    temp = await makeTempDir('rag-model-plan-');
  });
  afterEach(async () => {
    await temp.remove();
  });

  async function touch(...files: string[]): Promise<void> {
    for (const file of files) {
      await mkdir(join(temp.path, file, '..'), { recursive: true });
      await writeFile(join(temp.path, file), '');
    }
  }
  const local = () => resolveModelSource(settings(temp.path));
  const base = ['config.json', 'tokenizer.json', 'tokenizer_config.json'];

  it('prefers the quantized file when present', async () => {
    await touch(...base, 'onnx/model.onnx', 'onnx/model_quantized.onnx');
    expect(await planModelFiles(local(), settings(temp.path), {})).toEqual({
      dtype: 'q8',
      onnxFile: 'onnx/model_quantized.onnx',
      missing: [],
    });
  });

  it('falls back to fp32, and follows an explicit dtype even when its file is missing', async () => {
    await touch(...base, 'onnx/model.onnx');
    expect(await planModelFiles(local(), settings(temp.path), {})).toMatchObject({
      dtype: 'fp32',
      missing: [],
    });
    expect(await planModelFiles(local(), settings(temp.path, { dtype: 'fp16' }), {})).toEqual({
      dtype: 'fp16',
      onnxFile: 'onnx/model_fp16.onnx',
      missing: ['onnx/model_fp16.onnx'],
    });
  });

  it('plans a download of q8 for known hub ids and fp32 for unknown ones, listing every missing file', async () => {
    const hub = resolveModelSource(settings('Xenova/bge-small-en-v1.5', { modelsDir: temp.path }));
    const known = await planModelFiles(hub, settings('Xenova/bge-small-en-v1.5'), { dtype: 'q8' });
    expect(known).toEqual({
      dtype: 'q8',
      onnxFile: 'onnx/model_quantized.onnx',
      missing: [...base, 'onnx/model_quantized.onnx'],
    });
    const unknown = await planModelFiles(hub, settings('x/y'), {});
    expect(unknown.dtype).toBe('fp32');
  });

  it('explains a missing model with its name, directory, missing files and the ways out', async () => {
    const hub = resolveModelSource(settings('Xenova/bge-small-en-v1.5', { modelsDir: temp.path }));
    const plan = await planModelFiles(hub, settings('Xenova/bge-small-en-v1.5'), { dtype: 'q8' });
    const error = missingModelError('Xenova/bge-small-en-v1.5', hub, plan);
    expect(error.code).toBe('EMBEDDER_UNAVAILABLE');
    expect(error.message).toContain('"Xenova/bge-small-en-v1.5"');
    expect(error.message).toContain(join(temp.path, 'Xenova', 'bge-small-en-v1.5'));
    expect(error.message).toContain('onnx/model_quantized.onnx');
    expect(error.message).toMatch(/unset offline/);
    expect(engineErrorText(error)).toMatch(/unset RAG_STUDIO_OFFLINE and HF_HUB_OFFLINE/);
    expect(error.details).toMatchObject({ missing: [...base, 'onnx/model_quantized.onnx'] });
  });
});
