// Loads a Hugging Face-layout ONNX model into an inference worker: file checks, offline rules, single-flight, retry.
import { availableParallelism } from 'node:os';
import { EngineError, errorText } from '../errors.js';
import { setting } from '../terms.js';
import type { EmbedderStatus, EngineLog } from '../types.js';
import { EmbeddingWorkerClient, WorkerLoadError, type WorkerReady } from './embedding-worker-client.js';
import type { ModelProfile } from './known-models.js';
import { modelFilesProblem } from './model-file-checks.js';
import {
  missingModelError,
  REQUIRED_MODEL_FILES,
  planModelFiles,
  type ModelFilePlan,
  type ModelRole,
  type ModelSource,
} from './model-files.js';
import type { EmbeddingSettings } from './settings.js';

export interface ModelWorkerLoaderOptions {
  log?: EngineLog;
  /** Batches allowed to wait for the worker before calls fail with LIMIT_EXCEEDED. @example 256 */
  maxQueuedBatches?: number;
  /** After a failed load, calls fail fast with the same error for this long before loading is retried. @example 10000 */
  retryAfterMs?: number;
}

/**
 * The one loading path for every model the server runs (embedder, reranker): the files are planned and checked
 * on the main thread before ONNX Runtime sees them, a model missing offline is an error naming where it was
 * expected, loads are single-flight, and a failed load is reported (not retried) for `retryAfterMs`.
 * `onReady` sees the worker's first answer (output width, file revision) before callers get the client.
 */
export class ModelWorkerLoader {
  private readonly offline: boolean;
  private readonly maxQueuedBatches: number;
  private readonly retryAfterMs: number;
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

  constructor(
    private readonly id: string,
    private readonly settings: EmbeddingSettings,
    private readonly source: ModelSource,
    private readonly profile: Pick<ModelProfile, 'dtype' | 'pooling'>,
    private readonly role: ModelRole,
    private readonly onReady: (ready: WorkerReady) => void,
    private readonly options: ModelWorkerLoaderOptions = {},
  ) {
    // HF_HUB_OFFLINE=1 is folded into settings.offline by the configuration; the engine reads no env vars.
    this.offline = settings.offline;
    this.maxQueuedBatches = options.maxQueuedBatches ?? 256;
    this.retryAfterMs = options.retryAfterMs ?? 10_000;
  }

  status(): EmbedderStatus {
    return { ...this.state };
  }

  /** Stops the worker at once, even mid-download; calls in flight fail with EMBEDDER_UNAVAILABLE. */
  async close(): Promise<void> {
    this.closed = true;
    const clients = [this.client, this.starting].filter((client) => client !== undefined);
    this.client = undefined;
    await Promise.all(clients.map((client) => client.close()));
    await this.loading?.catch(() => undefined);
  }

  /** Single-flight load; after a failure, the same error is returned until `retryAfterMs` has passed. */
  load(): Promise<EmbeddingWorkerClient> {
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
        this.state = { state: 'failed', reason: errorText(engineError) };
        this.options.log?.('error', `${this.role.noun} failed to load`, {
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
    if (plan.missing.length > 0 && mustBeOnDisk)
      throw missingModelError(this.id, this.source, plan, this.role);
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
          `${this.role.noun} "${this.id}" in ${this.source.directory} cannot be loaded: ${problem}. Replace the file with a complete Hugging Face-layout ONNX export (or delete it to download again), or choose another model (${this.role.chooseAnother}). ${this.role.meanwhile}`,
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
        pooling: this.profile.pooling,
        intraOpThreads: this.settings.threads ?? Math.max(1, Math.min(4, availableParallelism() - 1)),
        task: this.role.task,
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
          this.options.log?.('error', `${this.role.worker} stopped`, {
            model: this.id,
            reason: error.message,
          });
        },
      },
      this.maxQueuedBatches,
    );
    this.starting = client;
    try {
      this.onReady(await client.ready);
      return client;
    } catch (error) {
      await client.close().catch(() => undefined);
      throw this.loadError(error, plan);
    } finally {
      this.starting = undefined;
    }
  }

  closedError(): EngineError {
    return new EngineError('EMBEDDER_UNAVAILABLE', `${this.role.closedName} "${this.id}" was closed`);
  }

  private loadError(error: unknown, plan: ModelFilePlan): EngineError {
    if (error instanceof EngineError) return error;
    const detail = (error instanceof Error ? error.message : String(error)).slice(0, 500);
    const where = `${this.source.directory} (${plan.onnxFile}, dtype ${plan.dtype})`;
    const remedy =
      error instanceof WorkerLoadError && error.notFound && this.source.kind === 'hub'
        ? `Check the model id, the network or ${setting('hfEndpoint')}${this.settings.hfEndpoint ? ` (${this.settings.hfEndpoint})` : ''}, and that the repository has ${plan.onnxFile} (${this.role.dtypeChoice} picks another file)`
        : `Check that the directory holds a complete ${this.role.exportKind} ONNX export in Hugging Face layout, or choose another model (${this.role.chooseAnother})`;
    return new EngineError(
      'EMBEDDER_UNAVAILABLE',
      `${this.role.noun} "${this.id}" failed to load from ${where}: ${detail}. ${remedy}. ${this.role.meanwhile}`,
      {
        cause: error,
        details: { model: this.id, directory: this.source.directory, file: plan.onnxFile, dtype: plan.dtype },
      },
    );
  }
}
