// HTTP request guards: Host/Origin checks against DNS rebinding, bearer-token auth, and a capped body reader.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isJsonContentType } from '@modelcontextprotocol/sdk/shared/mediaType.js';
import type { HttpConfig } from '../config/config.js';

/** A refusal: the status and one line saying why and what to change. */
export interface Refusal {
  status: number;
  message: string;
  headers?: Record<string, string>;
}

/** Answers with the refusal, in the JSON-RPC error shape the SDK transport uses for its own refusals. */
export function sendRefusal(res: ServerResponse, refusal: Refusal): void {
  if (res.headersSent) return;
  res.writeHead(refusal.status, { 'Content-Type': 'application/json', ...refusal.headers });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message: refusal.message }, id: null }));
}

/**
 * A DNS-rebinding page reaches us with its own name in Host, so only names we expect are served.
 * 421 Misdirected Request: this server is not the one that name is meant for.
 */
export function checkHost(hostHeader: string | undefined, config: HttpConfig): Refusal | undefined {
  if (hostHeader === undefined || hostHeader === '')
    return { status: 400, message: 'Bad Request: missing Host header' };
  if (config.allowedHosts.includes('*')) return undefined;
  let hostname: string;
  try {
    hostname = new URL(`http://${hostHeader}`).hostname;
  } catch {
    return { status: 400, message: `Bad Request: malformed Host header "${hostHeader.slice(0, 100)}"` };
  }
  if (config.allowedHosts.includes(hostname)) return undefined;
  return {
    status: 421,
    message: `Misdirected Request: Host "${hostname.slice(0, 100)}" is not served here; add it to RAG_STUDIO_ALLOWED_HOSTS if it is yours`,
  };
}

/**
 * Browsers send Origin; a page from elsewhere must not drive the server (MCP spec: 403 for a bad Origin).
 * Other loopback ports are "elsewhere" too: a local dev server or notebook with an XSS is a page like any.
 */
export function checkOrigin(
  originHeader: string | undefined,
  config: HttpConfig,
  hostHeader?: string,
): Refusal | undefined {
  if (originHeader === undefined) return undefined;
  if (isAllowedOrigin(originHeader, config, hostHeader)) return undefined;
  return {
    status: 403,
    message: `Forbidden: Origin "${originHeader.slice(0, 100)}" is not allowed; add it to RAG_STUDIO_ALLOWED_ORIGINS if it is yours`,
  };
}

/** Listed origins, and this server's own origin (a page it served itself; Host was already checked). */
export function isAllowedOrigin(origin: string, config: HttpConfig, hostHeader?: string): boolean {
  if (config.allowedOrigins.includes('*')) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false; // includes the opaque "null" origin of sandboxed frames and file:// pages
  }
  if (url.protocol === 'http:' && hostHeader !== undefined && url.host === hostHeader.toLowerCase())
    return true;
  return config.allowedOrigins.includes(url.origin);
}

/**
 * Compares digests so neither the token's content nor its length leaks through timing. The token comes in
 * `Authorization: Bearer …` or, for clients that can only be given a URL, as `?token=…` (the URL the server
 * prints at start).
 */
export function bearerAuthenticator(
  token: string,
): (header: string | undefined, queryToken?: string | null) => Refusal | undefined {
  const expected = createHash('sha256').update(token).digest();
  const matches = (given: string | undefined | null): boolean =>
    typeof given === 'string' && timingSafeEqual(createHash('sha256').update(given).digest(), expected);
  return (header, queryToken) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
    if (matches(match?.[1]) || (header === undefined && matches(queryToken))) return undefined;
    return {
      status: 401,
      message:
        header === undefined && (queryToken === undefined || queryToken === null)
          ? 'Unauthorized: send "Authorization: Bearer <token>" (RAG_STUDIO_AUTH_TOKEN, or the token the server printed at start and stored in <data dir>/http-token)'
          : 'Unauthorized: wrong bearer token',
      headers: { 'WWW-Authenticate': 'Bearer realm="rag-studio-mcp"' },
    };
  };
}

/**
 * The checks the SDK transport makes on a POST, made before a session exists: a refused initialize must
 * not open (and leak) a session server.
 */
export function checkPostHeaders(req: IncomingMessage): Refusal | undefined {
  const accept = req.headers.accept ?? '';
  if (!accept.includes('application/json') || !accept.includes('text/event-stream')) {
    return {
      status: 406,
      message: 'Not Acceptable: Client must accept both application/json and text/event-stream',
    };
  }
  if (!isJsonContentType(req.headers['content-type'] ?? null)) {
    return { status: 415, message: 'Unsupported Media Type: Content-Type must be application/json' };
  }
  return undefined;
}

/**
 * Bytes of request bodies held at once, across all requests: the per-body cap alone lets 100 concurrent
 * 16 MiB bodies take 1.6 GB. A request holds its share until its response is finished.
 */
export class BodyBudget {
  private used = 0;

  constructor(readonly maxBytes: number) {}

  get inUse(): number {
    return this.used;
  }

  /** Takes `bytes` if they fit; false means the caller answers 503. */
  take(bytes: number): boolean {
    if (this.used + bytes > this.maxBytes) return false;
    this.used += bytes;
    return true;
  }

  give(bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
  }
}

export type BodyResult = { ok: true; text: string } | { ok: false; refusal: Refusal };

/**
 * Reads the body up to `maxBytes`, charging every byte to `budget` (the caller gives back `charged()` when
 * the response is done). A declared Content-Length over the cap is refused before reading; a chunked body
 * is refused as soon as it passes the cap (Node discards the rest after the response). When the shared
 * budget is spent, 503: the server is busy, not the request wrong.
 */
export async function readBody(
  req: IncomingMessage,
  maxBytes: number,
  budget: BodyBudget,
  charge: { bytes: number },
): Promise<BodyResult> {
  const tooLarge: BodyResult = {
    ok: false,
    refusal: {
      status: 413,
      message: `Payload Too Large: the body exceeds ${maxBytes} bytes (RAG_STUDIO_MAX_BODY_BYTES); send fewer chunks per call`,
    },
  };
  const busy: BodyResult = {
    ok: false,
    refusal: {
      status: 503,
      message: `Service Unavailable: request bodies in flight already hold ${budget.maxBytes} bytes (RAG_STUDIO_MAX_INFLIGHT_BODY_BYTES); retry shortly`,
      headers: { 'Retry-After': '1' },
    },
  };
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) return tooLarge;
  // Reserve a declared length up front, so concurrent large uploads are refused before any is buffered.
  const reserved = Number.isFinite(declared) && declared > 0 ? declared : 0;
  if (!budget.take(reserved)) return busy;
  charge.bytes += reserved;
  const parts: Buffer[] = [];
  let received = 0;
  // destroyOnReturn: false keeps the socket alive so the 413 response still reaches the client.
  for await (const chunk of req.iterator({ destroyOnReturn: false })) {
    const buffer = chunk as Buffer;
    received += buffer.length;
    if (received > maxBytes) return tooLarge;
    if (received > charge.bytes) {
      const more = received - charge.bytes;
      if (!budget.take(more)) return busy;
      charge.bytes += more;
    }
    parts.push(buffer);
  }
  return { ok: true, text: Buffer.concat(parts).toString('utf8') };
}

/** Browser clients from an allowed (non-default) origin need CORS to read responses and the session id. */
export function setCorsHeaders(req: IncomingMessage, res: ServerResponse, config: HttpConfig): void {
  const origin = req.headers.origin;
  if (origin === undefined || !isAllowedOrigin(origin, config, req.headers.host)) return;
  res.setHeader('Access-Control-Allow-Origin', origin);
  res.setHeader('Vary', 'Origin');
  res.setHeader('Access-Control-Allow-Methods', 'GET, POST, DELETE, OPTIONS');
  res.setHeader(
    'Access-Control-Allow-Headers',
    'Authorization, Content-Type, Accept, Mcp-Session-Id, Mcp-Protocol-Version, Last-Event-ID',
  );
  res.setHeader('Access-Control-Expose-Headers', 'Mcp-Session-Id');
}
