// An HTTP proxy on 127.0.0.1 in front of s3rver that honours S3 conditional writes (If-None-Match: *, If-Match).
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the proxy saw it, for tests that check what Lance sends. */
export interface LoggedRequest {
  method: string;
  path: string;
  ifNoneMatch?: string;
  ifMatch?: string;
  copySource?: string | undefined;
  /** The status the client got. */
  status: number;
}

export interface ConditionalProxy {
  /** `http://127.0.0.1:<port>`: use as `aws_endpoint` instead of the s3rver address. */
  endpoint: string;
  /** Every request, in arrival order (kept only when `log` was asked for). */
  requests: LoggedRequest[];
  /** How many conditional writes were refused with 412 because the key existed (or its ETag differed). */
  refused: number;
  close(): Promise<void>;
}

/**
 * s3rver ignores `If-None-Match: *` and `If-Match`, so two writers that both "create" the next Lance manifest
 * both succeed and one commit silently replaces the other. Real S3 (and R2, GCS, MinIO) answer 412 Precondition
 * Failed to the second. This proxy adds that: a PUT/POST carrying a precondition is checked against the key's
 * current state (a HEAD upstream) and then forwarded, with check and write serialised per key so the pair is
 * atomic, as it is on S3. Everything else is forwarded untouched (the Host header included, so SigV4 holds).
 */
export async function startConditionalProxy(
  upstreamPort: number,
  options: { log?: boolean } = {},
): Promise<ConditionalProxy> {
  const tails = new Map<string, Promise<unknown>>();
  const state: ConditionalProxy = {
    endpoint: '',
    requests: [],
    refused: 0,
    close: async () => undefined,
  };

  /** Runs `work` after every earlier conditional write on `key` has finished. */
  function serialised<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = tails.get(key) ?? Promise.resolve();
    const next = previous.then(work, work);
    const tail = next.catch(() => undefined);
    tails.set(key, tail);
    void tail.then(() => {
      if (tails.get(key) === tail) tails.delete(key);
    });
    return next;
  }

  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`proxy error: ${String(error)}`);
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const ifNoneMatch = header(req, 'if-none-match');
    const ifMatch = header(req, 'if-match');
    const conditional =
      (req.method === 'PUT' || req.method === 'POST') && (ifNoneMatch !== undefined || ifMatch !== undefined);
    const path = req.url ?? '/';
    const key = path.split('?')[0]!;
    const status = conditional
      ? await serialised(key, async () => {
          const existing = await head(upstreamPort, key, req.headers);
          const fails =
            (ifNoneMatch === '*' && existing.exists) ||
            (ifMatch !== undefined && (!existing.exists || stripQuotes(ifMatch) !== existing.etag));
          if (fails) {
            state.refused++;
            return preconditionFailed(res, key);
          }
          return forward(upstreamPort, req, body, res);
        })
      : await forward(upstreamPort, req, body, res);
    if (options.log) {
      state.requests.push({
        method: req.method ?? '',
        path,
        ...(ifNoneMatch !== undefined ? { ifNoneMatch } : {}),
        ...(ifMatch !== undefined ? { ifMatch } : {}),
        ...(header(req, 'x-amz-copy-source') ? { copySource: header(req, 'x-amz-copy-source') } : {}),
        status,
      });
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function stripQuotes(etag: string): string {
  return etag.replace(/^W\//, '').replace(/"/g, '');
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

function preconditionFailed(res: ServerResponse, key: string): number {
  const xml =
    '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>PreconditionFailed</Code>' +
    '<Message>At least one of the pre-conditions you specified did not hold</Message>' +
    `<Condition>If-None-Match</Condition><Resource>${key}</Resource></Error>`;
  res.writeHead(412, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(xml) });
  res.end(xml);
  return 412;
}

/** Whether the object exists upstream, and its ETag (s3rver accepts an unsigned HEAD, so none is signed here). */
async function head(
  port: number,
  key: string,
  incoming: IncomingMessage['headers'],
): Promise<{ exists: boolean; etag?: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, method: 'HEAD', path: key, headers: { host: incoming.host ?? '' } },
      (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode === 200) {
            const etag = res.headers.etag;
            resolve({ exists: true, ...(etag ? { etag: stripQuotes(etag) } : {}) });
          } else if (res.statusCode === 404) resolve({ exists: false });
          else reject(new Error(`HEAD ${key} answered ${res.statusCode}`));
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** Sends the request upstream unchanged and streams the answer back; resolves with the status. */
function forward(port: number, req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<number> {
  return new Promise((resolve, reject) => {
    const upstream = httpRequest(
      { host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.on('end', () => resolve(answer.statusCode ?? 502));
        answer.on('error', reject);
      },
    );
    upstream.on('error', reject);
    upstream.end(body);
  });
}
