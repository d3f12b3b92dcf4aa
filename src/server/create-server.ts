// createServer: one McpServer over a shared engine, with tools, resources and MCP logging. Pure: no I/O here.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { SetLevelRequestSchema, type LoggingLevel } from '@modelcontextprotocol/sdk/types.js';
import type { Embedder, EngineLogLevel, KnowledgeBaseEngine } from '../engine/types.js';
import { registerPrompts } from '../prompts/index.js';
import { registerResources } from '../resources/index.js';
import { createIngestTaskStore, registerTools, TASKS_CAPABILITY } from '../tools/index.js';
import type { ServerConfig } from '../config/config.js';
import type { Logger } from '../log/logger.js';
import { SERVER_NAME, SERVER_VERSION } from './version.js';

export interface CreateServerOptions {
  /** Shared by every session; createServer never opens or closes it. */
  engine: KnowledgeBaseEngine;
  /** The embedder the engine uses (for the status resource); undefined when embeddings are off. */
  embedder: Embedder | undefined;
  logger: Logger;
  config: ServerConfig;
  /** For uptime in rag-studio://status; defaults to now. */
  startedAt?: number;
  /**
   * Warnings logged at start (misspelled settings), before any client could listen: each session gets them
   * as MCP log messages when it first picks a level that includes warnings.
   */
  startupWarnings?: readonly string[];
  /**
   * Check every tool's structuredContent against its output schema before sending it (the SDK's default).
   * The server binary turns it off: our outputs are built from typed engine results, and zod re-checking ten
   * search results cost 0.3–0.8 ms per call, the largest single cost of a search over stdio. Tests leave it
   * on (and parse structuredContent with the schemas themselves), so a shape drift still fails there.
   * @example createServer({ engine, embedder, logger, config, validateOutput: false })
   */
  validateOutput?: boolean;
}

const INSTRUCTIONS = `rag-studio-mcp is a local knowledge base. To answer from indexed documents, call hybrid_search (read rag-studio://knowledge-bases to see which knowledge bases exist) and cite the results' citation fields; read_chunks shows a hit's neighbouring text and read_document a whole document. To index files and folders, call ingest_documents with their paths (it chunks, cites and re-syncs them); to index text you already have, split it into passages and call upsert_chunks. To rebuild an index safely: create_generation, fill it, check it with hybrid_search(generation), then promote_generation; promoting the previous generation rolls back. Error texts start with a code (e.g. KB_NOT_FOUND) and say what to do next.`;

/** MCP levels, most to least verbose; engine levels are a subset. */
const MCP_LEVELS: readonly LoggingLevel[] = [
  'debug',
  'info',
  'notice',
  'warning',
  'error',
  'critical',
  'alert',
  'emergency',
];

/**
 * Builds a server for one client session. Several sessions (HTTP) share the engine; closing the server
 * detaches its event and log subscriptions but leaves the engine open.
 */
export function createServer({
  engine,
  embedder,
  logger,
  config,
  startedAt = Date.now(),
  startupWarnings = [],
  validateOutput = true,
}: CreateServerOptions): McpServer {
  const readOnly = config.readOnly || engine.readOnly;
  // MCP tasks (2025-11-25) back ingest_documents, the one write tool that can outlive a request.
  const taskStore = readOnly ? undefined : createIngestTaskStore(engine);
  const server = new McpServer(
    { name: SERVER_NAME, title: 'RAG Studio', version: SERVER_VERSION },
    {
      capabilities: {
        tools: {},
        resources: { listChanged: true },
        prompts: {},
        logging: {},
        ...(taskStore ? { tasks: TASKS_CAPABILITY } : {}),
      },
      ...(taskStore ? { taskStore } : {}),
      instructions: INSTRUCTIONS,
      // A promotion changes two generations at once; one re-list is enough for the client.
      debouncedNotificationMethods: ['notifications/resources/list_changed'],
    },
  );

  registerTools(server, { engine, logger, ingestRoots: config.ingestRoots }, { readOnly, taskStore });
  const unsubscribeEvents = registerResources(server, {
    engine,
    embedder,
    config,
    logger,
    version: SERVER_VERSION,
    startedAt,
  });
  registerPrompts(server);
  if (!validateOutput) skipOutputValidation(server, logger);
  const detachLogs = forwardLogsWhenEnabled(server, logger, startupWarnings);

  const previousOnClose = server.server.onclose;
  server.server.onclose = () => {
    unsubscribeEvents();
    detachLogs();
    previousOnClose?.();
  };
  return server;
}

/**
 * Sends log messages through MCP only after the client chose a level with logging/setLevel: an agent that
 * never asked for logs should not get its context filled with them. stderr gets everything regardless.
 */
function forwardLogsWhenEnabled(
  server: McpServer,
  logger: Logger,
  startupWarnings: readonly string[],
): () => void {
  let threshold: number | undefined;
  const send = (level: EngineLogLevel, message: string, data?: Record<string, unknown>) => {
    if (threshold === undefined || MCP_LEVELS.indexOf(level) < threshold || !server.isConnected()) return;
    server
      .sendLoggingMessage({
        level,
        logger: SERVER_NAME,
        data: data === undefined ? { message } : { message, ...data },
      })
      .catch(() => {
        /* the session is going away; stderr already has the message */
      });
  };
  let replayed = false;
  server.server.setRequestHandler(SetLevelRequestSchema, (request) => {
    threshold = MCP_LEVELS.indexOf(request.params.level);
    // After the response, so the client sees its setLevel answered before the replayed messages.
    if (!replayed && threshold <= MCP_LEVELS.indexOf('warning')) {
      replayed = true;
      setImmediate(() => startupWarnings.forEach((warning) => send('warning', warning)));
    }
    return {};
  });
  return logger.attach(send);
}

/**
 * The SDK (1.x) offers no switch for its output check, so the instance's `validateToolOutput` is replaced by a
 * no-op. Should a later SDK rename it, the check simply stays on (with a debug log): slower, never wrong.
 */
function skipOutputValidation(server: McpServer, logger: Logger): void {
  const internals = server as unknown as { validateToolOutput?: unknown };
  if (typeof internals.validateToolOutput !== 'function') {
    logger.log('debug', 'this MCP SDK has no validateToolOutput; tool outputs stay validated');
    return;
  }
  internals.validateToolOutput = () => Promise.resolve();
}
