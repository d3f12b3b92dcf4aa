// The HTTP request pipeline: route by path, then the guards in order (Host, Origin, CORS, token), then the handler.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpConfig } from '../config/config.js';
import { bearerAuthenticator, checkHost, checkOrigin, sendRefusal, setCorsHeaders } from './http-guards.js';

export const MCP_PATH = '/mcp';
export const STUDIO_PATH = '/studio';

export type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export interface Routes {
  /** The MCP endpoint: needs the bearer token. */
  mcp: Handler;
  /**
   * The studio's static files (no data in them): Host and Origin are checked, the token is not, since a
   * browser navigating to a page cannot send a header. Everything the page shows comes through `mcp`.
   */
  studio?: (req: IncomingMessage, res: ServerResponse, subpath: string) => Promise<void>;
}

export function createRouter(config: HttpConfig & { authToken: string }, routes: Routes): Handler {
  const authenticate = bearerAuthenticator(config.authToken);
  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    const studio =
      routes.studio !== undefined && (path === STUDIO_PATH || path.startsWith(`${STUDIO_PATH}/`));
    if (path !== MCP_PATH && !studio) {
      const also = routes.studio === undefined ? '' : `; the studio is at ${STUDIO_PATH}/`;
      return sendRefusal(res, { status: 404, message: `Not Found: the MCP endpoint is ${MCP_PATH}${also}` });
    }
    // DNS rebinding: a page on another name (or another origin) never reaches a handler, studio included.
    const guard =
      checkHost(req.headers.host, config) ?? checkOrigin(req.headers.origin, config, req.headers.host);
    if (guard !== undefined) return sendRefusal(res, guard);
    if (studio) return routes.studio!(req, res, path.slice(STUDIO_PATH.length));
    setCorsHeaders(req, res, config);
    if (req.method === 'OPTIONS') {
      res.writeHead(204).end();
      return;
    }
    const denied = authenticate(req.headers.authorization, url.searchParams.get('token'));
    if (denied !== undefined) return sendRefusal(res, denied);
    return routes.mcp(req, res);
  };
}
