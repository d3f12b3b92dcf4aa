// TransformersEmbedder: local ONNX embeddings via @huggingface/transformers in a worker thread, offline-capable.
import { EngineError } from '../errors.js';
import type { Embedder, EmbedderStatus, EngineLog } from '../types.js';
import { raceAbort, throwIfAborted } from './abort.js';
import { loadModelTokenizer, type BatchTokenCounter } from './model-tokenizer.js';
import type { BatchPriority, EmbeddingWorkerClient } from './embedding-worker-client.js';
import { resolveModelProfile, type ModelProfile, type Pooling } from './known-models.js';
import {
  EMBEDDING_ROLE,
  readConfiguredHiddenSize,
  resolveModelSource,
  type ModelSource,
} from './model-files.js';
import { ModelWorkerLoader, type ModelWorkerLoaderOptions } from './model-worker-loader.js';
import { QueryCache } from './query-cache.js';
import type { EmbeddingSettings } from './settings.js';
import { validateEmbeddingSettings } from './settings-validation.js';

export type TransformersEmbedderOptions = ModelWorkerLoaderOptions;

/**
 * Embeds with any feature-extraction model in Hugging Face layout, by hub id (cached under
 * `modelsDir/<id>`) or absolute directory. Inference runs in a worker thread, so the event loop keeps
 * serving searches while a large upsert embeds. Loads lazily on first use, or in the background after
 * `prewarm()`; `status()` reports progress and, on failure, a reason an agent can act on.
 *
 * `dimension` is the known-model table's (or config.json's) value until the model has loaded, then the
 * measured output width; `revision` (a sha256 prefix of the ONNX file used) is known once loaded.
 * @example const embedder = new TransformersEmbedder({ model: 'Xenova/bge-small-en-v1.5', modelsDir, offline: false, batchSize: 32 });
 */
export class TransformersEmbedder implements Embedder {
  readonly id: string;
  readonly pooling: Pooling;
  private readonly source: ModelSource;
  private readonly profile: ModelProfile;
  private readonly cache: QueryCache;
  private readonly log: EngineLog | undefined;
  private readonly loader: ModelWorkerLoader;
  private measuredDimension: number | undefined;
  /** 0 when config.json was not on disk at the first look; the real width is measured at load. */
  private configDimension: number | undefined;
  private fileRevision: string | undefined;
  private tokenizer: Promise<BatchTokenCounter> | undefined;

  constructor(
    private readonly settings: EmbeddingSettings,
    options: TransformersEmbedderOptions = {},
  ) {
    validateEmbeddingSettings(settings);
    this.id = settings.model.trim();
    this.source = resolveModelSource(settings);
    this.profile = resolveModelProfile(settings);
    this.pooling = this.profile.pooling;
    this.cache = new QueryCache(settings.queryCacheSize ?? 1000);
    this.log = options.log;
    this.loader = new ModelWorkerLoader(
      this.id,
      settings,
      this.source,
      this.profile,
      EMBEDDING_ROLE,
      (ready) => this.onLoaded(ready.dimension, ready.revision),
      options,
    );
  }

  private onLoaded(dimension: number, revision: string | undefined): void {
    this.measuredDimension = dimension;
    this.fileRevision = revision;
    if (this.profile.dimension !== undefined && this.profile.dimension !== dimension) {
      this.log?.('warning', 'embedding dimension differs from the known-model table', {
        model: this.id,
        expected: this.profile.dimension,
        actual: dimension,
      });
    }
    this.log?.('info', 'embedding model ready', {
      model: this.id,
      dimension,
      revision,
      pooling: this.pooling,
    });
  }

  get dimension(): number {
    if (this.measuredDimension !== undefined) return this.measuredDimension;
    if (this.profile.dimension !== undefined) return this.profile.dimension;
    this.configDimension ??= readConfiguredHiddenSize(this.source.directory) ?? 0;
    return this.configDimension;
  }

  get revision(): string | undefined {
    return this.fileRevision;
  }

  status(): EmbedderStatus {
    return this.loader.status();
  }

  prewarm(): void {
    this.load().catch(() => undefined);
  }

  async embedDocuments(texts: string[], signal?: AbortSignal): Promise<Float32Array[]> {
    if (!Array.isArray(texts) || texts.some((text) => typeof text !== 'string')) {
      throw new EngineError('INVALID_INPUT', 'embedDocuments expects an array of strings');
    }
    throwIfAborted(signal);
    if (texts.length === 0) return [];
    const client = await raceAbort(this.load(), signal);
    const prefix = this.settings.documentPrefix ?? this.profile.documentPrefix;
    const vectors: Float32Array[] = [];
    for (let start = 0; start < texts.length; start += this.settings.batchSize) {
      throwIfAborted(signal);
      const batch = texts.slice(start, start + this.settings.batchSize).map((text) => prefix + text);
      vectors.push(...(await this.embedBatch(client, batch, 'document', signal)));
    }
    return vectors;
  }

  async embedQuery(text: string, signal?: AbortSignal): Promise<Float32Array> {
    if (typeof text !== 'string') throw new EngineError('INVALID_INPUT', 'embedQuery expects a string');
    throwIfAborted(signal);
    const key = `${this.id}\u0000${text}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const client = await raceAbort(this.load(), signal);
    const [vector] = await this.embedBatch(client, [this.profile.queryPrefix + text], 'query', signal);
    if (!vector) throw new EngineError('EMBEDDER_UNAVAILABLE', 'the embedding worker returned no vector');
    this.cache.set(key, vector);
    return vector;
  }

  /** Token counts by the model's tokenizer (loaded on the main thread once the model files are on disk). */
  async countTokens(texts: string[]): Promise<number[]> {
    await this.load();
    this.tokenizer ??= loadModelTokenizer(this.source.pathOrId, this.settings.modelsDir);
    return (await this.tokenizer)(texts);
  }

  /** Stops the worker at once, even mid-download; calls in flight fail with EMBEDDER_UNAVAILABLE. */
  async close(): Promise<void> {
    this.cache.clear();
    await this.loader.close();
  }

  private async embedBatch(
    client: EmbeddingWorkerClient,
    texts: string[],
    priority: BatchPriority,
    signal: AbortSignal | undefined,
  ): Promise<Float32Array[]> {
    const vectors = await client.embed(texts, priority, signal);
    if (vectors.length !== texts.length) {
      throw new EngineError(
        'EMBEDDER_UNAVAILABLE',
        `the embedding worker returned ${vectors.length} vectors for ${texts.length} texts`,
      );
    }
    return vectors;
  }

  private load(): Promise<EmbeddingWorkerClient> {
    return this.loader.load();
  }
}
