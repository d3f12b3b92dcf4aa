// Concurrency primitives: a FIFO mutex per key, a counting semaphore for heavy work, and the writer lock order.

/** Counting semaphore; FIFO so a stream of small jobs cannot starve a queued one. */
export class Semaphore {
  private available: number;
  private readonly waiters: Array<() => void> = [];

  constructor(permits: number) {
    this.available = Math.max(1, permits);
  }

  async run<T>(job: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await job();
    } finally {
      this.release();
    }
  }

  private acquire(): Promise<void> {
    if (this.available > 0) {
      this.available--;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.available++;
  }
}

/** One FIFO lock per key (per KB for writes); keys with no holder cost nothing. */
export class KeyedMutex implements KbLock {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(key: string, job: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const current = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => current);
    this.tails.set(key, tail);
    await previous;
    try {
      return await job();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }

  /** Resolves when every job queued so far has finished. */
  async drain(): Promise<void> {
    await Promise.all([...this.tails.values()]);
  }
}

/**
 * A lock per KB: in one process a KeyedMutex; across processes sharing a store, coordination's KbWriterLocks.
 * Invariants (test/helpers/coordination-contract.ts checks every implementation): jobs under one key never
 * overlap, in this process or (cross-process implementations) in any process on the store; jobs under
 * different keys do not wait for each other; a job that throws releases the lock and its error reaches the
 * caller; `drain` resolves once every job queued so far in this process has finished.
 */
export interface KbLock {
  run<T>(key: string, job: () => Promise<T>): Promise<T>;
  drain(): Promise<void>;
}

/** The locks a write to a KB takes. */
export interface KbWriteLocks {
  heavy: Semaphore;
  kbLocks: KbLock;
}

/**
 * Runs `job` under the KB's lock, and first under the heavy-work semaphore when `heavy`. This is the one lock
 * order every writer uses (semaphore outside, KB lock inside): the reverse order anywhere could deadlock.
 */
export function underKbLock<T>(
  locks: KbWriteLocks,
  kb: string,
  heavy: boolean,
  job: () => Promise<T>,
): Promise<T> {
  const locked = () => locks.kbLocks.run(kb, job);
  return heavy ? locks.heavy.run(locked) : locked();
}
