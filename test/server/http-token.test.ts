// The HTTP token: strength rules at configuration time, and the generated token's file.
import { mkdir, readFile, stat, writeFile, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, parseCommandLine } from '../../src/config/config.js';
import { tokenProblem } from '../../src/config/token-strength.js';
import { resolveHttpToken } from '../../src/server/http-token.js';
import { makeTempDir, type TempDir } from '../helpers/temp-dir.js';

const STRONG = 'f3a91c0e7b2d4a6f8e1c3b5d7a9f0e2c';

function configure(argv: string[]): unknown {
  try {
    return parseCommandLine(['--transport', 'http', ...argv], { env: {} });
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
}

describe('token strength', () => {
  it('refuses low-entropy tokens at any bind, and short ones beyond loopback', () => {
    expect(tokenProblem('aaaaaaaaaaaaaaaa', false)).toMatch(/only 1 distinct characters/);
    expect(tokenProblem('a'.repeat(64), true)).toMatch(/only 1 distinct/);
    expect(tokenProblem('abcdefgh'.repeat(4), true)).toMatch(/repeats "abcdefgh"/);
    expect(tokenProblem('0123456789abcdef', true)).toMatch(
      /at least 32 characters when the host is not loopback/,
    );
    expect(tokenProblem('0123456789abcdef', false)).toBeUndefined();
    expect(tokenProblem(STRONG, true)).toBeUndefined();
    expect(tokenProblem(`${STRONG} x`, false)).toMatch(/spaces/);
  });

  it('the configuration refuses them with the setting named', () => {
    expect(configure(['--host', '0.0.0.0', '--auth-token', 'aaaaaaaaaaaaaaaa'])).toMatch(
      /^--auth-token must be at least 32 characters when the host is not loopback/,
    );
    expect(configure(['--host', '0.0.0.0', '--auth-token', 'a'.repeat(40)])).toMatch(
      /^--auth-token has only 1 distinct characters/,
    );
    expect(configure(['--auth-token', 'aaaaaaaaaaaaaaaa'])).toMatch(/distinct characters/);
    expect(configure(['--host', '0.0.0.0', '--auth-token', STRONG])).toMatchObject({ action: 'serve' });
  });
});

describe('resolveHttpToken', () => {
  let dir: TempDir;
  beforeEach(async () => {
    dir = await makeTempDir();
  });
  afterEach(async () => {
    await dir.remove();
  });

  it('prefers the configured token and writes nothing', async () => {
    expect(await resolveHttpToken(STRONG, dir.path)).toEqual({ token: STRONG, source: 'configured' });
    await expect(stat(join(dir.path, 'http-token'))).rejects.toThrow();
  });

  it('generates a strong token into a 0600 file and reuses it', async () => {
    const first = await resolveHttpToken(undefined, dir.path);
    expect(first.source).toBe('generated');
    expect(tokenProblem(first.token, true)).toBeUndefined();
    expect((await stat(first.file!)).mode & 0o777).toBe(0o600);
    const second = await resolveHttpToken(undefined, dir.path);
    expect(second).toMatchObject({ token: first.token, source: 'stored' });
  });

  it('does not trust a token file others can read, nor a weak or non-regular one', async () => {
    const file = join(dir.path, 'http-token');
    await writeFile(file, `${STRONG}\n`);
    await chmod(file, 0o644);
    const readable = await resolveHttpToken(undefined, dir.path);
    expect(readable.source).toBe('generated');
    expect(readable.token).not.toBe(STRONG);
    expect((await stat(file)).mode & 0o777).toBe(0o600);

    await writeFile(file, 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n', { mode: 0o600 });
    expect((await resolveHttpToken(undefined, dir.path)).source).toBe('generated');
    expect((await readFile(file, 'utf8')).trim()).not.toMatch(/^a+$/);
  });

  it('keeps the token in memory only for a URI data dir', async () => {
    await mkdir(join(dir.path, 'x'));
    const remote = await resolveHttpToken(undefined, 's3://bucket/kb');
    expect(remote).toMatchObject({ source: 'generated' });
    expect(remote.file).toBeUndefined();
  });
});
