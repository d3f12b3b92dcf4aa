// Installed version of a dependency, for reports that say exactly what was measured.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

/**
 * Walks up from the package's resolved entry to its package.json (exports maps often hide `./package.json`).
 * @example packageVersion('@lancedb/lancedb') // '0.39.0'
 */
export function packageVersion(name: string): string {
  try {
    let dir = dirname(entryOf(name));
    for (let i = 0; i < 5; i++) {
      try {
        const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
          name?: string;
          version?: string;
        };
        if (manifest.name === name && manifest.version) return manifest.version;
      } catch {
        // no package.json at this level
      }
      dir = dirname(dir);
    }
  } catch {
    // not installed
  }
  return 'unknown';
}

/** ESM-only packages (no `require` export) resolve through import.meta.resolve. */
function entryOf(name: string): string {
  try {
    return require.resolve(name);
  } catch {
    return fileURLToPath(import.meta.resolve(name));
  }
}
