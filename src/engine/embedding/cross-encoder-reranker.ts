// CrossEncoderReranker: scores (query, passage) pairs with a local ONNX cross-encoder in its own worker thread.
import { EngineError } from '../errors.js';
import { setting } from '../terms.js';
import type { EmbedderStatus, Reranker } from '../types.js';
import { raceAbort, throwIfAborted } from './abort.js';
import { resolveModelSource, type ModelRole, type ModelSource } from './model-files.js';
import { ModelWorkerLoader, type ModelWorkerLoaderOptions } from './model-worker-loader.js';
import type { EmbeddingSettings } from './settings.js';
import { validateEmbeddingSettings } from './settings-validation.js';

/** Cross-encoders whose hub repositories carry a quantized export (fetched as q8 when nothing is on disk). */
const QUANTIZED_RERANKERS = new Set([
  'ms-marco-minilm-l-6-v2',
  'ms-marco-minilm-l-12-v2',
  'bge-reranker-base',
]);

export const RERANK_ROLE: ModelRole = {
  task: 'rerank',
  noun: 'reranking model',
  closedName: 'reranker',
  worker: 'reranking worker',
  setting: 'rerankModel',
  dtypeChoice: 'the model directory',
  exportKind: 'sequence-classification (cross-encoder)',
  chooseAnother: `${setting('rerankModel')}: a cross-encoder id like Xenova/ms-marco-MiniLM-L-6-v2 or a local model folder; see README "Reranking"`,
  fallback: `unset ${setting('rerankModel')} to turn reranking off`,
  meanwhile: 'Searches without rerank work meanwhile.',
};

/**
 * Reranks with any cross-encoder in Hugging Face layout (sequence-classification head with one logit, such as
 * `Xenova/ms-marco-MiniLM-L-6-v2` or `Xenova/bge-reranker-base`). The model is loaded by the embedder's own
 * loader (same offline rules, file checks and errors) into a worker of its own, so scoring never blocks the
 * event loop. `settings` are the embedding settings with `model` set to the cross-encoder; the batch size,
 * threads, models dir and offline flag are shared.
 * @example const reranker = new CrossEncoderReranker({ ...embeddingSettings, model: 'Xenova/ms-marco-MiniLM-L-6-v2' });
 */
export class CrossEncoderReranker implements Reranker {
  readonly id: string;
  private readonly source: ModelSource;
  private readonly loader: ModelWorkerLoader;
  private fileRevision: string | undefined;

  constructor(
    private readonly settings: EmbeddingSettings,
    options: ModelWorkerLoaderOptions = {},
  ) {
    validateEmbeddingSettings(settings);
    this.id = settings.model.trim();
    this.source = resolveModelSource(settings);
    const lastSegment = this.id.split(/[\\/]/).pop()?.toLowerCase() ?? '';
    const profile = {
      pooling: 'mean' as const,
      ...(QUANTIZED_RERANKERS.has(lastSegment) ? { dtype: 'q8' as const } : {}),
    };
    this.loader = new ModelWorkerLoader(
      this.id,
      settings,
      this.source,
      profile,
      RERANK_ROLE,
      (ready) => {
        this.fileRevision = ready.revision;
        options.log?.('info', 'reranking model ready', { model: this.id, revision: ready.revision });
      },
      options,
    );
  }

  get revision(): string | undefined {
    return this.fileRevision;
  }

  status(): EmbedderStatus {
    return this.loader.status();
  }

  prewarm(): void {
    this.loader.load().catch(() => undefined);
  }

  async score(query: string, texts: string[], signal?: AbortSignal): Promise<number[]> {
    if (typeof query !== 'string' || !Array.isArray(texts)) {
      throw new EngineError('INVALID_INPUT', 'score expects a query string and an array of texts');
    }
    throwIfAborted(signal, 'reranking');
    if (texts.length === 0) return [];
    const client = await raceAbort(this.loader.load(), signal, 'reranking');
    const scores: number[] = [];
    for (let start = 0; start < texts.length; start += this.settings.batchSize) {
      throwIfAborted(signal, 'reranking');
      const batch = texts.slice(start, start + this.settings.batchSize);
      const batchScores = await client.score(query, batch, signal);
      if (batchScores.length !== batch.length || batchScores.some((s) => !Number.isFinite(s))) {
        throw new EngineError(
          'EMBEDDER_UNAVAILABLE',
          `the reranking worker returned ${batchScores.length} usable scores for ${batch.length} passages`,
        );
      }
      scores.push(...batchScores);
    }
    return scores;
  }

  /** Stops the worker at once; calls in flight fail with EMBEDDER_UNAVAILABLE. */
  close(): Promise<void> {
    return this.loader.close();
  }
}
