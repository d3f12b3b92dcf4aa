// Streamable HTTP transport on node:http: MCP sessions at /mcp and the studio at /studio, behind one set of guards.
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { HttpConfig } from '../config/config.js';
import { DEFAULT_MAX_INFLIGHT_BODY_BYTES } from '../config/config-settings.js';
import { BodyBudget, sendRefusal } from './http-guards.js';
import { createRouter, MCP_PATH, STUDIO_PATH } from './http-router.js';
import { createMcpSessions } from './http-sessions.js';
import { studioAssets } from '../studio/serve-assets.js';
import { describeError, type Logger } from '../log/logger.js';

export { MCP_PATH, STUDIO_PATH } from './http-router.js';
export { streamIdleSecondsFor } from './http-sessions.js';

export interface HttpServerOptions {
  config: HttpConfig;
  /** Builds the McpServer of a new session (createServer over the shared engine). */
  createSessionServer: () => McpServer;
  logger: Logger;
  /** Serve RAG Studio at /studio (default true). */
  studio?: boolean;
}

export interface RunningHttpServer {
  /** `http://host:port/mcp` with the actual port. */
  url: string;
  /** `http://host:port/studio/` with the actual port. */
  studioUrl: string;
  port: number;
  sessionCount(): number;
  /** Closes every session and the listener. */
  close(): Promise<void>;
}

export async function startHttpServer({
  config,
  createSessionServer,
  logger,
  studio = true,
}: HttpServerOptions): Promise<RunningHttpServer> {
  const { authToken } = config;
  if (authToken === undefined) {
    // main.ts resolves a token (configured or generated) first: the HTTP transport is never open to all.
    throw new Error('startHttpServer needs config.authToken (see resolveHttpToken)');
  }
  const bodyBudget = new BodyBudget(config.maxInflightBodyBytes ?? DEFAULT_MAX_INFLIGHT_BODY_BYTES);
  const sessions = createMcpSessions({ config, createSessionServer, bodyBudget, logger });
  const handle = createRouter(
    { ...config, authToken },
    { mcp: sessions.handle, ...(studio ? { studio: studioAssets() } : {}) },
  );

  const httpServer = createHttpServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      logger.log('error', 'HTTP request failed', describeError(error));
      sendRefusal(res, { status: 500, message: 'Internal Server Error' });
    });
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, config.host.replace(/^\[|\]$/g, ''), () => {
      httpServer.off('error', reject);
      resolve();
    });
  });
  const { port } = httpServer.address() as AddressInfo;
  const hostForUrl =
    config.host.includes(':') && !config.host.startsWith('[') ? `[${config.host}]` : config.host;

  return {
    url: `http://${hostForUrl}:${port}${MCP_PATH}`,
    studioUrl: `http://${hostForUrl}:${port}${STUDIO_PATH}/`,
    port,
    sessionCount: () => sessions.count(),
    async close() {
      await sessions.closeAll();
      await new Promise<void>((resolve) => {
        httpServer.close(() => resolve());
        // Open SSE streams would otherwise keep close() waiting forever.
        httpServer.closeAllConnections();
      });
    },
  };
}
