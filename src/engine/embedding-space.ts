// Decides a generation's embedding space and checks that writes and text queries match it.
import { EngineError } from './errors.js';
import type { Embedder, EmbeddingSpace } from './types.js';

/** Space name for caller-supplied vectors. */
export const EXTERNAL_MODEL = 'external';

export function embedderSpace(embedder: Embedder): EmbeddingSpace {
  return {
    model: embedder.id,
    dimension: embedder.dimension,
    ...(embedder.revision ? { revision: embedder.revision } : {}),
    ...(embedder.pooling ? { pooling: embedder.pooling } : {}),
  };
}

const MOVE_ON =
  'To change models: create_generation, upsert the chunks into it (they are embedded with the current ' +
  'model), then promote_generation.';

/**
 * The space the next write uses: the generation's own if it has one; otherwise `external` when every chunk
 * brings a vector (the spec's rule for a generation's first write), else the configured embedder's.
 */
export function spaceForWrite(
  existing: EmbeddingSpace | null,
  suppliedDimension: number | null,
  allSupplied: boolean,
  embedder: Embedder | undefined,
): EmbeddingSpace {
  if (existing) return existing;
  if (allSupplied && suppliedDimension !== null) return { model: EXTERNAL_MODEL, dimension: suppliedDimension };
  if (!embedder) {
    throw new EngineError(
      'EMBEDDER_UNAVAILABLE',
      'no embedder is configured, so chunks need an `embedding` vector each (or configure an embedding model)',
    );
  }
  return embedderSpace(embedder);
}

/** Checks caller vectors and, when some chunks need embedding, the embedder, against the space. */
export function checkWriteAgainstSpace(
  space: EmbeddingSpace,
  suppliedDimension: number | null,
  needsEmbedding: boolean,
  embedder: Embedder | undefined,
  where: string,
): void {
  if (suppliedDimension !== null && suppliedDimension !== space.dimension) {
    throw new EngineError(
      'DIMENSION_MISMATCH',
      `${where} stores ${space.dimension}-d vectors (${space.model}) but the chunks bring ${suppliedDimension}-d ` +
        `embeddings. Send ${space.dimension}-d vectors, or write them into a new generation. ${MOVE_ON}`,
    );
  }
  if (!needsEmbedding) return;
  if (space.model === EXTERNAL_MODEL) {
    throw new EngineError(
      'MODEL_MISMATCH',
      `${where} holds caller-supplied (external) vectors, so every chunk written to it needs an \`embedding\`. ${MOVE_ON}`,
    );
  }
  checkEmbedderUsable(space, embedder, where);
}

/** Throws unless `embedder` produced (or can produce) vectors of `space`. */
export function checkEmbedderUsable(space: EmbeddingSpace, embedder: Embedder | undefined, where: string): Embedder {
  if (!embedder) {
    throw new EngineError('EMBEDDER_UNAVAILABLE', `no embedder is configured; ${where} was built with ${space.model}`);
  }
  const status = embedder.status();
  if (status.state === 'failed') {
    throw new EngineError(
      'EMBEDDER_UNAVAILABLE',
      `the embedding model ${embedder.id} failed to load: ${status.reason ?? 'unknown reason'}`,
    );
  }
  if (embedder.id !== space.model) {
    throw new EngineError(
      'MODEL_MISMATCH',
      `${where} was embedded with ${space.model} but the server's model is ${embedder.id}; mixing them gives ` +
        `meaningless similarities. Configure ${space.model} again, or rebuild: ${MOVE_ON}`,
    );
  }
  // 0 means "not known until the model loads"; the vectors it returns are checked instead.
  if (embedder.dimension !== 0 && embedder.dimension !== space.dimension) {
    throw new EngineError(
      'DIMENSION_MISMATCH',
      `${where} stores ${space.dimension}-d vectors but ${embedder.id} makes ${embedder.dimension}-d ones. ${MOVE_ON}`,
    );
  }
  return embedder;
}
