// One assembly of the engine from a ServerConfig (embedder + engine, closed together), shared by every entry point.
import { createEmbedder, CrossEncoderReranker } from '../engine/embedding/index.js';
import { openEngine } from '../engine/index.js';
import type { Embedder, EngineLog, EngineOptions, KnowledgeBaseEngine, Reranker } from '../engine/types.js';
import { engineOptionsFrom, NO_EMBEDDER_MODEL, type ServerConfig } from '../config/config.js';

export interface RuntimeOptions {
  /** Where the engine and embedder log; default nowhere. */
  log?: EngineLog;
  /** Start loading (or downloading) the model now, so the first search does not pay for it. */
  prewarm?: boolean;
  /** Engine options the config does not carry, or overrides (e.g. `gcIntervalSeconds: 0` for one-shot commands). */
  engine?: Partial<EngineOptions>;
  /** Use this embedder instead of the one the config names (tests with a gated or keyword embedder). */
  embedder?: Embedder;
}

export interface Runtime {
  engine: KnowledgeBaseEngine;
  /** Undefined when the config says `none` (lexical only). */
  embedder: Embedder | undefined;
  /** Closes the engine (letting in-flight writes finish), then the model worker. */
  close(): Promise<void>;
}

/**
 * Opens the engine a config describes. If the engine cannot open, the embedder it made is closed again.
 * @example const { engine, close } = await openRuntime(config, { log: logger.log, prewarm: true });
 */
export async function openRuntime(config: ServerConfig, options: RuntimeOptions = {}): Promise<Runtime> {
  const embedder =
    options.embedder ??
    (config.embedding.model === NO_EMBEDDER_MODEL
      ? undefined
      : createEmbedder(config.embedding, options.log));
  if (options.prewarm === true) embedder?.prewarm?.();
  // The cross-encoder loads on the first `rerank: true` search: most sessions never rerank.
  const reranker: Reranker | undefined = config.rerank
    ? new CrossEncoderReranker(config.rerank, options.log ? { log: options.log } : {})
    : undefined;
  let engine: KnowledgeBaseEngine;
  try {
    engine = await openEngine({
      ...engineOptionsFrom(config),
      ...(options.log ? { log: options.log } : {}),
      ...(embedder ? { embedder } : {}),
      ...(reranker ? { reranker } : {}),
      ...options.engine,
    });
  } catch (error) {
    await embedder?.close?.().catch(() => undefined);
    await reranker?.close?.().catch(() => undefined);
    throw error;
  }
  return {
    engine,
    embedder,
    async close() {
      try {
        await engine.close();
      } finally {
        await Promise.all([embedder?.close?.(), reranker?.close?.()]);
      }
    },
  };
}
