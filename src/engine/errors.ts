// EngineError: the one exception type the engine throws, with a stable code an agent can act on.
import { plainText, type EngineText, type SettingRef } from './terms.js';

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
export const SETTING_MARKER = '{setting}';

export type { SettingRef };

/**
 * A failure the caller can understand: `code` is stable, `message` says what was wrong and what to do, in
 * the engine's words. The message is engine text (see terms.ts): it may name operations, arguments and
 * settings as terms, which `message` spells with their engine names and `text` keeps for the outer layer.
 * @example throw new EngineError('KB_NOT_FOUND', 'no knowledge base "x"; existing: a, b')
 * @example throw new EngineError('INVALID_STATE', `…then ${op('promoteGeneration')}`)
 */
export class EngineError extends Error {
  readonly code: ErrorCode;
  /** Structured detail for programmatic callers, e.g. the per-chunk problems of a rejected batch. */
  readonly details?: unknown;
  /** The setting that decides this outcome, when changing it is (part of) the remedy. */
  readonly setting?: SettingRef;
  /**
   * The message as written, terms and all; with `setting`, `{setting}` marks where the outer layer points
   * at it (else it goes at the end). Read it through a speller: `plainText` or config's `engineErrorText`.
   */
  readonly text: EngineText;

  constructor(
    code: ErrorCode,
    message: EngineText,
    options: { cause?: unknown; details?: unknown; setting?: SettingRef } = {},
  ) {
    super(
      plainText(withoutPointer(message, options.setting)),
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = 'EngineError';
    this.code = code;
    this.details = options.details;
    this.text = message;
    if (options.setting !== undefined) this.setting = options.setting;
  }
}

function withoutPointer(text: EngineText, setting: SettingRef | undefined): EngineText {
  return setting === undefined ? text : text.replace(SETTING_MARKER, '');
}

/**
 * Any error as engine text to quote inside another text (a warning, a model's status): an EngineError keeps
 * its terms so the outer layer can spell them; the pointer at its setting is left to `engineErrorText`.
 */
export function errorText(error: unknown): EngineText {
  if (error instanceof EngineError) return withoutPointer(error.text, error.setting);
  return error instanceof Error ? error.message : String(error);
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
