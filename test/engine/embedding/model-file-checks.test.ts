// Model files are checked before loading: ONNX wire format, regular files only, size caps, no blocking reads.
import { execFileSync } from 'node:child_process';
import { readFile, symlink, truncate, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelFilesProblem, onnxProblem } from '../../../src/engine/embedding/model-file-checks.js';
import { readConfiguredHiddenSize, REQUIRED_MODEL_FILES } from '../../../src/engine/embedding/model-files.js';
import { seededRandom } from '../../helpers/clustered-vectors.js';
import { makeTempDir, type TempDir } from '../../helpers/temp-dir.js';
import { TINY_MODEL_HIDDEN, writeTinyModel, type TinyModel } from '../../helpers/tiny-model.js';

let temp: TempDir;
let model: TinyModel;

beforeAll(async () => {
  temp = await makeTempDir('rag-model-checks-');
  model = await writeTinyModel(temp.path, { quantized: true });
});
afterAll(async () => {
  await temp.remove();
});

async function checkBytes(bytes: Uint8Array, name = 'candidate.onnx'): Promise<string | undefined> {
  const path = join(temp.path, name);
  await writeFile(path, bytes);
  return onnxProblem(path, bytes.length);
}

describe('onnxProblem', () => {
  it('accepts real ONNX exports (fp32 and quantized)', async () => {
    for (const file of ['onnx/model.onnx', 'onnx/model_quantized.onnx']) {
      const bytes = await readFile(join(model.dir, file));
      expect(await onnxProblem(join(model.dir, file), bytes.length), file).toBeUndefined();
    }
    expect(await modelFilesProblem(model.dir, [...REQUIRED_MODEL_FILES, 'onnx/model.onnx'])).toBeUndefined();
  });

  it('refuses 200 random files of the size that crashed ONNX Runtime', async () => {
    const random = seededRandom(7);
    for (let i = 0; i < 200; i++) {
      const bytes = Uint8Array.from({ length: 1000 }, () => Math.floor(random() * 256));
      expect(await checkBytes(bytes), `random file ${i}`).toMatch(/./);
    }
  });

  it('accepts a field a newer ONNX may add, but not an implausible one', async () => {
    const good = await readFile(join(model.dir, 'onnx/model.onnx'));
    // Field 27, length-delimited ("abc"): unknown today, fine for protobuf readers.
    expect(
      await checkBytes(Buffer.concat([good, Buffer.from([0xda, 0x01, 3, 0x61, 0x62, 0x63])])),
    ).toBeUndefined();
    // Field 5000: no ONNX message numbers its fields like that.
    expect(await checkBytes(Buffer.concat([good, Buffer.from([0xc2, 0xb8, 0x02, 1, 0x61])]))).toMatch(
      /unexpected field 5000/,
    );
  });

  it('refuses truncated, padded and empty models', async () => {
    const good = await readFile(join(model.dir, 'onnx/model.onnx'));
    expect(await checkBytes(good.subarray(0, Math.floor(good.length / 2)))).toMatch(/past the end|truncated/);
    expect(await checkBytes(good.subarray(0, good.length - 1))).toMatch(/past the end|truncated/);
    expect(await checkBytes(Buffer.concat([good, Buffer.from([0, 0, 0])]))).toMatch(
      /field number 0|unexpected/,
    );
    expect(await checkBytes(new Uint8Array(0))).toMatch(/too small/);
    expect(await checkBytes(Buffer.from('this is not a protobuf at all'))).toMatch(/./);
  });
});

describe('modelFilesProblem and readConfiguredHiddenSize', () => {
  it('reads hidden_size from a regular config.json', () => {
    expect(readConfiguredHiddenSize(model.dir)).toBe(TINY_MODEL_HIDDEN);
  });

  it('refuse a FIFO config.json at once instead of blocking on it', async () => {
    const dir = (await writeTinyModel(temp.path, { name: 'fifo' })).dir;
    await unlink(join(dir, 'config.json'));
    execFileSync('mkfifo', [join(dir, 'config.json')]);
    // A blocking read would hang this test (no writer ever opens the FIFO).
    expect(readConfiguredHiddenSize(dir)).toBeUndefined();
    expect(await modelFilesProblem(dir, REQUIRED_MODEL_FILES)).toBe('config.json is not a regular file');
  });

  it('refuse a device (/dev/zero) and an oversized file', async () => {
    const dir = (await writeTinyModel(temp.path, { name: 'devices' })).dir;
    await unlink(join(dir, 'config.json'));
    await symlink('/dev/zero', join(dir, 'config.json'));
    expect(readConfiguredHiddenSize(dir)).toBeUndefined();
    expect(await modelFilesProblem(dir, REQUIRED_MODEL_FILES)).toBe('config.json is not a regular file');
    await unlink(join(dir, 'config.json'));
    await writeFile(join(dir, 'config.json'), '{}');
    await truncate(join(dir, 'config.json'), 200 * 1024 * 1024); // sparse: no disk used
    expect(readConfiguredHiddenSize(dir)).toBeUndefined();
    expect(await modelFilesProblem(dir, REQUIRED_MODEL_FILES)).toMatch(
      /^config\.json is 209715200 bytes; at most 1048576 are accepted/,
    );
  });
});
