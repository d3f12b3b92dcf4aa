// MCP sessions over Streamable HTTP: one McpServer + transport per client, capped, expired when idle.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import type { HttpConfig } from '../config/config.js';
import { checkPostHeaders, readBody, sendRefusal, type BodyBudget } from './http-guards.js';
import type { Logger } from '../log/logger.js';

interface Session {
  transport: StreamableHTTPServerTransport;
  server: McpServer;
  /** Requests still being answered, open SSE streams included: a session is idle only at 0. */
  inFlight: number;
  /** Open GET event streams (counted in inFlight too). */
  streams: number;
  lastActiveMs: number;
  /** When the client last sent a request other than opening a stream. */
  lastRequestMs: number;
}

/**
 * A session that sent nothing for `idleSeconds` and has nothing in flight is closed: clients that vanish
 * without DELETE would otherwise hold their slot forever, and `maxSessions` of them lock everyone out.
 * An open event stream keeps a session only for `streamIdleSeconds` without a request: otherwise
 * `maxSessions` clients that each park a GET stream lock everyone out for good. (The SDK sends a
 * keep-alive comment down each stream every 15 s, so a stream whose client is gone fails and closes.)
 */
function startIdleSweep(
  sessions: Map<string, Session>,
  config: Pick<HttpConfig, 'sessionIdleSeconds'> & { streamIdleSeconds: number },
  logger: Logger,
): () => void {
  const { sessionIdleSeconds: idleSeconds, streamIdleSeconds } = config;
  if (idleSeconds === 0 && streamIdleSeconds === 0) return () => undefined;
  const shortest = Math.min(...[idleSeconds, streamIdleSeconds].filter((s) => s > 0));
  const timer = setInterval(
    () => {
      const now = Date.now();
      for (const [id, session] of sessions) {
        const idle =
          idleSeconds > 0 && session.inFlight === 0 && session.lastActiveMs <= now - idleSeconds * 1000;
        const parked =
          streamIdleSeconds > 0 &&
          session.streams > 0 &&
          session.inFlight === session.streams &&
          session.lastRequestMs <= now - streamIdleSeconds * 1000;
        if (!idle && !parked) continue;
        logger.log('debug', 'HTTP session expired', { session: id, idleSeconds, parked });
        void session.transport.close().catch(() => undefined);
      }
    },
    Math.min(60, Math.max(0.25, shortest / 4)) * 1000,
  );
  timer.unref();
  return () => clearInterval(timer);
}

/** Counts the request against its session until the response is finished or its connection dropped. */
function track(session: Session, res: ServerResponse, stream = false): void {
  session.inFlight++;
  if (stream) session.streams++;
  session.lastActiveMs = Date.now();
  if (!stream) session.lastRequestMs = session.lastActiveMs;
  res.once('close', () => {
    session.inFlight--;
    if (stream) session.streams--;
    session.lastActiveMs = Date.now();
  });
}

/** Seconds an open event stream keeps a session without any request: sessionIdleSeconds × 4, at least an hour. */
export function streamIdleSecondsFor(config: HttpConfig): number {
  if (config.streamIdleSeconds !== undefined) return config.streamIdleSeconds;
  return config.sessionIdleSeconds === 0 ? 0 : Math.max(3600, config.sessionIdleSeconds * 4);
}

export interface McpSessions {
  /** Answers one request to the MCP endpoint; Host, Origin and the token were already checked. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  count(): number;
  /** Closes every session (their open streams included). */
  closeAll(): Promise<void>;
}

export interface McpSessionsOptions {
  config: HttpConfig;
  /** Builds the McpServer of a new session (createServer over the shared engine). */
  createSessionServer: () => McpServer;
  bodyBudget: BodyBudget;
  logger: Logger;
}

export function createMcpSessions({
  config,
  createSessionServer,
  bodyBudget,
  logger,
}: McpSessionsOptions): McpSessions {
  const sessions = new Map<string, Session>();
  const stopIdleSweep = startIdleSweep(
    sessions,
    { sessionIdleSeconds: config.sessionIdleSeconds, streamIdleSeconds: streamIdleSecondsFor(config) },
    logger,
  );

  const openSession = (): Session => {
    const server = createSessionServer();
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        sessions.set(id, session);
        logger.log('debug', 'HTTP session opened', { session: id, sessions: sessions.size });
      },
    });
    const now = Date.now();
    const session: Session = {
      transport,
      server,
      inFlight: 0,
      streams: 0,
      lastActiveMs: now,
      lastRequestMs: now,
    };
    let closed = false;
    transport.onclose = () => {
      // server.close() closes the transport again, which calls this again: once is enough.
      if (closed) return;
      closed = true;
      const id = transport.sessionId;
      if (id !== undefined && sessions.delete(id))
        logger.log('debug', 'HTTP session closed', { session: id });
      void server.close().catch(() => undefined);
    };
    return session;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const sessionHeader = req.headers['mcp-session-id'];
    const sessionId = Array.isArray(sessionHeader) ? sessionHeader[0] : sessionHeader;
    const existing = sessionId === undefined ? undefined : sessions.get(sessionId);
    if (sessionId !== undefined && existing === undefined) {
      return sendRefusal(res, {
        status: 404,
        message: 'Not Found: unknown or expired session; initialize a new one',
      });
    }

    if (req.method === 'GET' || req.method === 'DELETE') {
      if (existing === undefined)
        return sendRefusal(res, { status: 400, message: 'Bad Request: Mcp-Session-Id header required' });
      track(existing, res, req.method === 'GET');
      return existing.transport.handleRequest(req, res);
    }
    if (req.method !== 'POST') {
      return sendRefusal(res, {
        status: 405,
        message: 'Method Not Allowed: use POST, GET or DELETE',
        headers: { Allow: 'GET, POST, DELETE' },
      });
    }

    if (existing === undefined) {
      // Refused here, before a session server exists, rather than by the transport after connecting one.
      const headerProblem = checkPostHeaders(req);
      if (headerProblem !== undefined) return sendRefusal(res, headerProblem);
    }
    const charge = { bytes: 0 };
    res.once('close', () => bodyBudget.give(charge.bytes));
    const body = await readBody(req, config.maxBodyBytes, bodyBudget, charge);
    if (!body.ok)
      return sendRefusal(res, { ...body.refusal, headers: { ...body.refusal.headers, Connection: 'close' } });
    let message: unknown;
    try {
      message = JSON.parse(body.text);
    } catch {
      res.writeHead(400, { 'Content-Type': 'application/json' });
      res.end(
        JSON.stringify({
          jsonrpc: '2.0',
          error: { code: -32700, message: 'Parse error: body is not JSON' },
          id: null,
        }),
      );
      return;
    }
    if (existing !== undefined) {
      track(existing, res);
      return existing.transport.handleRequest(req, res, message);
    }
    if (!isInitializeRequest(message)) {
      return sendRefusal(res, {
        status: 400,
        message: 'Bad Request: no Mcp-Session-Id; the first request must be initialize',
      });
    }
    if (sessions.size >= config.maxSessions) {
      const expiry =
        config.sessionIdleSeconds > 0
          ? ` or wait for an idle one to expire (${config.sessionIdleSeconds} s)`
          : '';
      return sendRefusal(res, {
        status: 503,
        message: `Service Unavailable: ${config.maxSessions} sessions open; close one (DELETE)${expiry}`,
      });
    }
    const session = openSession();
    track(session, res);
    try {
      await session.server.connect(session.transport);
      await session.transport.handleRequest(req, res, message);
    } finally {
      // Whatever the transport refused (a malformed message, a batch) left no session behind: close its
      // server, or its engine-event and logger subscriptions keep it alive forever.
      const id = session.transport.sessionId;
      if (id === undefined || sessions.get(id) !== session)
        await session.server.close().catch(() => undefined);
    }
  };

  return {
    handle,
    count: () => sessions.size,
    async closeAll() {
      stopIdleSweep();
      await Promise.allSettled([...sessions.values()].map((s) => s.transport.close()));
      sessions.clear();
    },
  };
}
