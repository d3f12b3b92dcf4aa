// Sources: resolve the paths to ingest into roots, then walk them (ignore rules, globs, symlinks once).
import { lstat, readdir, readFile, realpath, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import picomatch from 'picomatch';
import {
  defaultIgnoreScope,
  gitignoreScope,
  globFilter,
  isIgnored,
  type IgnoreScope,
  type PathFilter,
} from './source-filters.js';

/** Thrown for a path argument that cannot be ingested: missing, outside the allowed roots, not a file/dir. */
export class SourceError extends Error {
  override name = 'SourceError';
}

export interface IngestRoot {
  /** Real absolute path of the directory documents are relative to. */
  dir: string;
  /** Set when the argument was one file: only it is taken. */
  file?: string;
  /** A glob argument (`docs/**\/*.md`) becomes its static base plus this pattern. */
  pattern?: string;
}

export interface SourceFile {
  root: IngestRoot;
  absPath: string;
  /** Relative to the root, with / separators: the document_id. */
  relPath: string;
  size: number;
  /** Modification time (ms since the epoch, sub-ms precision kept): with size, the re-sync's quick check. */
  mtimeMs: number;
}

export interface WalkEvents {
  /** A file or directory the walk passed over, with the reason (symlink loops, outside the roots…). */
  onSkip(path: string, reason: string): void;
}

/**
 * Paths → roots. A path with glob characters that does not exist as written is split at its first magic
 * segment (`docs/**\/*.md` → root `docs`, pattern `**\/*.md`). `allowedRoots`, when given, must contain every
 * root (after resolving symlinks), else the call fails naming them.
 */
export async function resolveRoots(
  paths: readonly string[],
  cwd: string,
  allowedRoots?: readonly string[],
): Promise<IngestRoot[]> {
  if (paths.length === 0) throw new SourceError('no path to ingest: give at least one file, folder or glob');
  const allowed = allowedRoots
    ? await Promise.all(allowedRoots.map((r) => realpath(resolve(cwd, r)).catch(() => resolve(cwd, r))))
    : undefined;
  const roots: IngestRoot[] = [];
  for (const raw of paths) {
    const absolute = resolve(cwd, raw);
    let target = absolute;
    let pattern: string | undefined;
    const exists = await stat(absolute).then(
      () => true,
      () => false,
    );
    if (!exists && picomatch.scan(raw).isGlob) {
      const scan = picomatch.scan(raw);
      target = resolve(cwd, scan.base || '.');
      pattern = scan.glob;
    }
    let real: string;
    let info;
    try {
      real = await realpath(target);
      info = await stat(real);
    } catch {
      throw new SourceError(`${raw}: no such file or directory`);
    }
    if (allowed && !allowed.some((root) => isInside(root, real))) {
      throw new SourceError(
        `${raw} is outside the allowed roots (${allowed.join(', ') || 'none'}); add its folder to the client's roots ` +
          'or to RAG_STUDIO_INGEST_ROOTS',
      );
    }
    if (info.isFile()) roots.push({ dir: dirname(real), file: basename(real) });
    else if (info.isDirectory()) roots.push({ dir: real, ...(pattern ? { pattern } : {}) });
    else throw new SourceError(`${raw} is neither a file nor a directory`);
  }
  return roots;
}

export function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** The filter a root applies (its glob pattern plus --include/--exclude). */
export function rootFilter(
  root: IngestRoot,
  include: readonly string[],
  exclude: readonly string[],
): PathFilter {
  const globs = globFilter(include, exclude);
  if (root.file) return (rel) => rel === root.file;
  if (!root.pattern) return globs;
  const own = picomatch(root.pattern, { dot: true });
  return (rel) => own(rel) && globs(rel);
}

/**
 * Every file under a root, depth-first in name order. Symbolic links are followed when their target is inside
 * a root being ingested, and each real directory is entered once, so a link loop ends; a link out of the
 * roots is skipped (nothing outside them is read). Directories that cannot be read are reported, not fatal.
 */
export async function* walkRoot(
  root: IngestRoot,
  allRoots: readonly IngestRoot[],
  filter: PathFilter,
  events: WalkEvents,
): AsyncGenerator<SourceFile> {
  if (root.file) {
    const absPath = join(root.dir, root.file);
    const info = await stat(absPath);
    yield { root, absPath, relPath: root.file, size: info.size, mtimeMs: info.mtimeMs };
    return;
  }
  const visited = new Set<string>([root.dir]);
  const stack: Array<{ dir: string; rel: string; scopes: IgnoreScope[] }> = [
    { dir: root.dir, rel: '', scopes: [defaultIgnoreScope()] },
  ];
  while (stack.length > 0) {
    const { dir, rel, scopes: parentScopes } = stack.pop()!;
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      events.onSkip(dir, `cannot read directory (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
      continue;
    }
    let scopes = parentScopes;
    if (entries.some((e) => e.name === '.gitignore' && e.isFile())) {
      const text = await readFile(join(dir, '.gitignore'), 'utf8').catch(() => '');
      scopes = [...parentScopes, gitignoreScope(rel, text)];
    }
    const subdirs: Array<{ dir: string; rel: string; scopes: IgnoreScope[] }> = [];
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const absPath = join(dir, entry.name);
      const relPath = rel ? `${rel}/${entry.name}` : entry.name;
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      let realDir = absPath;
      if (entry.isSymbolicLink()) {
        const real = await realpath(absPath).catch(() => undefined);
        if (!real) {
          events.onSkip(absPath, 'broken symbolic link');
          continue;
        }
        if (!allRoots.some((r) => isInside(r.dir, real))) {
          events.onSkip(absPath, `symbolic link to ${real}, outside the roots being ingested`);
          continue;
        }
        const info = await stat(real);
        isDir = info.isDirectory();
        isFile = info.isFile();
        realDir = real;
      }
      if (isIgnored(scopes, relPath, isDir)) continue;
      if (isDir) {
        if (visited.has(realDir)) {
          events.onSkip(absPath, 'symbolic link loop (directory already walked)');
          continue;
        }
        visited.add(realDir);
        subdirs.push({ dir: realDir, rel: relPath, scopes });
      } else if (isFile && filter(relPath)) {
        const info = await lstat(absPath).then((l) => (l.isSymbolicLink() ? stat(absPath) : l));
        yield { root, absPath, relPath, size: info.size, mtimeMs: info.mtimeMs };
      }
    }
    for (const sub of subdirs.reverse()) stack.push(sub);
  }
}

/** The relative path of a stored source path under a root, or undefined when it is not under it. */
export function relativeToRoot(root: IngestRoot, sourcePath: string): string | undefined {
  if (!isInside(root.dir, sourcePath) || sourcePath === root.dir) return undefined;
  return relative(root.dir, sourcePath).split(sep).join('/');
}
