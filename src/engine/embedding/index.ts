// Embedders: `createEmbedder` picks the implementation from the settings; everything callers need is re-exported.
import type { Embedder, EngineLog } from '../types.js';
import { HashEmbedder } from './hash-embedder.js';
import type { EmbeddingSettings } from './settings.js';
import { TransformersEmbedder, type TransformersEmbedderOptions } from './transformers-embedder.js';

export { DEFAULT_EMBEDDING_MODEL, type EmbeddingSettings } from './settings.js';
export { HashEmbedder, type HashEmbedderOptions } from './hash-embedder.js';
export { TransformersEmbedder, type TransformersEmbedderOptions } from './transformers-embedder.js';
export { CrossEncoderReranker } from './cross-encoder-reranker.js';
export {
  KNOWN_MODELS,
  lookupKnownModel,
  resolveModelProfile,
  type ModelProfile,
  type Pooling,
} from './known-models.js';
export { MODEL_DTYPES, type ModelDtype } from './model-files.js';

/** The model id that selects the non-semantic HashEmbedder. */
export const HASH_MODEL_ID = 'hash';

/**
 * `hash` gives the offline, non-semantic HashEmbedder (dimension 384); anything else a
 * TransformersEmbedder, which loads nothing until first use or `prewarm()`.
 * Throws INVALID_INPUT for settings that can never work (bad id, batch size, dtype, pooling).
 * @example const embedder = createEmbedder({ model: 'Xenova/bge-small-en-v1.5', modelsDir, offline: false, batchSize: 32 }, log);
 */
export function createEmbedder(
  settings: EmbeddingSettings,
  log?: EngineLog,
  options: Omit<TransformersEmbedderOptions, 'log'> = {},
): Embedder {
  if (settings.model.trim() === HASH_MODEL_ID) return new HashEmbedder();
  return new TransformersEmbedder(settings, { ...options, ...(log === undefined ? {} : { log }) });
}
