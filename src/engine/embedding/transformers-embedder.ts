// TransformersEmbedder: local ONNX embeddings via @huggingface/transformers in a worker thread, offline-capable.
import { availableParallelism } from 'node:os';
import { EngineError } from '../errors.js';
import type { Embedder, EmbedderStatus, EngineLog } from '../types.js';
import { raceAbort, throwIfAborted } from './abort.js';
import { loadModelTokenizer, type BatchTokenCounter } from './model-tokenizer.js';
import { EmbeddingWorkerClient, WorkerLoadError, type BatchPriority } from './embedding-worker-client.js';
import { resolveModelProfile, type ModelProfile, type Pooling } from './known-models.js';
import { modelFilesProblem } from './model-file-checks.js';
import {
  missingModelError,
  REQUIRED_MODEL_FILES,
  planModelFiles,
  readConfiguredHiddenSize,
  resolveModelSource,
  type ModelFilePlan,
  type ModelSource,
} from './model-files.js';
import { QueryCache } from './query-cache.js';
import type { EmbeddingSettings } from './settings.js';
import { validateEmbeddingSettings } from './settings-validation.js';

export interface TransformersEmbedderOptions {
  log?: EngineLog;
  /** Batches allowed to wait for the worker before calls fail with LIMIT_EXCEEDED. @example 256 */
  maxQueuedBatches?: number;
  /** After a failed load, calls fail fast with the same error for this long before loading is retried. @example 10000 */
  retryAfterMs?: number;
}

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
  private readonly offline: boolean;
  private readonly cache: QueryCache;
  private readonly log: EngineLog | undefined;
  private readonly maxQueuedBatches: number;
  private readonly retryAfterMs: number;
  private measuredDimension: number | undefined;
  /** 0 when config.json was not on disk at the first look; the real width is measured at load. */
  private configDimension: number | undefined;
  private fileRevision: string | undefined;
  private client: EmbeddingWorkerClient | undefined;
  /** The worker being loaded, so close() can stop it without waiting for a download. */
  private starting: EmbeddingWorkerClient | undefined;
  private loading: Promise<EmbeddingWorkerClient> | undefined;
  private failure: { error: EngineError; at: number } | undefined;
  private state: EmbedderStatus = {
    state: 'loading',
    progress: 0,
    detail: 'not loaded yet; loads on first use',
  };
  private closed = false;
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
    this.offline = settings.offline || process.env.HF_HUB_OFFLINE === '1';
    this.cache = new QueryCache(settings.queryCacheSize ?? 1000);
    this.log = options.log;
    this.maxQueuedBatches = options.maxQueuedBatches ?? 256;
    this.retryAfterMs = options.retryAfterMs ?? 10_000;
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
    return { ...this.state };
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
    this.closed = true;
    this.cache.clear();
    const clients = [this.client, this.starting].filter((client) => client !== undefined);
    this.client = undefined;
    await Promise.all(clients.map((client) => client.close()));
    await this.loading?.catch(() => undefined);
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

  /** Single-flight load; after a failure, the same error is returned until `retryAfterMs` has passed. */
  private load(): Promise<EmbeddingWorkerClient> {
    if (this.closed) return Promise.reject(this.closedError());
    if (this.client) return Promise.resolve(this.client);
    if (this.loading) return this.loading;
    if (this.failure && Date.now() - this.failure.at < this.retryAfterMs)
      return Promise.reject(this.failure.error);
    this.state = { state: 'loading', progress: 0, detail: 'checking model files' };
    const loading = this.startWorker().then(
      (client) => {
        this.loading = undefined;
        this.failure = undefined;
        if (this.closed) {
          void client.close();
          throw this.closedError();
        }
        this.client = client;
        this.state = { state: 'ready', progress: 1 };
        this.log?.('info', 'embedding model ready', {
          model: this.id,
          dimension: this.dimension,
          revision: this.revision,
          pooling: this.pooling,
        });
        return client;
      },
      (error: unknown) => {
        this.loading = undefined;
        if (this.closed) throw this.closedError();
        const engineError =
          error instanceof EngineError
            ? error
            : new EngineError('EMBEDDER_UNAVAILABLE', String(error), { cause: error });
        this.failure = { error: engineError, at: Date.now() };
        this.state = { state: 'failed', reason: engineError.message };
        this.log?.('error', 'embedding model failed to load', {
          model: this.id,
          reason: engineError.message,
        });
        throw engineError;
      },
    );
    this.loading = loading;
    return loading;
  }

  private async startWorker(): Promise<EmbeddingWorkerClient> {
    const plan = await planModelFiles(this.source, this.settings, this.profile);
    if (this.closed) throw this.closedError();
    const mustBeOnDisk = this.source.kind === 'local' || this.offline;
    if (plan.missing.length > 0 && mustBeOnDisk) throw missingModelError(this.id, this.source, plan);
    const downloading = plan.missing.length > 0;
    if (!downloading) {
      // Checked here, on the main thread, before ONNX Runtime sees the file: a corrupt model can abort the
      // process from inside the worker, and a FIFO or device would hang it.
      const problem = await modelFilesProblem(this.source.directory, [
        ...REQUIRED_MODEL_FILES,
        plan.onnxFile,
      ]);
      if (this.closed) throw this.closedError();
      if (problem !== undefined) {
        throw new EngineError(
          'EMBEDDER_UNAVAILABLE',
          `embedding model "${this.id}" in ${this.source.directory} cannot be loaded: ${problem}. Replace the file with a complete Hugging Face-layout ONNX export (or delete it to download again), or choose another model (RAG_STUDIO_EMBEDDING_MODEL: a local model folder, or "none" for lexical search only; see README "Embedding models"). Lexical search works meanwhile.`,
          {
            details: {
              model: this.id,
              directory: this.source.directory,
              file: plan.onnxFile,
              dtype: plan.dtype,
            },
          },
        );
      }
    }
    this.state = {
      state: 'loading',
      progress: 0,
      detail: downloading
        ? `downloading ${this.id} (${plan.dtype}) into ${this.source.directory}`
        : `loading ${plan.onnxFile}`,
    };
    const client = new EmbeddingWorkerClient(
      {
        pathOrId: this.source.pathOrId,
        directory: this.source.directory,
        modelsDir: this.settings.modelsDir,
        offline: this.offline,
        ...(this.settings.hfEndpoint === undefined ? {} : { hfEndpoint: this.settings.hfEndpoint }),
        dtype: plan.dtype,
        onnxFile: plan.onnxFile,
        pooling: this.pooling,
        intraOpThreads: this.settings.threads ?? Math.max(1, Math.min(4, availableParallelism() - 1)),
      },
      {
        onProgress: ({ phase, progress, file }) => {
          if (this.state.state !== 'loading') return;
          const verb = phase === 'download' && downloading ? 'downloading' : 'loading';
          this.state = {
            state: 'loading',
            progress: progress ?? this.state.progress ?? 0,
            detail: file === undefined ? (this.state.detail ?? verb) : `${verb} ${file}`,
          };
        },
        onCrash: (error) => {
          this.client = undefined;
          this.state = { state: 'failed', reason: `${error.message}; the next call reloads the model` };
          this.log?.('error', 'embedding worker stopped', { model: this.id, reason: error.message });
        },
      },
      this.maxQueuedBatches,
    );
    this.starting = client;
    try {
      const ready = await client.ready;
      this.measuredDimension = ready.dimension;
      this.fileRevision = ready.revision;
      if (this.profile.dimension !== undefined && this.profile.dimension !== ready.dimension) {
        this.log?.('warning', 'embedding dimension differs from the known-model table', {
          model: this.id,
          expected: this.profile.dimension,
          actual: ready.dimension,
        });
      }
      return client;
    } catch (error) {
      await client.close().catch(() => undefined);
      throw this.loadError(error, plan);
    } finally {
      this.starting = undefined;
    }
  }

  private closedError(): EngineError {
    return new EngineError('EMBEDDER_UNAVAILABLE', `embedder "${this.id}" was closed`);
  }

  private loadError(error: unknown, plan: ModelFilePlan): EngineError {
    if (error instanceof EngineError) return error;
    const detail = (error instanceof Error ? error.message : String(error)).slice(0, 500);
    const where = `${this.source.directory} (${plan.onnxFile}, dtype ${plan.dtype})`;
    const remedy =
      error instanceof WorkerLoadError && error.notFound && this.source.kind === 'hub'
        ? `Check the model id, the network or RAG_STUDIO_HF_ENDPOINT${this.settings.hfEndpoint ? ` (${this.settings.hfEndpoint})` : ''}, and that the repository has ${plan.onnxFile} (RAG_STUDIO_EMBEDDING_DTYPE picks another file)`
        : 'Check that the directory holds a complete feature-extraction ONNX export in Hugging Face layout, or choose another model (RAG_STUDIO_EMBEDDING_MODEL: a local model folder, or "none" for lexical search only; see README "Embedding models")';
    return new EngineError(
      'EMBEDDER_UNAVAILABLE',
      `embedding model "${this.id}" failed to load from ${where}: ${detail}. ${remedy}. Lexical search works meanwhile.`,
      {
        cause: error,
        details: { model: this.id, directory: this.source.directory, file: plan.onnxFile, dtype: plan.dtype },
      },
    );
  }
}
