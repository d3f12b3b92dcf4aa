// The real Streamable HTTP server in-process over a real engine, configured through the CLI parser.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Embedder, KnowledgeBaseEngine } from '../../src/engine/types.js';
import { parseCommandLine, type ServerConfig } from '../../src/config/config.js';
import { openRuntime } from '../../src/runtime/open-runtime.js';
import { createServer } from '../../src/server/create-server.js';
import { startHttpServer, type RunningHttpServer } from '../../src/server/http.js';
import { createLogger } from '../../src/log/logger.js';

/** The token test servers use unless the test configures its own (the HTTP transport always wants one). */
export const TEST_HTTP_TOKEN = 'test-http-token-7f3a9c2e5b1d';

export interface TestHttpServerOptions {
  dataDir: string;
  /** Extra CLI flags after the data dir, `hash` model, GC off, HTTP on port 0. */
  args?: string[];
  /** Environment the CLI parser reads, e.g. RAG_STUDIO_AUTH_TOKEN. */
  env?: Record<string, string>;
  /** Replaces the embedder the config names (e.g. a gated test embedder). */
  embedder?: Embedder;
}

export interface TestHttpServer {
  http: RunningHttpServer;
  engine: KnowledgeBaseEngine;
  config: ServerConfig;
  /** The bearer token clients must send. */
  token: string;
  /** Stops the HTTP server, then closes the engine. */
  close(): Promise<void>;
}

export async function startTestHttpServer(options: TestHttpServerOptions): Promise<TestHttpServer> {
  const command = parseCommandLine(
    [
      '--data-dir',
      options.dataDir,
      '--embedding-model',
      'hash',
      '--gc-interval',
      '0',
      '--transport',
      'http',
      '--port',
      '0',
      ...(options.args ?? []),
    ],
    { env: options.env ?? {} },
  );
  if (command.action !== 'serve') throw new Error('unexpected CLI action');
  const { config } = command;
  const logger = createLogger({ level: 'error', stream: { write: () => true } });
  const runtime = await openRuntime(config, {
    log: logger.log,
    ...(options.embedder ? { embedder: options.embedder } : {}),
  });
  const { engine, embedder } = runtime;
  const token = config.http.authToken ?? TEST_HTTP_TOKEN;
  const http = await startHttpServer({
    config: { ...config.http, authToken: token },
    createSessionServer: () => createServer({ engine, embedder, logger, config }),
    logger,
  });
  return {
    http,
    engine,
    config,
    token,
    async close() {
      await http.close();
      await engine.close();
    },
  };
}

/** An SDK Client connected over Streamable HTTP with a bearer token (TEST_HTTP_TOKEN unless given). */
export async function connectHttpClient(
  url: string,
  options: { token?: string; name?: string } = {},
): Promise<Client> {
  const client = new Client({ name: options.name ?? 'http-test', version: '0.0.0' });
  const headers = { Authorization: `Bearer ${options.token ?? TEST_HTTP_TOKEN}` };
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  return client;
}
