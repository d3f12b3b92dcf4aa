// A real MCP Client wired through InMemoryTransport to createServer over a real engine in a temp dir.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import {
  CallToolResultSchema,
  LoggingMessageNotificationSchema,
  ResourceListChangedNotificationSchema,
  type CallToolResult,
  type LoggingMessageNotification,
} from '@modelcontextprotocol/sdk/types.js';
import type { z } from 'zod';
import { createEmbedder, CrossEncoderReranker } from '../../src/engine/embedding/index.js';
import { openEngine } from '../../src/engine/index.js';
import type { EngineOptions, KnowledgeBaseEngine } from '../../src/engine/types.js';
import {
  engineOptionsFrom,
  NO_EMBEDDER_MODEL,
  parseCommandLine,
  type ServerConfig,
} from '../../src/config/config.js';
import { createServer } from '../../src/server/create-server.js';
import { createLogger, type Logger } from '../../src/log/logger.js';
import { makeTempDir, type TempDir } from './temp-dir.js';

export interface TestServerOptions {
  /** Extra CLI flags, e.g. ['--read-only']; the data dir, `hash` model and GC-off flags come first. */
  args?: string[];
  /** `hash` (default, offline, deterministic) or `none` (no embedder). */
  model?: 'hash' | 'none';
  /** Reuse a data dir (e.g. to reopen it read-only); default a fresh temp dir removed on close. */
  dataDir?: string;
  /** Engine options the server config does not expose, e.g. a small writeBatchSize for progress tests. */
  engine?: Partial<EngineOptions>;
}

export interface TestServer {
  client: Client;
  server: McpServer;
  engine: KnowledgeBaseEngine;
  config: ServerConfig;
  logger: Logger;
  dataDir: string;
  /** Lines the logger wrote to its (stderr) stream. */
  stderr: string[];
  /** Count of notifications/resources/list_changed the client received. */
  listChanged(): number;
  /** notifications/message the client received. */
  logMessages: LoggingMessageNotification['params'][];
  /** Resolves at the next list_changed notification (or rejects after `ms`). */
  nextListChanged(ms?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const temp: TempDir | undefined =
    options.dataDir === undefined ? await makeTempDir('rag-studio-mcp-') : undefined;
  const dataDir = options.dataDir ?? temp!.path;
  const command = parseCommandLine(
    [
      '--data-dir',
      dataDir,
      '--embedding-model',
      options.model ?? 'hash',
      '--gc-interval',
      '0',
      ...(options.args ?? []),
    ],
    { env: {} },
  );
  if (command.action !== 'serve') throw new Error('unexpected CLI action');
  const { config } = command;
  const stderr: string[] = [];
  const logger = createLogger({ level: 'warning', stream: { write: (text: string) => stderr.push(text) } });
  const embedder =
    config.embedding.model === NO_EMBEDDER_MODEL ? undefined : createEmbedder(config.embedding);
  // As main.ts does: `--rerank-model` in `args` gives the engine a cross-encoder.
  const reranker = config.rerank ? new CrossEncoderReranker(config.rerank) : undefined;
  const engine = await openEngine({
    ...engineOptionsFrom(config),
    ...(embedder ? { embedder } : {}),
    ...(reranker ? { reranker } : {}),
    log: logger.log,
    ...options.engine,
  });
  const server = createServer({ engine, embedder, logger, config });

  const client = new Client({ name: 'rag-studio-test', version: '0.0.0' }, { capabilities: {} });
  let listChanged = 0;
  const waiters: Array<() => void> = [];
  const logMessages: LoggingMessageNotification['params'][] = [];
  client.setNotificationHandler(ResourceListChangedNotificationSchema, () => {
    listChanged += 1;
    waiters.splice(0).forEach((wake) => wake());
  });
  client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logMessages.push(n.params));
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  await Promise.all([server.connect(serverTransport), client.connect(clientTransport)]);

  return {
    client,
    server,
    engine,
    config,
    logger,
    dataDir,
    stderr,
    logMessages,
    listChanged: () => listChanged,
    nextListChanged: (ms = 5000) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no list_changed within ${ms} ms`)), ms);
        waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      }),
    async close() {
      await client.close();
      await server.close();
      await engine.close();
      await embedder?.close?.();
      await reranker?.close();
      await temp?.remove();
    },
  };
}

/** Calls a tool and returns the full result (isError results included; protocol errors throw). */
export async function callTool(
  client: Client,
  name: string,
  args: Record<string, unknown>,
  options?: Parameters<Client['callTool']>[2],
): Promise<CallToolResult> {
  return (await client.callTool({ name, arguments: args }, CallToolResultSchema, options)) as CallToolResult;
}

/**
 * Asserts a successful call and parses its structuredContent with the tool's declared output schema;
 * also checks the text block carries the same JSON.
 */
export function structured<S extends z.ZodType>(result: CallToolResult, schema: S): z.infer<S> {
  if (result.isError) throw new Error(`tool failed: ${textOf(result)}`);
  const parsed = schema.parse(result.structuredContent);
  const text = textOf(result);
  if (JSON.stringify(JSON.parse(text)) !== JSON.stringify(result.structuredContent)) {
    throw new Error('text block differs from structuredContent');
  }
  return parsed;
}

export function textOf(result: CallToolResult): string {
  return result.content
    .filter((c): c is { type: 'text'; text: string } => c.type === 'text')
    .map((c) => c.text)
    .join('\n');
}

/** Reads a JSON resource and parses it with the given schema. */
export async function readJson<S extends z.ZodType>(
  client: Client,
  uri: string,
  schema: S,
): Promise<z.infer<S>> {
  const result = await client.readResource({ uri });
  const first = result.contents[0];
  if (first === undefined || !('text' in first)) throw new Error(`resource ${uri} has no text content`);
  if (first.mimeType !== 'application/json') throw new Error(`resource ${uri} is ${String(first.mimeType)}`);
  return schema.parse(JSON.parse(first.text));
}

/** Small corpus with known answers: two documents, English and German, pages 1-4. */
export function sampleChunks() {
  return [
    {
      chunk_id: 'install-1',
      document_id: 'guide',
      content: 'To install the server run npm ci and then npm test to verify the build.',
      title: 'Installation',
      source_path: 'docs/guide.md',
      anchor: '#install',
      page_number: 1,
      metadata: { lang: 'en', tags: ['setup'] },
    },
    {
      chunk_id: 'config-1',
      document_id: 'guide',
      content:
        'Configuration uses environment variables such as RAG_STUDIO_DATA_DIR for the storage directory.',
      title: 'Configuration',
      source_path: 'docs/guide.md',
      anchor: '#config',
      page_number: 3,
      metadata: { lang: 'en', tags: ['config'] },
    },
    {
      chunk_id: 'faq-1',
      document_id: 'faq',
      content: 'Garbage collection removes archived generations after the retention window has passed.',
      title: 'FAQ',
      source_path: 'docs/faq.md',
      page_number: 4,
      license: 'MIT',
      version: '1.0',
      metadata: { lang: 'en', tags: ['gc'] },
    },
    {
      chunk_id: 'faq-de-1',
      document_id: 'faq-de',
      content: 'Die Installation erfolgt mit npm ci; danach prüft npm test den Build.',
      title: 'Installation (Deutsch)',
      source_path: 'docs/faq.de.md',
      page_number: 2,
      metadata: { lang: 'de', tags: ['setup'] },
    },
  ];
}
