// Small filesystems for storage-failure tests: a size-capped tmpfs (disk full) and a read-only bind mount.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Whether this process may mount (root with CAP_SYS_ADMIN, as in CI). Probed once with a 1 MiB tmpfs.
 * chmod cannot make a directory read-only for root, so these tests need real mounts.
 */
export function canMount(): boolean {
  const probe = mkdtempSync(join(tmpdir(), 'rag-studio-mount-probe-'));
  try {
    const mounted =
      spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe], { stdio: 'ignore' }).status === 0;
    if (mounted) spawnSync('umount', [probe], { stdio: 'ignore' });
    return mounted;
  } catch {
    return false;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}

export interface Mount {
  path: string;
  /** Changes mount options in place, e.g. `size=64m` to free space, or `ro`. */
  remount(options: string): void;
  unmount(): void;
}

/** A tmpfs of `size` (e.g. `4m`) on a fresh directory. */
export function mountTmpfs(size: string): Mount {
  const path = mkdtempSync(join(tmpdir(), 'rag-studio-tmpfs-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', path]);
  return {
    path,
    remount: (options) => execFileSync('mount', ['-o', `remount,${options}`, path]),
    unmount: () => unmountAndRemove(path),
  };
}

/** Makes `dir` read-only in place (a bind mount of itself, remounted ro); unmount() makes it writable again. */
export function mountReadOnly(dir: string): Mount {
  execFileSync('mount', ['--bind', dir, dir]);
  execFileSync('mount', ['-o', 'remount,bind,ro', dir]);
  return {
    path: dir,
    remount: (options) => execFileSync('mount', ['-o', `remount,bind,${options}`, dir]),
    unmount: () => execFileSync('umount', [dir]),
  };
}

function unmountAndRemove(path: string): void {
  if (spawnSync('umount', [path], { stdio: 'ignore' }).status !== 0)
    spawnSync('umount', ['-l', path], { stdio: 'ignore' });
  rmSync(path, { recursive: true, force: true });
}

/** Fills the filesystem at `path` with one file so that about `bytes` stay free. */
export function fillLeaving(path: string, bytes: number): void {
  const available = Number(
    execFileSync('df', ['-B1', '--output=avail', path]).toString().trim().split('\n').pop(),
  );
  if (available > bytes) execFileSync('fallocate', ['-l', String(available - bytes), join(path, 'filler')]);
}
