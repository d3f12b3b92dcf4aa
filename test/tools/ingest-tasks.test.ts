// ingest_documents as an MCP task (protocol 2025-11-25) through real SDK clients: in memory and over stdio.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  CallToolResultSchema,
  CreateTaskResultSchema,
  type CallToolResult,
  type Progress,
  type Task,
} from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { jobSchema, outputSchema } from '../../src/tools/ingest-documents.js';
import { connectBuiltServer } from '../helpers/built-server.js';
import { writeFiles } from '../helpers/document-files.js';
import { connectHttpClient, startTestHttpServer } from '../helpers/http-server.js';
import { useIngestFixture } from '../helpers/ingest-server.js';
import { callTool, readJson, structured, textOf } from '../helpers/mcp-client.js';

const fx = useIngestFixture('ingest-task');
const connect = (options: { readOnly?: boolean } = {}) => fx.connect({ roots: [fx.docs.path], ...options });

/** Sends tools/call with the `task` parameter, as a tasks-aware client does. */
async function startTask(
  client: Client,
  args: Record<string, unknown>,
  onprogress?: (p: Progress) => void,
): Promise<Task> {
  const created = await client.request(
    { method: 'tools/call', params: { name: 'ingest_documents', arguments: args, task: { ttl: 60_000 } } },
    CreateTaskResultSchema,
    onprogress ? { onprogress } : {},
  );
  return created.task;
}

async function pollToEnd(client: Client, taskId: string): Promise<{ task: Task; seen: string[] }> {
  const seen: string[] = [];
  for (let i = 0; i < 1200; i++) {
    const task = await client.experimental.tasks.getTask(taskId);
    seen.push(task.status);
    if (['completed', 'failed', 'cancelled'].includes(task.status)) return { task, seen };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`task ${taskId} never ended`);
}

async function manyFiles(count: number): Promise<void> {
  await writeFiles(
    fx.docs.path,
    Object.fromEntries(
      Array.from({ length: count }, (_, i) => [`many/page-${i}.md`, `# Page ${i}\n\nText of page ${i}.\n`]),
    ),
  );
}

describe('ingest_documents as an MCP task', () => {
  it('declares tasks for tools/call and taskSupport "optional" on ingest_documents only', async () => {
    const client = await connect();
    expect(client.getServerCapabilities()?.tasks).toEqual({
      list: {},
      cancel: {},
      requests: { tools: { call: {} } },
    });
    const { tools } = await client.listTools();
    // The SDK marks every other tool "forbidden" (the spec's default when absent).
    const withTasks = tools.filter((t) => (t.execution?.taskSupport ?? 'forbidden') !== 'forbidden');
    expect(withTasks.map((t) => [t.name, t.execution?.taskSupport])).toEqual([
      ['ingest_documents', 'optional'],
    ]);
  });

  it('runs as a task: tasks/get polls it to completion, tasks/result is the report, the job resource agrees', async () => {
    await manyFiles(60);
    const client = await connect();
    const progress: Progress[] = [];
    const task = await startTask(client, { kb: 'docs', paths: [fx.docs.path] }, (p) => progress.push(p));
    expect(task).toMatchObject({ status: 'working', ttl: null, pollInterval: 1000 });
    const { task: ended } = await pollToEnd(client, task.taskId);
    expect(ended.status).toBe('completed');
    expect(ended.statusMessage).toMatch(/^done: 70 added/);
    const result = await client.experimental.tasks.getTaskResult(task.taskId, CallToolResultSchema);
    const job = structured(result as CallToolResult, outputSchema);
    expect(job).toMatchObject({ job_id: task.taskId, status: 'done', report: { kb: 'docs', added: 70 } });
    // The task id is the job id: the jobs resource shows the same job.
    const resource = await readJson(client, `rag-studio://jobs/${task.taskId}`, jobSchema);
    expect(resource).toMatchObject({ status: 'done', report: { added: 70 } });
    // Progress notifications arrived for the task's progress token, increasing.
    expect(progress.length).toBeGreaterThan(0);
    const values = progress.map((p) => p.progress);
    expect(values).toEqual([...values].sort((x, y) => x - y));
    const hits = await callTool(client, 'hybrid_search', { kb: 'docs', query: 'Text of page 42' });
    expect(textOf(hits)).toContain('page-42.md');
  });

  it('callToolStream (the SDK helper for tasks-aware clients) yields taskCreated, then the result', async () => {
    const client = await connect();
    await client.listTools(); // the SDK client learns which tools support tasks from tools/list
    const kinds: string[] = [];
    let final: CallToolResult | undefined;
    for await (const message of client.experimental.tasks.callToolStream({
      name: 'ingest_documents',
      arguments: { kb: 'docs', paths: [fx.docs.path] },
    })) {
      kinds.push(message.type);
      if (message.type === 'result') final = message.result as CallToolResult;
      if (message.type === 'error') throw message.error;
    }
    expect(kinds[0]).toBe('taskCreated');
    expect(kinds.at(-1)).toBe('result');
    expect(structured(final!, outputSchema)).toMatchObject({ status: 'done', report: { added: 10 } });
  });

  it('tasks/cancel cancels the job; the task stays cancelled and documents written so far are whole', async () => {
    await manyFiles(400);
    const client = await connect();
    let sawProgress!: () => void;
    const progressed = new Promise<void>((resolve) => (sawProgress = resolve));
    const task = await startTask(client, { kb: 'docs', paths: [fx.docs.path] }, () => sawProgress());
    await progressed;
    const cancelled = await client.experimental.tasks.cancelTask(task.taskId);
    expect(cancelled.status).toBe('cancelled');
    const job = await readJson(client, `rag-studio://jobs/${task.taskId}`, jobSchema);
    // tasks/cancel waits for the job to stop; 400 files take far longer than that round trip.
    expect(job.status).toBe('cancelled');
    expect(job.error).toMatch(/^CANCELLED: /);
    expect((await client.experimental.tasks.getTask(task.taskId)).status).toBe('cancelled');
    const result = (await client.experimental.tasks.getTaskResult(
      task.taskId,
      CallToolResultSchema,
    )) as CallToolResult;
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/^CANCELLED: /);
    await expect(client.experimental.tasks.cancelTask(task.taskId)).rejects.toThrow(
      /terminal status: cancelled/,
    );
    const listed = await fx.engine!.listDocuments('docs').catch(() => ({ documents: [] }));
    for (const doc of listed.documents) expect(doc.chunks).toBeGreaterThan(0);
    expect(listed.documents.length).toBeLessThan(410);
    // Re-running finishes the job: every file in, once.
    const rerun = await startTask(client, { kb: 'docs', paths: [fx.docs.path] });
    expect((await pollToEnd(client, rerun.taskId)).task.status).toBe('completed');
    const after = await fx.engine!.listDocuments('docs', { limit: 1000 });
    expect(after.documents.length).toBe(410);
  });

  it('a plain call from a client that knows about tasks keeps the wait-then-job-id answer', async () => {
    await manyFiles(150);
    const client = await connect();
    await client.listTools();
    const result = await callTool(client, 'ingest_documents', {
      kb: 'docs',
      paths: [fx.docs.path],
      wait_seconds: 0,
    });
    const started = structured(result, outputSchema);
    expect(started).toMatchObject({ status: 'running', report: null });
    // A plain call is not a task of this session.
    expect((await client.experimental.tasks.listTasks()).tasks).toEqual([]);
    let job = await readJson(client, started.status_uri, jobSchema);
    for (let i = 0; i < 1200 && job.status === 'running'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      job = await readJson(client, started.status_uri, jobSchema);
    }
    expect(job).toMatchObject({ status: 'done', report: { added: 160 } });
  });

  it("tasks/list shows this session's tasks, newest first; another session does not see them", async () => {
    const client = await connect();
    const first = await startTask(client, { kb: 'docs', paths: [fx.docs.path], dry_run: true });
    await pollToEnd(client, first.taskId);
    const second = await startTask(client, { kb: 'other', paths: [fx.docs.path] });
    await pollToEnd(client, second.taskId);
    const { tasks } = await client.experimental.tasks.listTasks();
    expect(tasks.map((t) => [t.taskId, t.status])).toEqual([
      [second.taskId, 'completed'],
      [first.taskId, 'completed'],
    ]);
    const stranger = await connect();
    expect((await stranger.experimental.tasks.listTasks()).tasks).toEqual([]);
    await expect(stranger.experimental.tasks.getTask(first.taskId)).rejects.toThrow(/not found/);
  });

  it('an unknown task id gets an error saying where task ids come from', async () => {
    const client = await connect();
    const expected = /task "no-such-task" not found: task ids come from calling ingest_documents/;
    await expect(client.experimental.tasks.getTask('no-such-task')).rejects.toThrow(expected);
    await expect(
      client.experimental.tasks.getTaskResult('no-such-task', CallToolResultSchema),
    ).rejects.toThrow(/not found/);
    await expect(client.experimental.tasks.cancelTask('no-such-task')).rejects.toThrow(/not found/);
  });

  it('refusals happen before a task exists; other tools do not run as tasks; read-only has no tasks', async () => {
    const client = await connect();
    await expect(startTask(client, { kb: 'docs', paths: ['/etc'] })).rejects.toThrow(
      /INVALID_INPUT: .*outside the allowed roots/,
    );
    await expect(startTask(client, { kb: 'docs', paths: [] })).rejects.toThrow(
      /Invalid arguments for tool ingest_documents: paths/,
    );
    await expect(
      client.request(
        {
          method: 'tools/call',
          params: { name: 'hybrid_search', arguments: { kb: 'docs', query: 'x' }, task: {} },
        },
        CreateTaskResultSchema,
      ),
    ).rejects.toThrow(/"hybrid_search" does not run as a task/);
    expect((await client.experimental.tasks.listTasks()).tasks).toEqual([]);

    const readOnly = await connect({ readOnly: true });
    expect(readOnly.getServerCapabilities()?.tasks).toBeUndefined();
  });
});

describe('ingest_documents as a task over stdio (the built server)', () => {
  it('creates, polls and returns the report', async () => {
    const { client } = await connectBuiltServer(fx.data.path, {
      env: { RAG_STUDIO_INGEST_ROOTS: fx.docs.path },
    });
    fx.closeAfter(() => client.close());
    expect(client.getServerCapabilities()?.tasks?.requests?.tools?.call).toEqual({});
    const task = await startTask(client, { kb: 'docs', paths: [fx.docs.path] });
    const { task: ended } = await pollToEnd(client, task.taskId);
    expect(ended.status).toBe('completed');
    const result = await client.experimental.tasks.getTaskResult(task.taskId, CallToolResultSchema);
    expect(structured(result as CallToolResult, outputSchema)).toMatchObject({
      status: 'done',
      report: { added: 10 },
    });
    expect((await client.experimental.tasks.listTasks()).tasks.map((t) => t.taskId)).toEqual([task.taskId]);
  });
});

describe('ingest_documents as a task over Streamable HTTP', () => {
  it('runs with progress in one session; another session neither lists nor reads it', async () => {
    await manyFiles(60);
    const server = await startTestHttpServer({
      dataDir: fx.data.path,
      args: ['--ingest-roots', fx.docs.path],
    });
    fx.closeAfter(() => server.close());
    const client = await connectHttpClient(server.http.url);
    const other = await connectHttpClient(server.http.url, { name: 'other' });
    fx.closeAfter(async () => {
      await client.close();
      await other.close();
    });
    const progress: Progress[] = [];
    const task = await startTask(client, { kb: 'docs', paths: [fx.docs.path] }, (p) => progress.push(p));
    const { task: ended } = await pollToEnd(client, task.taskId);
    expect(ended.status).toBe('completed');
    const result = await client.experimental.tasks.getTaskResult(task.taskId, CallToolResultSchema);
    expect(structured(result as CallToolResult, outputSchema)).toMatchObject({ report: { added: 70 } });
    // Sent on the session's stream: the tools/call's own stream closed with the CreateTaskResult.
    expect(progress.length).toBeGreaterThan(0);
    expect((await other.experimental.tasks.listTasks()).tasks).toEqual([]);
    await expect(other.experimental.tasks.getTask(task.taskId)).rejects.toThrow(/not found/);
  });
});
