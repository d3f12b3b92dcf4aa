// Serves RAG Studio's static files (src/studio/public, copied to dist/studio/public) with a strict CSP; no CDN.
import { readdir, readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** Only our own files run and only our own origin is reached: an injected string cannot load or send anything. */
const SECURITY_HEADERS = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-cache',
};

export const STUDIO_ASSETS_DIR = fileURLToPath(new URL('./public/', import.meta.url));

/**
 * A handler for `/studio…` requests (the part after `/studio`). The file list is read once, so a path can
 * only ever name one of the shipped files: nothing else on disk is reachable.
 */
export function studioAssets(
  dir = STUDIO_ASSETS_DIR,
): (req: IncomingMessage, res: ServerResponse, subpath: string) => Promise<void> {
  let files: Promise<Map<string, { type: string; body: Buffer }>> | undefined;
  const load = async () => {
    const map = new Map<string, { type: string; body: Buffer }>();
    for (const name of await readdir(dir, { recursive: true })) {
      const type = TYPES[extname(name)];
      if (type !== undefined)
        map.set(`/${name.split('\\').join('/')}`, { type, body: await readFile(join(dir, name)) });
    }
    return map;
  };
  return async (req, res, subpath) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain' }).end('Method Not Allowed');
      return;
    }
    if (subpath === '') {
      // Relative asset URLs resolve against /studio/, not /.
      res.writeHead(308, { Location: '/studio/' }).end();
      return;
    }
    files ??= load();
    const file = (await files).get(subpath === '/' ? '/index.html' : subpath);
    if (file === undefined) {
      res
        .writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' })
        .end(`Not Found: no studio file ${subpath}`);
      return;
    }
    res.writeHead(200, {
      'Content-Type': file.type,
      'Content-Length': file.body.length,
      ...SECURITY_HEADERS,
    });
    res.end(req.method === 'HEAD' ? undefined : file.body);
  };
}
