// Decides a generation's embedding space and checks that writes and text queries match it.
import { EngineError } from './errors.js';
import { arg, op, setting } from './terms.js';
import type { Embedder, EmbeddingSpace } from './types.js';

/** Space name for caller-supplied vectors. */
export const EXTERNAL_MODEL = 'external';

/**
 * Space name of a generation written without an embedding model: text chunks stored with no vector
 * (dimension 0, no embedding column). Lexical search works on it; a copy into a generation made while a
 * model is configured embeds every chunk (createGeneration with copyFromActive).
 */
export const LEXICAL_ONLY_MODEL = 'lexical-only';
export const LEXICAL_ONLY_SPACE: EmbeddingSpace = { model: LEXICAL_ONLY_MODEL, dimension: 0 };

export function isLexicalOnly(space: EmbeddingSpace | null | undefined): boolean {
  return space?.model === LEXICAL_ONLY_MODEL;
}

/** How to give a lexical-only knowledge base vectors, for errors and search warnings. */
export const ADD_VECTORS =
  `To add vectors, configure an embedding model (${setting('embeddingModel')}), then ${op('createGeneration')} ` +
  `with ${arg('copyFromActive')} (it embeds every chunk) and ${op('promoteGeneration')}.`;

export function embedderSpace(embedder: Embedder): EmbeddingSpace {
  return {
    model: embedder.id,
    dimension: embedder.dimension,
    ...(embedder.revision ? { revision: embedder.revision } : {}),
    ...(embedder.pooling ? { pooling: embedder.pooling } : {}),
  };
}

const MOVE_ON =
  `To change models: ${op('createGeneration')}, upsert the chunks into it (they are embedded with the ` +
  `current model), then ${op('promoteGeneration')}.`;

/**
 * The space the next write uses: the generation's own if it has one; otherwise `external` when every chunk
 * brings a vector (the spec's rule for a generation's first write), else the configured embedder's, else
 * (no embedder, no vectors) lexical-only.
 */
export function spaceForWrite(
  existing: EmbeddingSpace | null,
  suppliedDimension: number | null,
  allSupplied: boolean,
  embedder: Embedder | undefined,
): EmbeddingSpace {
  if (existing) return existing;
  if (allSupplied && suppliedDimension !== null)
    return { model: EXTERNAL_MODEL, dimension: suppliedDimension };
  if (!embedder) {
    if (suppliedDimension === null) return LEXICAL_ONLY_SPACE;
    throw new EngineError(
      'EMBEDDER_UNAVAILABLE',
      'no embedding model is configured and only some chunks bring an `embedding`: send a vector with every ' +
        'chunk, or none at all (the knowledge base is then lexical-only), or configure an embedding model',
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
  if (isLexicalOnly(space)) {
    if (suppliedDimension === null) return;
    throw new EngineError(
      'MODEL_MISMATCH',
      `${where} is lexical-only (written without an embedding model) and stores no vectors, so chunks with an ` +
        `\`embedding\` cannot go in. Send them without it, or write them into a new generation. ${MOVE_ON}`,
    );
  }
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
export function checkEmbedderUsable(
  space: EmbeddingSpace,
  embedder: Embedder | undefined,
  where: string,
): Embedder {
  if (!embedder) {
    throw new EngineError(
      'EMBEDDER_UNAVAILABLE',
      `no embedder is configured; ${where} was built with ${space.model}`,
    );
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
