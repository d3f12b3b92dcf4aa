// EngineError: the one exception type the engine throws, with a stable code an agent can act on.
import type { EngineLimits } from './types.js';

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

/** Marks where, in a message, the outer layer names the setting. */
const SETTING_MARKER = '{setting}';

/**
 * A setting of the engine an error points at, by the engine's own name for it (an EngineLimits key, or one
 * of the storage and model settings). The engine never spells it as an env var or a flag: the layer that
 * reads the configuration adds that (see config/engine-error-text.ts), so the engine keeps no outside words.
 */
export type SettingRef =
  | keyof EngineLimits
  | 'dataDir'
  | 'readOnly'
  | 'embeddingModel'
  | 'modelsDir'
  | 'embeddingPooling'
  | 'embeddingDtype'
  | 'embeddingBatch'
  | 'rerankModel';

/**
 * A failure the caller can understand: `code` is stable, `message` says what was wrong and what to do.
 * @example throw new EngineError('KB_NOT_FOUND', 'no knowledge base "x"; existing: a, b')
 */
export class EngineError extends Error {
  readonly code: ErrorCode;
  /** Structured detail for programmatic callers, e.g. the per-chunk problems of a rejected batch. */
  readonly details?: unknown;
  /** The setting that decides this outcome, when changing it is (part of) the remedy. */
  readonly setting?: SettingRef;
  /**
   * Where in `message` the setting's outside name belongs: where the message said `{setting}` (the marker is
   * removed from the message), else undefined (the end of the message).
   */
  readonly settingAt?: number;

  constructor(
    code: ErrorCode,
    message: string,
    options: { cause?: unknown; details?: unknown; setting?: SettingRef } = {},
  ) {
    const at = options.setting === undefined ? -1 : message.indexOf(SETTING_MARKER);
    super(
      at < 0 ? message : message.slice(0, at) + message.slice(at + SETTING_MARKER.length),
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = 'EngineError';
    this.code = code;
    this.details = options.details;
    if (options.setting !== undefined) this.setting = options.setting;
    if (at >= 0) this.settingAt = at;
  }
}

export function isEngineError(value: unknown): value is EngineError {
  return value instanceof EngineError;
}

/** Wraps an unexpected storage-layer failure so it surfaces as `STORAGE` with the original as cause. */
export function storageError(action: string, cause: unknown): EngineError {
  if (cause instanceof EngineError) return cause;
  const detail = cause instanceof Error ? cause.message : String(cause);
  const [hint, setting]: [string, SettingRef | undefined] = /No space left|ENOSPC|quota/i.test(detail)
    ? [
        ' The disk is full: free space or move the data directory elsewhere; data written before is intact.',
        'dataDir',
      ]
    : /read-only|EROFS|EACCES|permission denied/i.test(detail)
      ? [' The data directory is not writable: fix its permissions or run read-only.', 'readOnly']
      : ['', undefined];
  return new EngineError(
    'STORAGE',
    `storage failed while ${action}: ${withoutSourceLocations(detail).slice(0, 500)}.${hint}`,
    setting === undefined ? { cause } : { cause, setting },
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
