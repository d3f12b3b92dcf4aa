// MCP tasks (protocol 2025-11-25) for ingest_documents: each task is an ingestion job, read through the job registry.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CreateTaskOptions, TaskStore } from '@modelcontextprotocol/sdk/experimental/tasks';
import {
  ErrorCode,
  McpError,
  RELATED_TASK_META_KEY,
  type CallToolResult,
  type CreateTaskResult,
  type Result,
  type ServerCapabilities,
  type Task,
} from '@modelcontextprotocol/sdk/types.js';
import { engineErrorText } from '../config/engine-error-text.js';
import { isEngineError } from '../engine/errors.js';
import { jobsFor, jobToJson, type IngestJob, type IngestJobs } from '../ingest/index.js';
import * as ingestTool from './ingest-documents.js';
import { engineErrorResult, structuredResult, type ToolDeps, type ToolExtra } from './tool-result.js';

/** The server's `tasks` capability: task-augmented tools/call (ingest_documents only), tasks/list, tasks/cancel. */
export const TASKS_CAPABILITY: NonNullable<ServerCapabilities['tasks']> = {
  list: {},
  cancel: {},
  requests: { tools: { call: {} } },
};

/** Suggested tasks/get interval; ingestion of a large folder takes seconds to minutes. */
export const POLL_INTERVAL_MS = 1000;

/** How long tasks/cancel waits for the job to stop, so that its answer usually means "stopped". */
const CANCEL_WAIT_MS = 10_000;

/** tasks/list page size. */
const LIST_PAGE = 50;

const NOT_FOUND_HINT =
  'task ids come from calling ingest_documents with the "task" parameter on this connection; ' +
  'finished tasks stay readable until the server exits (the newest 100); tasks/list shows them';

/**
 * A TaskStore over the ingestion job registry: a task id is a job id, the status and the result are read
 * from the job, so rag-studio://jobs/{id} and tasks/get never disagree. One store per MCP session: a
 * session sees only the tasks it started (jobs started by other sessions or plain calls are not its tasks).
 * Tasks are never created through the SDK's createTask: `adopt` turns a started job into a task.
 */
export class IngestTaskStore implements TaskStore {
  /** Task ids of this session, oldest first. */
  private readonly own = new Set<string>();
  /** Tasks cancelled through tasks/cancel: cancelled stays cancelled even if the job had just finished. */
  private readonly cancelled = new Set<string>();

  constructor(private readonly jobs: IngestJobs) {}

  adopt(job: IngestJob): Task {
    this.own.add(job.id);
    return this.taskOf(job);
  }

  createTask(): Promise<Task> {
    return Promise.reject(new Error('ingestion tasks are created by ingest_documents only'));
  }

  getTask(taskId: string): Promise<Task | null> {
    return Promise.resolve(this.taskOf(this.jobOf(taskId)));
  }

  storeTaskResult(): Promise<void> {
    // The job registry holds results; nothing else writes them.
    return Promise.resolve();
  }

  getTaskResult(taskId: string): Promise<Result> {
    const job = this.jobOf(taskId);
    return Promise.resolve(this.resultOf(job));
  }

  async updateTaskStatus(taskId: string, status: Task['status']): Promise<void> {
    const job = this.jobOf(taskId);
    if (status !== 'cancelled') return;
    this.cancelled.add(taskId);
    this.jobs.cancel(job.id);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.jobs.finished(job.id),
      new Promise((resolve) => (timer = setTimeout(resolve, CANCEL_WAIT_MS).unref())),
    ]);
    clearTimeout(timer);
  }

  listTasks(cursor?: string): Promise<{ tasks: Task[]; nextCursor?: string }> {
    const start = cursor === undefined ? 0 : Number(cursor);
    if (!Number.isSafeInteger(start) || start < 0)
      return Promise.reject(
        new Error(`invalid cursor ${JSON.stringify(cursor)}: pass a nextCursor from tasks/list`),
      );
    const jobs = [...this.own]
      .reverse()
      .map((id) => this.jobs.get(id))
      .filter((job): job is IngestJob => job !== undefined);
    const page = jobs.slice(start, start + LIST_PAGE).map((job) => this.taskOf(job));
    const next = start + LIST_PAGE < jobs.length ? { nextCursor: String(start + LIST_PAGE) } : {};
    return Promise.resolve({ tasks: page, ...next });
  }

  private jobOf(taskId: string): IngestJob {
    const job = this.own.has(taskId) ? this.jobs.get(taskId) : undefined;
    if (job === undefined) {
      this.own.delete(taskId);
      this.cancelled.delete(taskId);
      throw new McpError(
        ErrorCode.InvalidParams,
        `task ${JSON.stringify(taskId.slice(0, 64))} not found: ${NOT_FOUND_HINT}`,
      );
    }
    return job;
  }

  private taskOf(job: IngestJob): Task {
    const status = this.cancelled.has(job.id) ? 'cancelled' : TASK_STATUS[job.status];
    return {
      taskId: job.id,
      status,
      statusMessage: statusMessage(job, status),
      createdAt: job.startedAt,
      lastUpdatedAt: job.updatedAt,
      // Kept until the server exits (the newest 100 finished jobs), whatever the client asked for.
      ttl: null,
      pollInterval: POLL_INTERVAL_MS,
    };
  }

  /** The result a plain call would have returned once the job ended. */
  private resultOf(job: IngestJob): CallToolResult {
    if (job.status === 'done') return structuredResult(jobToJson(job));
    if (job.status === 'running') {
      // Only reachable through a cancelled task whose job is still winding down.
      return {
        isError: true,
        content: [
          { type: 'text', text: `CANCELLED: cancel requested; the job is stopping (${statusUri(job)})` },
        ],
      };
    }
    const failure = this.jobs.failureOf(job.id);
    if (isEngineError(failure)) return engineErrorResult(failure);
    return { isError: true, content: [{ type: 'text', text: job.error ?? `job ${job.status}` }] };
  }
}

const TASK_STATUS = {
  running: 'working',
  done: 'completed',
  failed: 'failed',
  cancelled: 'cancelled',
} as const satisfies Record<IngestJob['status'], Task['status']>;

function statusUri(job: IngestJob): string {
  return `rag-studio://jobs/${job.id}`;
}

function statusMessage(job: IngestJob, status: Task['status']): string {
  if (status === 'cancelled' && job.status === 'done')
    return `cancelled after the ingestion had finished; its report is in ${statusUri(job)}`;
  if (job.status === 'running') {
    const p = job.progress;
    const done = p
      ? `${p.phase}: ${p.filesDone}/${p.filesTotal ?? '?'} files, ${p.chunks} chunks`
      : 'starting';
    return status === 'cancelled' ? `cancelled; stopping (${done})` : done;
  }
  if (job.status === 'done') {
    const r = jobToJson(job).report!;
    return `done: ${r.added} added, ${r.updated} updated, ${r.deleted} deleted, ${r.failed.length} failed`;
  }
  return job.error ?? job.status;
}

/** A store for one session's ingestion tasks, over the engine's shared job registry. */
export function createIngestTaskStore(engine: object): IngestTaskStore {
  return new IngestTaskStore(jobsFor(engine));
}

type RawHandler = (
  request: { params?: { name?: unknown; arguments?: unknown; task?: CreateTaskOptions } },
  extra: ToolExtra,
) => Promise<unknown>;

/**
 * Routes task-augmented tools/call requests: ingest_documents becomes a task backed by its job, any other
 * tool is refused (none declares task support). Plain calls go to the SDK's handler untouched, so a client
 * without tasks keeps the wait-then-job-id behaviour. tools/list gets `execution.taskSupport: "optional"`
 * on ingest_documents. The SDK's own registerToolTask cannot do this: with taskSupport "optional" it runs a
 * plain call as a task and polls it to the end, so a plain call would block for the whole ingestion.
 * (The SDK has no public hook for either; like answerUnknownToolsBriefly this wraps its registered handlers.)
 */
export function serveIngestTasks(server: McpServer, deps: ToolDeps, store: IngestTaskStore): void {
  const handlers = (server.server as unknown as { _requestHandlers?: Map<string, RawHandler> })
    ._requestHandlers;
  const call = handlers?.get('tools/call');
  const list = handlers?.get('tools/list');
  if (handlers === undefined || call === undefined || list === undefined)
    throw new Error('MCP SDK internals changed: cannot route ingest_documents tasks');
  handlers.set('tools/list', async (request, extra) => {
    const result = (await list(request, extra)) as { tools: Array<{ name: string; execution?: unknown }> };
    return {
      ...result,
      tools: result.tools.map((tool) =>
        tool.name === ingestTool.name ? { ...tool, execution: { taskSupport: 'optional' } } : tool,
      ),
    };
  });
  handlers.set('tools/call', async (request, extra) => {
    if (request.params?.task === undefined) return call(request, extra);
    const name = request.params.name;
    if (name !== ingestTool.name) {
      throw new McpError(
        ErrorCode.MethodNotFound,
        `tool ${JSON.stringify(String(name).slice(0, 64))} does not run as a task (only ${ingestTool.name} does): call it without the "task" parameter`,
      );
    }
    return startIngestTask(server, deps, store, request.params.arguments, extra);
  });
}

async function startIngestTask(
  server: McpServer,
  deps: ToolDeps,
  store: IngestTaskStore,
  rawArgs: unknown,
  extra: ToolExtra,
): Promise<CreateTaskResult> {
  const parsed = ingestTool.inputSchema.safeParse(rawArgs ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'arguments'}: ${i.message}`);
    throw new McpError(
      ErrorCode.InvalidParams,
      `Input validation error: Invalid arguments for tool ${ingestTool.name}: ${problems.join('; ')}`,
    );
  }
  let job: IngestJob;
  try {
    job = await ingestTool.startIngestJob(server, deps, parsed.data, extra);
  } catch (error) {
    // Refused before a task exists (roots, paths): the tools/call itself fails, with the tool's error text.
    if (isEngineError(error)) throw new McpError(ErrorCode.InvalidParams, engineErrorText(error));
    throw error;
  }
  reportTaskProgress(server, deps, job, extra._meta?.progressToken);
  return { task: store.adopt(job) };
}

/**
 * The tools/call's progress token stays valid for the task's lifetime (spec 2025-11-25), so progress goes on
 * after the CreateTaskResult. Sent as session notifications (not tied to the finished request): over
 * Streamable HTTP the request's stream has closed, the session's standalone stream has not.
 */
function reportTaskProgress(
  server: McpServer,
  deps: ToolDeps,
  job: IngestJob,
  progressToken: string | number | undefined,
): void {
  if (progressToken === undefined) return;
  let last = -Infinity;
  // The registry drops listeners when the job ends, so progress stops at the terminal status.
  jobsFor(deps.engine).subscribe(job.id, (j) => {
    // The spec requires progress to increase with every notification.
    if (!j.progress || j.status !== 'running' || !(j.progress.filesDone > last)) return;
    last = j.progress.filesDone;
    server.server
      // The related-task _meta by hand: the SDK's `relatedTask` option would queue the message for tasks/result.
      .notification({
        method: 'notifications/progress',
        params: {
          progressToken,
          progress: j.progress.filesDone,
          total: j.progress.filesTotal ?? 0,
          message: j.progress.phase,
          _meta: { [RELATED_TASK_META_KEY]: { taskId: job.id } },
        },
      })
      .catch(() => {
        /* the client went away; the job goes on */
      });
  });
}
