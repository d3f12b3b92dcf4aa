// Where processes sharing one store record who holds which lease and which generations they are reading.

/**
 * Invariants every implementation keeps:
 * - at most one owner holds a named lease at a time, as long as holders renew before `ttlMs` runs out and
 *   clocks of the processes agree to well within `ttlMs`;
 * - a lease whose holder stopped renewing (crashed, killed, partitioned) can be taken once `ttlMs` passed;
 * - a pin set published by an owner is seen by every `livePins` call that starts after `publishPins` returned,
 *   until it expires.
 */
export interface LeaseStore {
  /** Takes `name` for `ttlMs` if free or expired (or already ours); true when we now hold it. */
  tryAcquire(name: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Extends our hold; false when we no longer hold it (it expired and someone else took it). */
  renew(name: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Gives the lease up if we hold it. */
  release(name: string, owner: string): Promise<void>;
  /** Replaces `owner`'s published pin set (keys like `kb/generation`), valid for `ttlMs`. */
  publishPins(owner: string, keys: string[], ttlMs: number): Promise<void>;
  /** Keys pinned by owners other than `except` whose pin sets have not expired. */
  livePins(except: string): Promise<Set<string>>;
  /** Removes stale bookkeeping (expired pin sets, old versions); safe to call from any process. */
  tidy(): Promise<void>;
}
