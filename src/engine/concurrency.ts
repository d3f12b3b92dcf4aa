// Concurrency primitives: a FIFO mutex per key, a counting semaphore for heavy work, and generation pins.

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
export class KeyedMutex {
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

/** The locks a write to a KB takes. */
export interface KbWriteLocks {
  heavy: Semaphore;
  kbLocks: KeyedMutex;
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

/**
 * Counts searches reading each generation. A search pins the generation it resolved (synchronously, in the
 * same tick as the resolution) and unpins when done; GC skips pinned generations.
 */
export class PinRegistry {
  private readonly counts = new Map<string, number>();

  pin(kb: string, generation: number): () => void {
    const key = `${kb}/${generation}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.counts.get(key) ?? 1) - 1;
      if (left <= 0) this.counts.delete(key);
      else this.counts.set(key, left);
    };
  }

  pinCount(kb: string, generation: number): number {
    return this.counts.get(`${kb}/${generation}`) ?? 0;
  }
}
