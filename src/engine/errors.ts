// EngineError: the one exception type the engine throws, with a stable code an agent can act on.

/** Stable error codes. Callers (the MCP layer, agents) branch on these, never on message text. */
export const ERROR_CODES = [
  'KB_NOT_FOUND',
  'GENERATION_NOT_FOUND',
  'INVALID_INPUT',
  'INVALID_STATE',
  'DIMENSION_MISMATCH',
  'MODEL_MISMATCH',
  'GC_FAILED',
  'STORAGE',
  'EMBEDDER_UNAVAILABLE',
  'CANCELLED',
  'LIMIT_EXCEEDED',
  'CONFLICT',
  'GATE_FAILED',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * A failure the caller can understand: `code` is stable, `message` says what was wrong and what to do.
 * @example throw new EngineError('KB_NOT_FOUND', 'no knowledge base "x"; existing: a, b')
 */
export class EngineError extends Error {
  readonly code: ErrorCode;
  /** Structured detail for programmatic callers, e.g. the per-chunk problems of a rejected batch. */
  readonly details?: unknown;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; details?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'EngineError';
    this.code = code;
    this.details = options.details;
  }
}

export function isEngineError(value: unknown): value is EngineError {
  return value instanceof EngineError;
}

/** Wraps an unexpected storage-layer failure so it surfaces as `STORAGE` with the original as cause. */
export function storageError(action: string, cause: unknown): EngineError {
  if (cause instanceof EngineError) return cause;
  const detail = cause instanceof Error ? cause.message : String(cause);
  const hint = /No space left|ENOSPC|quota/i.test(detail)
    ? ' The disk is full: free space or point RAG_STUDIO_DATA_DIR elsewhere; data written before is intact.'
    : /read-only|EROFS|EACCES|permission denied/i.test(detail)
      ? ' The data directory is not writable: fix its permissions or run with RAG_STUDIO_READ_ONLY=1.'
      : '';
  return new EngineError(
    'STORAGE',
    `storage failed while ${action}: ${withoutSourceLocations(detail).slice(0, 500)}.${hint}`,
    {
      cause,
    },
  );
}

/**
 * Runs one storage call and reports its failure as `STORAGE`. Wrap only the storage call itself: a bug in
 * the code around it must surface as itself, not as a disk-full hint.
 */
export async function onStorage<T>(action: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw storageError(action, error);
  }
}

/**
 * LanceDB's errors end in the Rust source location (`, /home/runner/.cargo/registry/src/…/lance-io/src/x.rs:123:45`):
 * noise to an agent and a map of the build to anyone else. The full text stays in `cause`, which the tool
 * layer logs.
 */
export function withoutSourceLocations(message: string): string {
  return message
    .replace(/,?\s*(?:at\s+)?(?:[^\s,()]*\/)?[\w.-]+\.rs:\d+(?::\d+)?/g, '')
    .replace(/\s+\./g, '.')
    .trim();
}
