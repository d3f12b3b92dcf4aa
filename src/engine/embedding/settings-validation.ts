// Validation of EmbeddingSettings at construction, so a bad configuration fails at server start, not at first search.
import { EngineError } from '../errors.js';
import { MODEL_DTYPES, POOLINGS, type EmbeddingSettings } from './settings.js';

const MAX_BATCH_SIZE = 4096;

/** Throws INVALID_INPUT for settings no model could work with, naming the env var to fix. */
export function validateEmbeddingSettings(settings: EmbeddingSettings): void {
  const { batchSize, queryCacheSize, threads } = settings;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
    throw new EngineError(
      'INVALID_INPUT',
      `embedding batch size must be an integer in 1..${MAX_BATCH_SIZE}, got ${batchSize}`,
      { setting: 'embeddingBatch' },
    );
  }
  if (queryCacheSize !== undefined && (!Number.isInteger(queryCacheSize) || queryCacheSize < 0)) {
    throw new EngineError(
      'INVALID_INPUT',
      `query cache size must be a non-negative integer, got ${queryCacheSize}`,
    );
  }
  if (threads !== undefined && (!Number.isInteger(threads) || threads < 1 || threads > 256)) {
    throw new EngineError('INVALID_INPUT', `embedding threads must be an integer in 1..256, got ${threads}`);
  }
  if (settings.dtype !== undefined && !(MODEL_DTYPES as readonly string[]).includes(settings.dtype)) {
    throw new EngineError(
      'INVALID_INPUT',
      `embedding dtype must be one of ${MODEL_DTYPES.join(', ')}, got "${String(settings.dtype)}"`,
      { setting: 'embeddingDtype' },
    );
  }
  if (settings.pooling !== undefined && !(POOLINGS as readonly string[]).includes(settings.pooling)) {
    throw new EngineError(
      'INVALID_INPUT',
      `embedding pooling must be "cls" or "mean", got "${String(settings.pooling)}"`,
      { setting: 'embeddingPooling' },
    );
  }
}
