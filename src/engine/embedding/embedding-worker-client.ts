// Main-thread side of the inference worker: a bounded, prioritised, cancellable queue of embedding batches.
import type { Worker } from 'node:worker_threads';
import { EngineError } from '../errors.js';
import { cancelledError } from './abort.js';
import { spawnEmbeddingWorker } from './worker-location.js';
import type { WorkerInit, WorkerResponse } from './worker-protocol.js';

export interface WorkerReady {
  dimension: number;
  revision?: string | undefined;
}

export interface WorkerEvents {
  onProgress(progress: { phase: 'download' | 'load'; progress?: number; file?: string }): void;
  /** The worker died after loading; pending batches were rejected. */
  onCrash(error: EngineError): void;
}

/** Load failed inside the worker (bad files, unreachable hub). */
export class WorkerLoadError extends Error {
  constructor(
    message: string,
    readonly notFound: boolean,
  ) {
    super(message);
    this.name = 'WorkerLoadError';
  }
}

export type BatchPriority = 'query' | 'document';

interface Job {
  id: number;
  texts: string[];
  /** Set for a cross-encoder batch: every text is scored paired with it. */
  query: string | undefined;
  resolve(vectors: Float32Array[]): void;
  reject(error: unknown): void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  settled: boolean;
}

/**
 * Owns one worker thread. Batches wait in two FIFO queues; queries go first so a search is never stuck
 * behind a large upsert for more than one batch. One batch is in the worker at a time, so cancelling a
 * queued batch is immediate and cancelling the running one wastes at most that batch.
 */
export class EmbeddingWorkerClient {
  readonly ready: Promise<WorkerReady>;
  private readonly worker: Worker;
  private readonly queries: Job[] = [];
  private readonly documents: Job[] = [];
  private running: Job | undefined;
  private loaded = false;
  private stopped: EngineError | undefined;
  private nextId = 1;

  constructor(
    init: WorkerInit,
    private readonly events: WorkerEvents,
    private readonly maxQueued: number,
  ) {
    this.worker = spawnEmbeddingWorker(init);
    this.ready = new Promise<WorkerReady>((resolve, reject) => {
      this.worker.on('message', (message: WorkerResponse) => {
        if (message.type === 'ready') {
          this.loaded = true;
          resolve({
            dimension: message.dimension,
            ...(message.revision === undefined ? {} : { revision: message.revision }),
          });
          this.pump();
        } else if (message.type === 'load-failed') {
          reject(new WorkerLoadError(message.message, message.notFound));
        } else {
          this.onMessage(message);
        }
      });
      this.worker.on('error', (error) => {
        if (!this.loaded) reject(new WorkerLoadError(error.message, false));
        this.stop(
          new EngineError('EMBEDDER_UNAVAILABLE', `embedding worker crashed: ${error.message}`, {
            cause: error,
          }),
        );
      });
      this.worker.on('exit', (code) => {
        if (!this.loaded)
          reject(new WorkerLoadError(`embedding worker exited with code ${code} before loading`, false));
        this.stop(
          new EngineError('EMBEDDER_UNAVAILABLE', `embedding worker exited unexpectedly (code ${code})`),
        );
      });
    });
    // Callers may never await `ready` (prewarm); its failure is reported through them, not as unhandled.
    this.ready.catch(() => undefined);
  }

  /** Embeds one batch; rejects with CANCELLED on abort, LIMIT_EXCEEDED when the queue is full. */
  embed(texts: string[], priority: BatchPriority, signal?: AbortSignal): Promise<Float32Array[]> {
    return this.enqueue(texts, undefined, priority, signal);
  }

  /** Scores one batch of (query, text) pairs with a cross-encoder worker: one logit per text. */
  async score(query: string, texts: string[], signal?: AbortSignal): Promise<number[]> {
    const rows = await this.enqueue(texts, query, 'query', signal);
    return rows.map((row) => row[0] ?? Number.NaN);
  }

  private enqueue(
    texts: string[],
    query: string | undefined,
    priority: BatchPriority,
    signal: AbortSignal | undefined,
  ): Promise<Float32Array[]> {
    if (this.stopped) return Promise.reject(this.stopped);
    if (signal?.aborted) return Promise.reject(cancelledError());
    if (this.queries.length + this.documents.length >= this.maxQueued) {
      return Promise.reject(
        new EngineError(
          'LIMIT_EXCEEDED',
          `embedding queue is full (${this.maxQueued} batches waiting); retry shortly`,
        ),
      );
    }
    return new Promise<Float32Array[]>((resolve, reject) => {
      const job: Job = {
        id: this.nextId++,
        texts,
        query,
        resolve,
        reject,
        signal,
        onAbort: undefined,
        settled: false,
      };
      if (signal) {
        job.onAbort = () => {
          this.removeQueued(job);
          this.settle(job, () => reject(cancelledError()));
        };
        signal.addEventListener('abort', job.onAbort, { once: true });
      }
      (priority === 'query' ? this.queries : this.documents).push(job);
      this.pump();
    });
  }

  /** Number of batches waiting or running; for tests and status. */
  get pending(): number {
    return this.queries.length + this.documents.length + (this.running ? 1 : 0);
  }

  async close(): Promise<void> {
    this.stop(new EngineError('EMBEDDER_UNAVAILABLE', 'the embedder was closed'), false);
    await this.worker.terminate();
  }

  private pump(): void {
    if (!this.loaded || this.running || this.stopped) {
      this.updateRef();
      return;
    }
    const job = this.queries.shift() ?? this.documents.shift();
    if (job) {
      this.running = job;
      this.worker.postMessage({
        type: 'embed',
        id: job.id,
        texts: job.texts,
        ...(job.query === undefined ? {} : { query: job.query }),
      });
    }
    this.updateRef();
  }

  private onMessage(message: WorkerResponse): void {
    if (message.type !== 'embedded' && message.type !== 'embed-failed') {
      if (message.type === 'progress') this.events.onProgress(message);
      return;
    }
    const job = this.running;
    if (!job || job.id !== message.id) return;
    this.running = undefined;
    if (message.type === 'embedded') {
      const vectors: Float32Array[] = [];
      for (let row = 0; row < message.count; row++) {
        vectors.push(message.data.slice(row * message.dimension, (row + 1) * message.dimension));
      }
      this.settle(job, () => job.resolve(vectors));
    } else {
      this.settle(job, () =>
        job.reject(new EngineError('EMBEDDER_UNAVAILABLE', `embedding failed: ${message.message}`)),
      );
    }
    this.pump();
  }

  private settle(job: Job, action: () => void): void {
    if (job.settled) return;
    job.settled = true;
    if (job.onAbort) job.signal?.removeEventListener('abort', job.onAbort);
    action();
  }

  private removeQueued(job: Job): void {
    for (const queue of [this.queries, this.documents]) {
      const index = queue.indexOf(job);
      if (index >= 0) queue.splice(index, 1);
    }
  }

  private stop(error: EngineError, notify = true): void {
    if (this.stopped) return;
    this.stopped = error;
    const jobs = [
      ...this.queries.splice(0),
      ...this.documents.splice(0),
      ...(this.running ? [this.running] : []),
    ];
    this.running = undefined;
    for (const job of jobs) this.settle(job, () => job.reject(error));
    if (notify && this.loaded) this.events.onCrash(error);
  }

  /** Hold the process open only while work is pending, so an idle embedder never blocks shutdown. */
  private updateRef(): void {
    if (!this.loaded || this.pending > 0) this.worker.ref();
    else this.worker.unref();
  }
}
