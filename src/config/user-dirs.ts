// Per-user data directory by platform conventions, so the default never lands in the working directory.
import { join } from 'node:path';

export interface UserDirsInput {
  platform: NodeJS.Platform;
  env: Record<string, string | undefined>;
  home: string;
}

/**
 * The platform's per-user data root (not yet ours):
 * Linux/BSD `$XDG_DATA_HOME` or `~/.local/share`; macOS `~/Library/Application Support`;
 * Windows `%LOCALAPPDATA%` (or `~/AppData/Local`).
 */
export function userDataRoot({ platform, env, home }: UserDirsInput): string {
  if (platform === 'win32') return nonEmpty(env.LOCALAPPDATA) ?? join(home, 'AppData', 'Local');
  if (platform === 'darwin') return join(home, 'Library', 'Application Support');
  // XDG says a relative XDG_DATA_HOME is invalid and must be ignored.
  const xdg = nonEmpty(env.XDG_DATA_HOME);
  return xdg !== undefined && xdg.startsWith('/') ? xdg : join(home, '.local', 'share');
}

/** `<user data root>/rag-studio`: the default RAG_STUDIO_DATA_DIR. */
export function defaultDataDir(input: UserDirsInput): string {
  return join(userDataRoot(input), 'rag-studio');
}

/**
 * `<user data root>/rag-studio/models`: the default RAG_STUDIO_MODELS_DIR. Derived from the per-user root,
 * not from RAG_STUDIO_DATA_DIR, because the data dir may be an object-store URI and because one model
 * cache should serve every knowledge-base directory of the user. LanceDB only lists `*.lance` tables, so
 * this folder never looks like a knowledge base.
 */
export function defaultModelsDir(input: UserDirsInput): string {
  return join(userDataRoot(input), 'rag-studio', 'models');
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
