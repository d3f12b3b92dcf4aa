// Storage error messages: what the agent reads is trimmed of Rust source locations; the cause keeps everything.
import { describe, expect, it } from 'vitest';
import { storageError, withoutSourceLocations } from '../../src/engine/errors.js';

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
