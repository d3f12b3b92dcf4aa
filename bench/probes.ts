// What the benchmark reads off the machine: peak RSS (Linux /proc), bytes on disk, and a description of the host.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { cpus, totalmem, release, platform, arch } from 'node:os';
import { join } from 'node:path';
import { packageVersion } from '../src/cli/eval/package-version.js';

/**
 * Peak resident set size of a process in bytes (VmHWM), or null where /proc is not available.
 * @example peakRssBytes(child.pid)
 */
export function peakRssBytes(pid: number | 'self' = 'self'): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /VmHWM:\s+(\d+)\s+kB/.exec(status);
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return pid === 'self' ? process.resourceUsage().maxRSS * 1024 : null;
  }
}

/** Resets this process's VmHWM to its current RSS (Linux), so the next reading is the peak of one phase. */
export function resetPeakRss(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

/** Total size of the files under `dir`. */
export async function directoryBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += await directoryBytes(path);
    else if (entry.isFile()) total += (await stat(path)).size;
  }
  return total;
}

export interface MachineDescription {
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  lancedb: string;
  orama: string;
  mcpSdk: string;
  /** The checkout measured: short commit, with `+dirty` when src/ (but src/cli) had uncommitted changes. */
  commit: string;
}

export function describeMachine(): MachineDescription {
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os: `${platform()} ${release()} ${arch()}`,
    node: process.version,
    lancedb: packageVersion('@lancedb/lancedb'),
    orama: packageVersion('@orama/orama'),
    mcpSdk: packageVersion('@modelcontextprotocol/sdk'),
    commit: gitCommit(),
  };
}

function gitCommit(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', ':!src/cli'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    return dirty === '' ? head : `${head}+dirty`;
  } catch {
    return 'unknown';
  }
}
