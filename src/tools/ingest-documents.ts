// ingest_documents: sync files and folders under the allowed roots into a knowledge base, as a job if slow.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { EngineError } from '../engine/errors.js';
import {
  ingestDocuments,
  jobsFor,
  jobToJson,
  resolveRoots,
  SourceError,
  type IngestJob,
} from '../ingest/index.js';
import { kbNameSchema, strictArguments } from './common-schemas.js';
import { allowedIngestRoots, HOW_TO_ADD_ROOTS } from './ingest-roots.js';
import { runTool, type ToolDeps, type ToolExtra } from './tool-result.js';
import { progressReporter } from './upsert-chunks.js';

export const name = 'ingest_documents';

/** How long a call waits for its job before answering with the job id. @example 15 */
export const DEFAULT_WAIT_SECONDS = 15;

export const inputSchema = strictArguments({
  kb: kbNameSchema.describe('Knowledge base to fill; created on first use.'),
  paths: z
    .array(z.string().min(1))
    .min(1)
    .max(100)
    .describe(
      'Absolute files, folders or globs under the allowed roots (relative ones resolve against the first root).',
    ),
  rebuild: z
    .boolean()
    .optional()
    .describe(
      'Ingest everything into a new generation and promote it when done (default false: incremental sync).',
    ),
  include: z
    .array(z.string().min(1))
    .max(50)
    .optional()
    .describe('Only files matching these globs, e.g. ["*.md"].'),
  exclude: z
    .array(z.string().min(1))
    .max(50)
    .optional()
    .describe('Skip files matching these globs, e.g. ["drafts/**"].'),
  dry_run: z.boolean().optional().describe('Report what would change without writing.'),
  wait_seconds: z
    .number()
    .min(0)
    .max(50)
    .optional()
    .describe(`Wait this long for the result before returning a job id (default ${DEFAULT_WAIT_SECONDS}).`),
});

const issueSchema = z.object({ path: z.string(), reason: z.string() });

export const reportSchema = z.object({
  kb: z.string(),
  generation: z.number().int().nullable(),
  added: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int(),
  deleted: z.number().int(),
  chunks: z.number().int(),
  skipped: z.array(issueSchema),
  failed: z.array(issueSchema),
  dry_run: z.boolean(),
  rebuild: z.boolean(),
  promoted: z.boolean().nullable(),
  not_promoted_reason: z.string().optional(),
  took_ms: z.number(),
});

export const jobSchema = z.object({
  job_id: z.string(),
  kb: z.string(),
  status: z.enum(['running', 'done', 'failed', 'cancelled']),
  progress: z
    .object({
      phase: z.string(),
      files_done: z.number().int(),
      files_total: z.number().int().nullable(),
      chunks: z.number().int(),
    })
    .nullable(),
  report: reportSchema.nullable(),
  error: z.string().nullable(),
  started_at: z.string(),
  finished_at: z.string().nullable(),
  status_uri: z.string().describe("Read this resource for the job's progress and final report."),
});

export const outputSchema = jobSchema;

export const annotations = {
  title: 'Ingest files and folders',
  readOnlyHint: false,
  // A sync deletes the chunks of files that no longer exist under the given folders.
  destructiveHint: true,
  idempotentHint: true,
  openWorldHint: false,
};

export const description = `Read files and folders from disk into a knowledge base so they can be searched with hybrid_search, with citations (file, heading anchor, page). Formats: Markdown/MDX, text, reStructuredText, HTML, PDF, DOCX, ODT, source code, JSON/YAML/CSV; binary and unknown files are skipped and reported.

Arguments:
- kb: knowledge base name, e.g. "product-docs".
- paths: absolute files, folders or globs, e.g. ["/home/me/project/docs"]. Only paths under the allowed roots are read: the client's MCP roots and the server's RAG_STUDIO_INGEST_ROOTS.
- rebuild: true re-indexes everything into a new generation and switches to it atomically when done; if any file fails the new generation is kept unpromoted (the report says why). Default false syncs incrementally: unchanged files are skipped, changed ones replaced, deleted ones removed.
- include / exclude: globs, e.g. ["*.md"]; .gitignore files and build/dependency folders are always honoured.
- dry_run: report only.
- wait_seconds: if the job is not done within this wait (default ${DEFAULT_WAIT_SECONDS} s), the call returns status "running" and a job_id; read status_uri (rag-studio://jobs/{id}) for progress and the final report.

Returns the report: added, updated, unchanged, deleted (documents), chunks, skipped and failed (each with path and reason). Send a progress token for progress notifications; cancelling the request while it waits cancels the job. Clients that support MCP tasks can call it as a task (the task id is the job id; tasks/result returns this same report).`;

/**
 * Checks the roots and paths, then starts the ingestion job. A refusal (no roots, a path outside them) is
 * thrown as an EngineError before any job exists, so it is the caller's error, not a failed job.
 */
export async function startIngestJob(
  server: McpServer,
  deps: ToolDeps,
  args: z.infer<typeof inputSchema>,
  extra: ToolExtra,
): Promise<IngestJob> {
  const roots = await allowedIngestRoots(server, extra, deps.ingestRoots ?? []);
  if (roots.length === 0) {
    throw new EngineError('INVALID_INPUT', `no folder is allowed for ingestion yet: ${HOW_TO_ADD_ROOTS}`);
  }
  const options = {
    kb: args.kb,
    paths: args.paths,
    cwd: roots[0]!,
    allowedRoots: roots,
    ...(args.rebuild === undefined ? {} : { rebuild: args.rebuild }),
    ...(args.include === undefined ? {} : { include: args.include }),
    ...(args.exclude === undefined ? {} : { exclude: args.exclude }),
    ...(args.dry_run === undefined ? {} : { dryRun: args.dry_run }),
  };
  try {
    await resolveRoots(options.paths, options.cwd, roots);
  } catch (error) {
    if (error instanceof SourceError) throw new EngineError('INVALID_INPUT', `${error.message}`);
    throw error;
  }
  return jobsFor(deps.engine).start(args.kb, (signal, onProgress) =>
    ingestDocuments(deps.engine, { ...options, signal, onProgress }),
  );
}

export function registerIngestDocuments(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    name,
    { title: annotations.title, description, inputSchema, outputSchema, annotations },
    (args: z.infer<typeof inputSchema>, extra: ToolExtra) =>
      runTool(name, deps, async () => {
        const jobs = jobsFor(deps.engine);
        const job = await startIngestJob(server, deps, args, extra);
        const report = progressReporter(extra);
        const unsubscribe = jobs.subscribe(job.id, (j) => {
          if (j.progress)
            report?.({
              done: j.progress.filesDone,
              total: j.progress.filesTotal ?? 0,
              message: j.progress.phase,
            });
        });
        const onAbort = () => jobs.cancel(job.id);
        extra.signal.addEventListener('abort', onAbort, { once: true });
        try {
          const waitMs = (args.wait_seconds ?? DEFAULT_WAIT_SECONDS) * 1000;
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([
            jobs.finished(job.id),
            new Promise((resolve) => (timer = setTimeout(resolve, waitMs))),
          ]);
          clearTimeout(timer);
        } finally {
          unsubscribe();
          extra.signal.removeEventListener('abort', onAbort);
        }
        const now = jobs.get(job.id)!;
        // A job that ended badly within the wait is this call's error (engine errors become isError results).
        if (now.status === 'failed' || now.status === 'cancelled') throw jobs.failureOf(job.id);
        return jobToJson(now);
      }),
  );
}
