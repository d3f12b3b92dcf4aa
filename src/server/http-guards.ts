// HTTP request guards: Host/Origin checks against DNS rebinding, bearer-token auth, and a capped body reader.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { HttpConfig } from '../config/config.js';
import { isLoopbackHost } from '../config/config.js';

/** A refusal: the status and one line saying why and what to change. */
export interface Refusal {
  status: number;
  message: string;
  headers?: Record<string, string>;
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

/** Browsers send Origin; a page from elsewhere must not drive the server (MCP spec: 403 for a bad Origin). */
export function checkOrigin(originHeader: string | undefined, config: HttpConfig): Refusal | undefined {
  if (originHeader === undefined) return undefined;
  if (isAllowedOrigin(originHeader, config)) return undefined;
  return {
    status: 403,
    message: `Forbidden: Origin "${originHeader.slice(0, 100)}" is not allowed; add it to RAG_STUDIO_ALLOWED_ORIGINS if it is yours`,
  };
}

export function isAllowedOrigin(origin: string, config: HttpConfig): boolean {
  if (config.allowedOrigins.includes('*')) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false; // includes the opaque "null" origin of sandboxed frames and file:// pages
  }
  if ((url.protocol === 'http:' || url.protocol === 'https:') && isLoopbackHost(url.hostname)) return true;
  return config.allowedOrigins.includes(url.origin);
}

/** Compares digests so neither the token's content nor its length leaks through timing. */
export function bearerAuthenticator(
  token: string | undefined,
): (header: string | undefined) => Refusal | undefined {
  if (token === undefined) return () => undefined;
  const expected = createHash('sha256').update(token).digest();
  return (header) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
    const given = match?.[1];
    if (given !== undefined && timingSafeEqual(createHash('sha256').update(given).digest(), expected))
      return undefined;
    return {
      status: 401,
      message:
        header === undefined
          ? 'Unauthorized: send "Authorization: Bearer <RAG_STUDIO_AUTH_TOKEN>"'
          : 'Unauthorized: wrong bearer token',
      headers: { 'WWW-Authenticate': 'Bearer realm="rag-studio-mcp"' },
    };
  };
}

export type BodyResult = { ok: true; text: string } | { ok: false; refusal: Refusal };

/**
 * Reads the body up to `maxBytes`. A declared Content-Length over the cap is refused before reading;
 * a chunked body is refused as soon as it passes the cap (Node discards the rest after the response).
 */
export async function readBody(req: IncomingMessage, maxBytes: number): Promise<BodyResult> {
  const tooLarge: BodyResult = {
    ok: false,
    refusal: {
      status: 413,
      message: `Payload Too Large: the body exceeds ${maxBytes} bytes (RAG_STUDIO_MAX_BODY_BYTES); send fewer chunks per call`,
    },
  };
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) return tooLarge;
  const parts: Buffer[] = [];
  let received = 0;
  // destroyOnReturn: false keeps the socket alive so the 413 response still reaches the client.
  for await (const chunk of req.iterator({ destroyOnReturn: false })) {
    const buffer = chunk as Buffer;
    received += buffer.length;
    if (received > maxBytes) return tooLarge;
    parts.push(buffer);
  }
  return { ok: true, text: Buffer.concat(parts).toString('utf8') };
}
