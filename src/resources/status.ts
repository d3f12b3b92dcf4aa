// Resource rag-studio://status: server version, data dir, embedder and reranker state (load progress), GC loop, limits.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { callerText } from '../config/engine-error-text.js';
import { jsonContents, MIME_JSON, snakeKeys, STATUS_URI, type ResourceDeps } from './resource-json.js';

export const contentSchema = z.object({
  name: z.literal('rag-studio-mcp'),
  version: z.string(),
  data_dir: z.string(),
  read_only: z.boolean(),
  transport: z.enum(['stdio', 'http']),
  uptime_seconds: z.number(),
  embedder: z
    .object({
      model: z.string(),
      dimension: z.number().int(),
      state: z.enum(['loading', 'ready', 'failed']),
      reason: z.string().optional(),
      progress: z.number().optional(),
      detail: z.string().optional(),
    })
    .nullable()
    .describe('null when the server runs without an embedding model (lexical search only).'),
  reranker: z
    .object({
      model: z.string(),
      state: z.enum(['loading', 'ready', 'failed']),
      reason: z.string().optional(),
      progress: z.number().optional(),
      detail: z.string().optional(),
    })
    .nullable()
    .describe(
      'null without a reranking model (RAG_STUDIO_RERANK_MODEL); it loads on the first rerank: true search.',
    ),
  gc: z.object({
    interval_seconds: z.number(),
    running: z.boolean(),
    last_run_at: z.string().nullable(),
    last_error: z.string().nullable(),
    last_reclaimed_bytes: z.number().nullable(),
  }),
  limits: z.record(z.string(), z.number()),
});

export function registerStatusResource(server: McpServer, deps: ResourceDeps): void {
  server.registerResource(
    'status',
    STATUS_URI,
    {
      title: 'Server status',
      description:
        'Server version, data directory, embedding model state (loading with progress, ready, or failed with the reason), the reranking model and its state, background GC state and input limits.',
      mimeType: MIME_JSON,
    },
    (uri) => {
      const embedder = deps.embedder ?? deps.engine.embedder;
      const status = embedder?.status();
      const gc = deps.engine.gcLoopState();
      const content: z.infer<typeof contentSchema> = {
        name: 'rag-studio-mcp',
        version: deps.version,
        data_dir: deps.engine.dataDir,
        read_only: deps.engine.readOnly,
        transport: deps.config.transport,
        uptime_seconds: Math.round((Date.now() - deps.startedAt) / 1000),
        embedder:
          embedder === undefined || status === undefined
            ? null
            : {
                model: embedder.id,
                dimension: embedder.dimension,
                state: status.state,
                ...(status.reason === undefined ? {} : { reason: callerText(status.reason) }),
                ...(status.progress === undefined ? {} : { progress: status.progress }),
                ...(status.detail === undefined ? {} : { detail: status.detail }),
              },
        reranker: rerankerStatus(deps),
        gc: {
          interval_seconds: gc.intervalSeconds,
          running: gc.running,
          last_run_at: gc.lastRunAt,
          last_error: gc.lastError,
          last_reclaimed_bytes: gc.lastReclaimedBytes,
        },
        limits: snakeKeys(deps.engine.limits) as Record<string, number>,
      };
      return jsonContents(uri, content);
    },
  );
}

function rerankerStatus(deps: ResourceDeps): z.infer<typeof contentSchema>['reranker'] {
  const reranker = deps.engine.reranker;
  if (reranker === undefined) return null;
  const status = reranker.status();
  return {
    model: reranker.id,
    state: status.state,
    ...(status.reason === undefined ? {} : { reason: callerText(status.reason) }),
    ...(status.progress === undefined ? {} : { progress: status.progress }),
    ...(status.detail === undefined ? {} : { detail: status.detail }),
  };
}
