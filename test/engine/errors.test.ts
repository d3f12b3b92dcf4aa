// Storage error messages: what the agent reads is trimmed of Rust source locations; the cause keeps everything.
import { afterEach, describe, expect, it } from 'vitest';
import { EngineError, onStorage, storageError, withoutSourceLocations } from '../../src/engine/errors.js';
import { animalCorpus, openTestEngine, type TestEngine } from '../helpers/engine.js';
import { KeywordEmbedder } from '../helpers/keyword-embedder.js';

describe('storageError', () => {
  it('drops Rust source paths from the message and keeps the original as cause', () => {
    const cause = new Error(
      'lance error: LanceError(IO): Generic LocalFileSystem error: Unable to open file /data/kb-a-g1.lance/_versions/3.manifest: No space left on device (os error 28), /home/runner/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/lance-io-0.38.2/src/local.rs:104:31',
    );
    const error = storageError('writing chunks to "a"', cause);
    expect(error.code).toBe('STORAGE');
    expect(error.message).not.toMatch(/\.rs:\d+|cargo|registry/);
    expect(error.message).toContain('No space left on device (os error 28)');
    expect(error.message).toContain('The disk is full');
    expect(error.cause).toBe(cause);
  });

  it('handles several locations and the "at" form', () => {
    expect(
      withoutSourceLocations(
        'Commit conflict at /root/.cargo/git/checkouts/lance/rust/lance/src/io/commit.rs:692:54, then x at src/dataset.rs:10',
      ),
    ).toBe('Commit conflict, then x');
    expect(withoutSourceLocations('plain message with a path /tmp/x.lance')).toBe(
      'plain message with a path /tmp/x.lance',
    );
  });
});

describe('only storage calls become STORAGE', () => {
  let t: TestEngine | undefined;
  afterEach(async () => t?.close());

  it('onStorage wraps a storage failure and passes an engine error through', async () => {
    const wrapped = await onStorage('writing x', () => Promise.reject(new Error('ENOSPC: no space'))).catch(
      (e) => e,
    );
    expect(wrapped).toBeInstanceOf(EngineError);
    expect((wrapped as EngineError).code).toBe('STORAGE');
    expect((wrapped as EngineError).message).toContain('The disk is full');
    const own = new EngineError('CONFLICT', 'someone else committed');
    await expect(onStorage('writing x', () => Promise.reject(own))).rejects.toBe(own);
  });

  it('a bug outside the storage calls of a search surfaces as itself, not as a disk-full STORAGE error', async () => {
    const bug = new TypeError('embedder bug: cannot read properties of undefined');
    class BrokenQueryEmbedder extends KeywordEmbedder {
      override embedQuery(): Promise<Float32Array> {
        return Promise.reject(bug);
      }
    }
    t = await openTestEngine({ embedder: new BrokenQueryEmbedder() });
    await t.engine.upsertChunks('docs', animalCorpus());
    await expect(t.engine.search({ kb: 'docs', mode: 'vector', text: 'cat' })).rejects.toBe(bug);
    // The storage side of the same search still works: lexical search needs no query embedding.
    const lexical = await t.engine.search({ kb: 'docs', mode: 'lexical', text: 'cat' });
    expect(lexical.results[0]!.chunkId).toBe('c1');
  });
});
