// The HTTP bearer token: the configured one, or one generated at first start and kept 0600 in the data dir.
import { randomBytes } from 'node:crypto';
import { chmod, lstat, open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tokenProblem } from '../config/token-strength.js';

/** File in the data directory holding the generated token. */
export const TOKEN_FILE = 'http-token';
export interface ResolvedToken {
  token: string;
  /** Where it came from, for the start-up message. */
  source: 'configured' | 'generated' | 'stored';
  /** The token file, when one holds it. */
  file?: string;
}

/**
 * The configured token, else the one stored in `<dataDir>/http-token` by an earlier start (kept so client
 * configs survive restarts; delete the file to rotate it), else a new random one written there with mode
 * 0600. A stored file that others can read, or that is not a regular file, is not trusted: a new token
 * replaces it. A LanceDB URI data dir (s3://…) has no local file: the token then lives for this run only.
 */
export async function resolveHttpToken(
  configured: string | undefined,
  dataDir: string,
): Promise<ResolvedToken> {
  if (configured !== undefined) return { token: configured, source: 'configured' };
  const token = randomBytes(32).toString('base64url');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(dataDir)) return { token, source: 'generated' };
  const file = join(dataDir, TOKEN_FILE);
  const stored = await readStoredToken(file);
  if (stored !== undefined) return { token: stored, source: 'stored', file };
  // O_CREAT with mode 0600 sets the mode at creation; chmod covers a file that already existed.
  const handle = await open(file, 'w', 0o600);
  try {
    await handle.writeFile(`${token}\n`);
  } finally {
    await handle.close();
  }
  await chmod(file, 0o600);
  return { token, source: 'generated', file };
}

async function readStoredToken(file: string): Promise<string | undefined> {
  try {
    const info = await lstat(file);
    if (!info.isFile() || info.size > 1024 || (info.mode & 0o077) !== 0) return undefined;
    if (typeof process.getuid === 'function' && info.uid !== process.getuid()) return undefined;
    const token = (await readFile(file, 'utf8')).trim();
    return tokenProblem(token, true) === undefined ? token : undefined;
  } catch {
    return undefined;
  }
}

/** The URL a client can be given as is: the token rides along as `?token=` (the header works too). */
export function connectionUrl(url: string, token: string): string {
  return `${url}?token=${encodeURIComponent(token)}`;
}
