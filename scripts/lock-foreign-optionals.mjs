// Adds lockfile entries for platform-specific optional packages this machine's registry mirror lacks.
//
// Why: the npm mirror reachable here serves only some platforms' native packages (e.g. no
// @lancedb/lancedb-darwin-arm64@0.37.1), so `npm install` leaves them out of package-lock.json and `npm ci`
// then refuses the lock as out of sync. Each entry carries os/cpu/libc, so npm ci skips it on other
// platforms without fetching, and installs it by name from the public registry where it matches.
// Run after any `npm install` that rewrites the lock: `node scripts/lock-foreign-optionals.mjs`.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

const LOCK = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(LOCK, 'utf8'));

const OS = [
  'darwin',
  'linux',
  'win32',
  'android',
  'freebsd',
  'openbsd',
  'openharmony',
  'sunos',
  'netbsd',
  'aix',
];
const CPU = {
  x64: 'x64',
  arm64: 'arm64',
  ia32: 'ia32',
  arm: 'arm',
  loong64: 'loong64',
  ppc64: 'ppc64',
  riscv64: 'riscv64',
  s390x: 's390x',
  wasm32: 'wasm32',
};

function platformOf(name) {
  const parts = name.split('/').pop().split('-');
  const os = parts.find((p) => OS.includes(p));
  const cpu = parts.map((p) => CPU[p]).find(Boolean);
  if (!os || !cpu) return undefined;
  const tail = parts.slice(parts.indexOf(cpu) + 1).join('-');
  const libc = tail.includes('musl')
    ? ['musl']
    : tail.includes('gnu') && os === 'linux'
      ? ['glibc']
      : undefined;
  return { os: [os], cpu: [cpu], ...(libc ? { libc } : {}) };
}

let added = 0;
for (const [path, entry] of Object.entries(lock.packages)) {
  for (const [dep, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const base = path === '' ? '' : `${path}/`;
    const candidates = [`${base}node_modules/${dep}`, `node_modules/${dep}`];
    if (candidates.some((c) => lock.packages[c])) continue;
    const platform = platformOf(dep);
    if (!platform) continue;
    lock.packages[`node_modules/${dep}`] = {
      version,
      ...(entry.dev ? { dev: true } : {}),
      optional: true,
      ...platform,
    };
    added++;
  }
}
writeFileSync(LOCK, `${JSON.stringify(lock, null, 2)}\n`);
process.stdout.write(`added ${added} foreign-platform optional entries\n`);
if (process.argv.includes('--check'))
  execFileSync('npm', ['ci', '--dry-run', '--ignore-scripts'], { stdio: 'inherit' });
