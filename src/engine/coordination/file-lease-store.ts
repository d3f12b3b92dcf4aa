// Leases and pins as small files next to the tables, for a data dir on a local (or POSIX-locking) disk.
import { hostname } from 'node:os';
import { join } from 'node:path';
import { link, mkdir, readdir, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import type { LeaseStore } from './lease-store.js';

/** How long an unreadable lease file (a crash between create and write) is respected. */
const UNREADABLE_GRACE_MS = 10_000;

interface LeaseFile {
  owner: string;
  host: string;
  pid: number;
  expiresAt: number;
}

interface PinFile {
  expiresAt: number;
  keys: string[];
  /** The publishing process (absent in pin files written before they were recorded). */
  host?: string;
  pid?: number;
}

/**
 * A lease is `<root>/_coordination/leases/<name>.lease`, created by link(2) of a complete private file (fails
 * if the lease exists, like O_EXCL, and is atomic on local filesystems and NFS): exactly one creator wins. A holder renews by rewriting its expiry. A lease whose holder is a dead process
 * on this host (pid gone) or whose expiry passed is broken by renaming it aside and checking that what was
 * renamed is the file judged stale; a fresh lease renamed by mistake is linked back (link fails if a third
 * process already created one, in which case the mistaken owner loses its lease at its next renewal). Pin sets
 * of a dead process on this host count as gone too: its searches died with it, so a GC after a crash need not
 * wait out their TTL.
 */
export class FileLeaseStore implements LeaseStore {
  private readonly leases: string;
  private readonly pins: string;
  private readonly host = hostname();
  /** Renewals and releases of each lease by this process, in order (see serially). */
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(root: string) {
    this.leases = join(root, '_coordination', 'leases');
    this.pins = join(root, '_coordination', 'pins');
  }

  async tryAcquire(name: string, owner: string, ttlMs: number): Promise<boolean> {
    const path = this.leasePath(name);
    for (let attempt = 0; attempt < 3; attempt++) {
      if (await this.create(path, owner, ttlMs)) return true;
      const current = await this.read(path);
      if (current === undefined) continue; // released meanwhile, or mid-write: try again
      if (current.owner === owner) return this.renew(name, owner, ttlMs);
      if (!this.isStale(current)) return false;
      const aside = `${path}.${process.pid}.${Date.now()}.stale`;
      try {
        await rename(path, aside);
      } catch {
        continue;
      }
      const moved = await this.read(aside);
      if (moved && moved.owner !== current.owner && !this.isStale(moved)) {
        await link(aside, path).catch(() => undefined); // put back a lease we did not mean to break
      }
      await unlink(aside).catch(() => undefined);
    }
    return false;
  }

  renew(name: string, owner: string, ttlMs: number): Promise<boolean> {
    return this.serially(name, async () => {
      const path = this.leasePath(name);
      const current = await this.read(path);
      if (!current || current.owner !== owner) return false;
      // Replaced whole by a rename: a full disk fails the private write and leaves the lease as it was.
      const mine = `${path}.${owner}.renew`;
      await writeFile(mine, JSON.stringify(this.body(owner, ttlMs)));
      await rename(mine, path);
      return true;
    });
  }

  release(name: string, owner: string): Promise<void> {
    return this.serially(name, async () => {
      const path = this.leasePath(name);
      const current = await this.read(path);
      if (current?.owner === owner) await unlink(path).catch(() => undefined);
    });
  }

  async publishPins(owner: string, keys: string[], ttlMs: number): Promise<void> {
    const path = join(this.pins, `${owner}.json`);
    const body: PinFile = { expiresAt: Date.now() + ttlMs, keys, host: this.host, pid: process.pid };
    // Written aside and renamed: a reader never sees half a pin set.
    const temp = `${path}.tmp`;
    try {
      await writeFile(temp, JSON.stringify(body));
    } catch {
      await mkdir(this.pins, { recursive: true });
      await writeFile(temp, JSON.stringify(body));
    }
    await rename(temp, path);
  }

  async livePins(except: string): Promise<Set<string>> {
    const live = new Set<string>();
    const now = Date.now();
    for (const file of await readdir(this.pins).catch(() => [] as string[])) {
      if (!file.endsWith('.json') || file === `${except}.json`) continue;
      const body = await readFile(join(this.pins, file), 'utf8').then(
        (text) => JSON.parse(text) as PinFile,
        () => undefined,
      );
      if (body && body.expiresAt > now && !this.deadHere(body)) for (const key of body.keys) live.add(key);
    }
    return live;
  }

  async tidy(): Promise<void> {
    const now = Date.now();
    // Private files a crash left between writing and linking or renaming.
    for (const file of await readdir(this.leases).catch(() => [] as string[])) {
      if (!/\.(new|renew|stale)$/.test(file)) continue;
      const path = join(this.leases, file);
      const info = await stat(path).catch(() => undefined);
      if (info && info.mtimeMs + 60_000 < now) await rm(path, { force: true });
    }
    for (const file of await readdir(this.pins).catch(() => [] as string[])) {
      if (!file.endsWith('.json')) continue;
      const path = join(this.pins, file);
      const body = await readFile(path, 'utf8').then(
        (text) => JSON.parse(text) as PinFile,
        () => undefined,
      );
      // A minute past expiry: its owner is gone, not just late.
      if (body && body.expiresAt + 60_000 < now) await rm(path, { force: true });
    }
  }

  /**
   * Runs `job` after this process's earlier renewals and releases of lease `name`. Renewal is read, then rename
   * of a rewrite: a heartbeat's renewal that read the lease just before the job finished and released it would
   * rename the lease back into place, held by nobody yet blocking every other process for a whole TTL (seen as
   * GC ticks that skip and writers that stall). In order, the later renewal finds no lease and renews nothing.
   */
  private serially<T>(name: string, job: () => Promise<T>): Promise<T> {
    const result = (this.queues.get(name) ?? Promise.resolve()).then(job, job);
    const tail = result.catch(() => undefined);
    this.queues.set(name, tail);
    void tail.then(() => {
      if (this.queues.get(name) === tail) this.queues.delete(name);
    });
    return result;
  }

  private leasePath(name: string): string {
    return join(this.leases, `${name}.lease`);
  }

  private body(owner: string, ttlMs: number): LeaseFile {
    return { owner, host: this.host, pid: process.pid, expiresAt: Date.now() + ttlMs };
  }

  /**
   * Writes the lease to a file of our own, then hard-links it to the lease path: link(2) fails with EEXIST if
   * the path exists, so exactly one creator wins, and the lease is never visible half-written (a full disk
   * fails the private write, before anything is visible).
   */
  private async create(path: string, owner: string, ttlMs: number): Promise<boolean> {
    const mine = `${path}.${owner}.new`;
    try {
      await writeFile(mine, JSON.stringify(this.body(owner, ttlMs)));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      await mkdir(this.leases, { recursive: true });
      await writeFile(mine, JSON.stringify(this.body(owner, ttlMs)));
    }
    try {
      await link(mine, path);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw error;
    } finally {
      await unlink(mine).catch(() => undefined);
    }
  }

  /**
   * The lease, or undefined when absent. Leases are written whole (see create), so an unreadable one is
   * damage (a disk error): it reads as expiring a while after its last change, so it is broken then, not kept.
   */
  private async read(path: string): Promise<LeaseFile | undefined> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch {
      return undefined;
    }
    try {
      return JSON.parse(text) as LeaseFile;
    } catch {
      const info = await stat(path).catch(() => undefined);
      if (!info) return undefined;
      return { owner: '', host: '', pid: 0, expiresAt: info.mtimeMs + UNREADABLE_GRACE_MS };
    }
  }

  private isStale(lease: LeaseFile): boolean {
    return lease.expiresAt < Date.now() || this.deadHere(lease);
  }

  /** True only for a writer on this host whose process is gone (EPERM means alive, someone else's). */
  private deadHere(writer: { host?: string; pid?: number }): boolean {
    if (writer.host !== this.host || writer.pid === undefined) return false;
    try {
      process.kill(writer.pid, 0);
      return false;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'ESRCH';
    }
  }
}
