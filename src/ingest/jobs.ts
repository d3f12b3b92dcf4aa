// Ingestion jobs: runs that outlive the request that started them, readable by id until the process exits.
import { randomUUID } from 'node:crypto';
import { engineErrorText } from '../config/engine-error-text.js';
import { isEngineError } from '../engine/errors.js';
import { reportToJson, type IngestProgress, type IngestReport } from './report.js';

export type JobStatus = 'running' | 'done' | 'failed' | 'cancelled';

export interface IngestJob {
  id: string;
  kb: string;
  status: JobStatus;
  progress: IngestProgress | null;
  report: IngestReport | null;
  /** Why the job failed or was cancelled. */
  error: string | null;
  startedAt: string;
  /** Last progress or the end (MCP tasks report it as lastUpdatedAt). */
  updatedAt: string;
  finishedAt: string | null;
}

type JobRecord = IngestJob & { controller: AbortController; finished: Promise<void>; failure?: unknown };

/** Finished jobs kept for reading; the oldest go first beyond this. */
const KEEP_FINISHED = 100;

/**
 * In-memory registry, one per engine (every session of an HTTP server sees the same jobs). A job's runner
 * gets an AbortSignal (cancel) and a progress callback; listeners hear every progress and the end.
 */
export class IngestJobs {
  private readonly jobs = new Map<string, JobRecord>();
  private readonly listeners = new Map<string, Set<(job: IngestJob) => void>>();

  start(
    kb: string,
    run: (signal: AbortSignal, onProgress: (progress: IngestProgress) => void) => Promise<IngestReport>,
  ): IngestJob {
    const controller = new AbortController();
    const id = randomUUID();
    const startedAt = new Date().toISOString();
    const job = {
      id,
      kb,
      status: 'running' as JobStatus,
      progress: null,
      report: null,
      error: null,
      startedAt,
      updatedAt: startedAt,
      finishedAt: null,
      controller,
      finished: Promise.resolve(),
    } as JobRecord;
    this.jobs.set(id, job);
    job.finished = run(controller.signal, (progress) => {
      job.progress = progress;
      job.updatedAt = new Date().toISOString();
      this.notify(job);
    })
      .then(
        (report) => {
          job.report = report;
          job.status = 'done';
        },
        (error: unknown) => {
          job.failure = error;
          job.status = controller.signal.aborted ? 'cancelled' : 'failed';
          const code = (error as { code?: unknown }).code;
          job.error = isEngineError(error)
            ? engineErrorText(error)
            : `${typeof code === 'string' ? `${code}: ` : ''}${error instanceof Error ? error.message : String(error)}`;
        },
      )
      .finally(() => {
        job.finishedAt = new Date().toISOString();
        job.updatedAt = job.finishedAt;
        this.notify(job);
        this.listeners.delete(id);
        this.prune();
      });
    return this.view(job);
  }

  get(id: string): IngestJob | undefined {
    const job = this.jobs.get(id);
    return job ? this.view(job) : undefined;
  }

  list(): IngestJob[] {
    return [...this.jobs.values()].map((job) => this.view(job));
  }

  /** Resolves when the job ends (never rejects). */
  async finished(id: string): Promise<IngestJob | undefined> {
    await this.jobs.get(id)?.finished;
    return this.get(id);
  }

  /** The error a failed or cancelled job ended with (to rethrow it as it was). */
  failureOf(id: string): unknown {
    return this.jobs.get(id)?.failure;
  }

  cancel(id: string): void {
    this.jobs.get(id)?.controller.abort();
  }

  /** Calls `listener` on each progress and at the end; returns the unsubscribe function. */
  subscribe(id: string, listener: (job: IngestJob) => void): () => void {
    const set = this.listeners.get(id) ?? new Set();
    set.add(listener);
    this.listeners.set(id, set);
    return () => set.delete(listener);
  }

  private notify(job: IngestJob): void {
    for (const listener of this.listeners.get(job.id) ?? []) listener(this.view(job));
  }

  private view(job: IngestJob): IngestJob {
    const { id, kb, status, progress, report, error, startedAt, updatedAt, finishedAt } = job;
    return { id, kb, status, progress, report, error, startedAt, updatedAt, finishedAt };
  }

  private prune(): void {
    const finished = [...this.jobs.values()].filter((j) => j.status !== 'running');
    for (const job of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED)))
      this.jobs.delete(job.id);
  }
}

const registries = new WeakMap<object, IngestJobs>();

/** The registry shared by everything that uses `owner` (the engine). */
export function jobsFor(owner: object): IngestJobs {
  let jobs = registries.get(owner);
  if (!jobs) {
    jobs = new IngestJobs();
    registries.set(owner, jobs);
  }
  return jobs;
}

/** A job as JSON for people and agents (snake_case, like every MCP output): the tool result and the job resource. */
export function jobToJson(job: IngestJob) {
  return {
    job_id: job.id,
    kb: job.kb,
    status: job.status,
    progress: job.progress
      ? {
          phase: job.progress.phase,
          files_done: job.progress.filesDone,
          files_total: job.progress.filesTotal,
          chunks: job.progress.chunks,
        }
      : null,
    report: job.report ? reportToJson(job.report) : null,
    error: job.error,
    started_at: job.startedAt,
    finished_at: job.finishedAt,
    status_uri: `rag-studio://jobs/${job.id}`,
  };
}
