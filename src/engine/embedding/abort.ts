// Cancellation helpers: every engine call that takes an AbortSignal (embedding, writes) fails the same way.
import { EngineError } from '../errors.js';

export function cancelledError(what = 'embedding'): EngineError {
  return new EngineError('CANCELLED', `${what} was cancelled by the caller`);
}

export function throwIfAborted(signal: AbortSignal | undefined, what?: string): void {
  if (signal?.aborted) throw cancelledError(what);
}

/**
 * Waits for `promise` unless `signal` aborts first. The underlying work is not stopped (a model load
 * keeps going for the next caller); only this caller stops waiting.
 */
export function raceAbort<T>(
  promise: Promise<T>,
  signal: AbortSignal | undefined,
  what?: string,
): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(cancelledError(what));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(cancelledError(what));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
