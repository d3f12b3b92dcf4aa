// Cross-process coordination over one store: leases held with a heartbeat, per-KB writer locks, shared pins.
import { setTimeout as sleep } from 'node:timers/promises';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { KbLock, KeyedMutex } from '../concurrency.js';
import { storageError } from '../errors.js';
import type { EngineLog } from '../types.js';
import type { GenerationPins, Pin } from './generation-pins.js';
import type { LeaseStore } from './lease-store.js';

/** How long a waiting writer polls between attempts (jittered so waiters do not move in lockstep). */
const POLL_MS = 15;

/**
 * Holds leases for this process and keeps them alive. Invariant: while a job given to `hold(name)` runs, no
 * other process runs a job under the same name — provided this process renews within the lease's TTL (a
 * heartbeat every TTL/3; a process stalled past its TTL can lose the lease, which is logged). Without a store
 * (a read-only engine) it only runs the job.
 */
export class Coordination implements GenerationPins {
  readonly owner = `${hostname().replace(/[^A-Za-z0-9_-]/g, '_')}-${process.pid}-${randomBytes(4).toString('hex')}`;
  private readonly held = new Set<string>();
  private readonly pinCounts = new Map<string, number>();
  /** Keys whose publication has completed and not been withdrawn. */
  private readonly published = new Set<string>();
  private publishChain: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: LeaseStore | undefined,
    readonly ttlMs: number,
    private readonly log: EngineLog,
  ) {
    if (store) {
      this.timer = setInterval(() => void this.heartbeat(), Math.max(50, Math.floor(ttlMs / 3)));
      this.timer.unref();
    }
  }

  /** Runs `job` holding lease `name`, waiting as long as another live process holds it. */
  async hold<T>(name: string, job: () => Promise<T>): Promise<T> {
    if (!this.store) return job();
    let delay = POLL_MS;
    while (!(await this.acquire(name))) {
      await sleep(delay * (0.5 + Math.random()));
      // Capped low: a writer waiting behind another's 50 ms batch should not sleep through the hand-over.
      delay = Math.min(delay * 2, 50);
    }
    try {
      return await job();
    } finally {
      await this.letGo(name);
    }
  }

  /** Runs `job` only if lease `name` is free now (background work: GC); undefined when another process has it. */
  async tryHold<T>(name: string, job: () => Promise<T>): Promise<T | undefined> {
    if (!this.store) return job();
    if (!(await this.acquire(name))) return undefined;
    try {
      return await job();
    } finally {
      await this.letGo(name);
    }
  }

  /**
   * Counts a reader of `kb/generation` in this process and makes sure other processes can see it. Resolves to
   * true when the pin had to be published now: the caller must then re-check the generation is still live in
   * the newest catalog (a GC that marked it before the pin was visible may already be dropping it).
   */
  async pin(kb: string, generation: number): Promise<Pin> {
    const key = `${kb}/${generation}`;
    this.pinCounts.set(key, (this.pinCounts.get(key) ?? 0) + 1);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      const left = (this.pinCounts.get(key) ?? 1) - 1;
      if (left <= 0) this.pinCounts.delete(key);
      else this.pinCounts.set(key, left);
    };
    if (!this.store || this.published.has(key)) return { release, published: false };
    try {
      await this.publishPins();
    } catch (error) {
      // A store we cannot write (a read-only mount) still serves searches; only other processes' GC loses sight.
      this.warnOnce(`publishing search pins failed; GC in other processes cannot see them: ${String(error)}`);
      return { release, published: false };
    }
    return { release, published: true };
  }

  pinCount(kb: string, generation: number): number {
    return this.pinCounts.get(`${kb}/${generation}`) ?? 0;
  }

  /** True when another live process has published a pin on the generation. */
  async pinnedElsewhere(kb: string, generation: number): Promise<boolean> {
    if (!this.store) return false;
    return (await this.store.livePins(this.owner)).has(`${kb}/${generation}`);
  }

  async tidy(): Promise<void> {
    await this.store?.tidy();
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.pinCounts.clear();
    await this.publishPins().catch(() => undefined);
  }

  private warned = false;

  private warnOnce(message: string): void {
    if (this.warned) return;
    this.warned = true;
    this.log('warning', message);
  }

  private async acquire(name: string): Promise<boolean> {
    let ok: boolean;
    try {
      ok = await this.store!.tryAcquire(name, this.owner, this.ttlMs);
    } catch (error) {
      throw storageError(`taking the cross-process lease ${name}`, error);
    }
    if (ok) this.held.add(name);
    return ok;
  }

  private async letGo(name: string): Promise<void> {
    this.held.delete(name);
    await this.store!.release(name, this.owner).catch((error: unknown) =>
      this.log('warning', `releasing lease ${name} failed; it expires by itself: ${String(error)}`),
    );
  }

  /** Publishes the keys pinned now; chained so publications land in order. */
  private publishPins(): Promise<void> {
    const run = async () => {
      const keys = [...this.pinCounts.keys()];
      // Withdrawn keys stop counting as published before the write that drops them starts.
      for (const key of this.published) if (!this.pinCounts.has(key)) this.published.delete(key);
      await this.store!.publishPins(this.owner, keys, this.ttlMs);
      for (const key of keys) if (this.pinCounts.has(key)) this.published.add(key);
    };
    const result = this.publishChain.then(run, run);
    this.publishChain = result.catch(() => undefined);
    return result;
  }

  private async heartbeat(): Promise<void> {
    for (const name of [...this.held]) {
      const kept = await this.store!.renew(name, this.owner, this.ttlMs).catch(() => false);
      if (!kept && this.held.has(name)) {
        this.log(
          'error',
          `lost lease ${name}: this process stalled past its ${this.ttlMs} ms lease; another may hold it now`,
        );
      }
    }
    if (this.published.size > 0 || this.pinCounts.size > 0) {
      await this.publishPins().catch((error: unknown) =>
        this.log('warning', `publishing pins failed: ${String(error)}`),
      );
    }
  }
}

/** The per-KB writer lock: this process's FIFO mutex first, then the store-wide lease of the KB. */
export class KbWriterLocks implements KbLock {
  constructor(
    private readonly local: KeyedMutex,
    private readonly coordination: Coordination,
    /** Runs right after the lease is taken: brings the catalog to the newest version before the job reads it. */
    private readonly onAcquired: (kb: string) => Promise<void>,
  ) {}

  run<T>(kb: string, job: () => Promise<T>): Promise<T> {
    return this.local.run(kb, () =>
      this.coordination.hold(`kb-${kb}`, async () => {
        await this.onAcquired(kb);
        return job();
      }),
    );
  }

  drain(): Promise<void> {
    return this.local.drain();
  }
}
