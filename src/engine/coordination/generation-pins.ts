// The pins in-flight searches hold on generations, so GC (here or in another process) keeps what they read.

export interface Pin {
  /** Ends this reader's pin; calling it again does nothing. */
  release: () => void;
  /**
   * True when the pin had to be made visible to other processes just now: their GC may have marked the
   * generation before it could see the pin, so the caller re-checks the generation in the newest catalog.
   */
  published: boolean;
}

/**
 * Implemented by Coordination: without a lease store it counts pins in this process only; with one it also
 * publishes them for other processes. Invariants (test/helpers/coordination-contract.ts checks each):
 * - `pinCount` is the number of this process's unreleased pins on the generation, whatever other pins exist;
 * - this process's own pins never count as `pinnedElsewhere`;
 * - cross-process: once `pin` resolved, `pinnedElsewhere` in every other process sees the pin, until the pin
 *   is released and withdrawn (at the next publication or close) or its holder stops renewing past the TTL.
 */
export interface GenerationPins {
  pin(kb: string, generation: number): Promise<Pin>;
  pinCount(kb: string, generation: number): number;
  pinnedElsewhere(kb: string, generation: number): Promise<boolean>;
}
