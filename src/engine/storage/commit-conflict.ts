// Recognising a LanceDB commit that lost a race with another writer (retryable), whatever Lance's wording.

/** LanceDB's words for a commit that raced another one (retryable). */
export function isCommitConflict(error: unknown): boolean {
  return /conflict|preempted|retryable|concurrent/i.test(String(error));
}
