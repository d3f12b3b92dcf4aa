// Which files a walk takes: the default ignore list, .gitignore files, and --include/--exclude globs.
import ignore, { type Ignore } from 'ignore';
import picomatch from 'picomatch';

/** Never documents: version control, dependencies, build output, caches, lock files. */
export const DEFAULT_IGNORES: readonly string[] = [
  '.git/',
  '.hg/',
  '.svn/',
  'node_modules/',
  'bower_components/',
  'vendor/',
  '.venv/',
  'venv/',
  '__pycache__/',
  'dist/',
  'build/',
  'out/',
  'target/',
  '.next/',
  '.nuxt/',
  '.cache/',
  'coverage/',
  '.tox/',
  '.idea/',
  '.vscode/',
  'package-lock.json',
  'yarn.lock',
  'pnpm-lock.yaml',
  'bun.lockb',
  'Cargo.lock',
  'poetry.lock',
  'Pipfile.lock',
  'composer.lock',
  'Gemfile.lock',
  'go.sum',
  '*.min.js',
  '*.map',
  '.DS_Store',
  // Repository plumbing, and secrets that must never end up in a searchable index.
  '.gitignore',
  '.gitattributes',
  '.gitmodules',
  '.npmrc',
  '.env',
  '.env.*',
  '*.pem',
  '*.key',
];

export interface PathFilter {
  /** True when a path relative to the root (with /) passes include and exclude. */
  (relPath: string): boolean;
}

/**
 * Globs match the path relative to the root; a glob without `/` matches the base name anywhere (`*.md`).
 * With includes, a file must match one; it must match no exclude.
 */
export function globFilter(include: readonly string[], exclude: readonly string[]): PathFilter {
  const options = { dot: true };
  const compile = (glob: string) => picomatch(glob, { ...options, basename: !glob.includes('/') });
  const inc = include.map(compile);
  const exc = exclude.map(compile);
  return (relPath) => (inc.length === 0 || inc.some((m) => m(relPath))) && !exc.some((m) => m(relPath));
}

/** .gitignore rules of one directory; paths are tested relative to that directory. */
export interface IgnoreScope {
  /** The directory, relative to the root ('' for the root). */
  base: string;
  rules: Ignore;
}

export function defaultIgnoreScope(): IgnoreScope {
  return { base: '', rules: ignore().add([...DEFAULT_IGNORES]) };
}

export function gitignoreScope(base: string, text: string): IgnoreScope {
  return { base, rules: ignore().add(text) };
}

/** True when any scope (the root's defaults, each ancestor's .gitignore) ignores the path. */
export function isIgnored(scopes: readonly IgnoreScope[], relPath: string, isDirectory: boolean): boolean {
  for (const scope of scopes) {
    const local = scope.base === '' ? relPath : relPath.slice(scope.base.length + 1);
    if (local && scope.rules.ignores(isDirectory ? `${local}/` : local)) return true;
  }
  return false;
}
