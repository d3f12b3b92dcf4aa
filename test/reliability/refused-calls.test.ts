// A refused call changes nothing and fails as an EngineError: the gaps the fuzzers found, one test each.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HashEmbedder } from '../../src/engine/embedding/index.js';
import { isEngineError, openEngine, type KnowledgeBaseEngine } from '../../src/engine/index.js';
import { makeTempDir, type TempDir } from '../helpers/temp-dir.js';

let dir: TempDir;
let engine: KnowledgeBaseEngine;
beforeAll(async () => {
  dir = await makeTempDir();
  engine = await openEngine({ dataDir: dir.path, embedder: new HashEmbedder() });
  await engine.upsertChunks('docs', [{ chunkId: 'c1', documentId: 'd', content: 'alpha install' }]);
});
afterAll(async () => {
  await engine?.close();
  await dir?.remove();
});

async function engineErrorOf(
  call: () => Promise<unknown>,
): Promise<{ code?: string | undefined; message: string; isEngineError: boolean }> {
  try {
    await call();
  } catch (error) {
    return {
      code: (error as { code?: string }).code,
      message: String((error as Error).message),
      isEngineError: isEngineError(error),
    };
  }
  return { message: 'resolved', isEngineError: false };
}

describe('a refused promotion leaves the generation as it was', () => {
  it('promoting an empty building generation is INVALID_STATE and does not seal it to ready first', async () => {
    const { generation } = await engine.createGeneration('docs');
    const error = await engineErrorOf(() => engine.promoteGeneration('docs', generation));
    expect(error).toMatchObject({ code: 'INVALID_STATE', isEngineError: true });
    expect(error.message).toMatch(/empty/);
    const after = (await engine.listGenerations('docs')).find((g) => g.generation === generation);
    expect(after?.status).toBe('building');
  });
});

describe('search arguments JSON cannot carry fail as EngineError, not TypeError', () => {
  it('fusion: null', async () => {
    const error = await engineErrorOf(() =>
      engine.search({ kb: 'docs', text: 'alpha', fusion: null as never }),
    );
    // Either treated as absent (resolves) or refused as INVALID_INPUT; a TypeError is an unhandled bug.
    if (error.message !== 'resolved')
      expect(error).toMatchObject({ code: 'INVALID_INPUT', isEngineError: true });
  });

  it('a BigInt64Array query vector', async () => {
    const error = await engineErrorOf(() =>
      engine.search({ kb: 'docs', mode: 'vector', vector: new BigInt64Array(384) as never }),
    );
    expect(error).toMatchObject({ code: 'INVALID_INPUT', isEngineError: true });
  });
});
