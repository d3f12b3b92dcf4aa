// Streamable HTTP: several clients sharing one engine, and each refusal (401, 421, 403, 413) on the wire.
import { spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ResourceListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningHttpServer } from '../../src/server/http.js';
import { TOOLS } from '../../src/tools/index.js';
import { BUILT_MAIN, requireBuild, serverEnv } from '../helpers/built-server.js';
import { connectHttpClient, startTestHttpServer, type TestHttpServer } from '../helpers/http-server.js';
import { callTool, sampleChunks, structured } from '../helpers/mcp-client.js';
import { makeTempDir, type TempDir } from '../helpers/temp-dir.js';

const TOKEN = 'test-token-0123456789abcdef';
const MAX_BODY = 64 * 1024;
const INIT = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '0' } },
};

let dir: TempDir;
let http: RunningHttpServer;
let server: TestHttpServer;

beforeAll(async () => {
  dir = await makeTempDir();
  server = await startTestHttpServer({
    dataDir: dir.path,
    args: ['--max-body-bytes', String(MAX_BODY), '--allowed-origins', 'https://app.example.com'],
    env: { RAG_STUDIO_AUTH_TOKEN: TOKEN },
  });
  ({ http } = server);
});
afterAll(async () => {
  await server.close();
  await dir.remove();
});

function connectClient(token = TOKEN): Promise<Client> {
  return connectHttpClient(http.url, { token });
}

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** node:http rather than fetch, because fetch will not send a forged Host header. */
function raw(options: {
  headers?: Record<string, string>;
  body?: string | Buffer;
  chunked?: boolean;
  path?: string;
}): Promise<RawResponse> {
  const url = new URL(http.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: options.path ?? url.pathname,
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          Accept: 'application/json, text/event-stream',
          ...(options.chunked ? {} : { 'Content-Length': String(Buffer.byteLength(options.body ?? '')) }),
          ...options.headers,
        },
      },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body ?? '');
  });
}
const auth = { Authorization: `Bearer ${TOKEN}` };

describe('several clients share one engine', () => {
  it('serves two sessions at once and notifies the other client of a new knowledge base', async () => {
    const [a, b] = await Promise.all([connectClient(), connectClient()]);
    expect(http.sessionCount()).toBe(2);
    let bNotified = 0;
    b.setNotificationHandler(ResourceListChangedNotificationSchema, () => void (bNotified += 1));
    // b's standalone SSE stream (for server-initiated notifications) opens right after initialization.
    await new Promise((resolve) => setTimeout(resolve, 200));

    const [ra, rb] = await Promise.all([
      callTool(a, 'upsert_chunks', { kb: 'from-a', chunks: sampleChunks() }),
      callTool(b, 'upsert_chunks', { kb: 'from-b', chunks: sampleChunks().slice(0, 2) }),
    ]);
    structured(ra, TOOLS.upsert_chunks.outputSchema);
    structured(rb, TOOLS.upsert_chunks.outputSchema);
    const [sa, sb] = await Promise.all([
      callTool(a, 'hybrid_search', { kb: 'from-b', query: 'configuration' }),
      callTool(b, 'hybrid_search', { kb: 'from-a', query: 'garbage' }),
    ]);
    expect(structured(sa, TOOLS.hybrid_search.outputSchema).results.length).toBe(2);
    expect(structured(sb, TOOLS.hybrid_search.outputSchema).results.length).toBeGreaterThan(0);
    await expect.poll(() => bNotified).toBeGreaterThan(0);

    await (a.transport as StreamableHTTPClientTransport).terminateSession();
    await a.close();
    expect(http.sessionCount()).toBe(1);
    await b.close();
  });
});

describe('refusals', () => {
  it('401 without a token, or with a wrong one', async () => {
    const none = await raw({ body: JSON.stringify(INIT) });
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(JSON.parse(none.body).error.message).toMatch(/Authorization: Bearer/);
    expect(
      (
        await raw({
          body: JSON.stringify(INIT),
          headers: { Authorization: 'Bearer wrong-token-wrong-token' },
        })
      ).status,
    ).toBe(401);
    await expect(connectClient('not-the-right-token-at-all')).rejects.toThrow();
    expect((await raw({ body: JSON.stringify(INIT), headers: auth })).status).toBe(200);
  });

  it('421 for a Host that is not ours (DNS rebinding)', async () => {
    const res = await raw({
      body: JSON.stringify(INIT),
      headers: { ...auth, Host: 'attacker.example:8080' },
    });
    expect(res.status).toBe(421);
    expect(res.body).toContain('RAG_STUDIO_ALLOWED_HOSTS');
    expect(
      (await raw({ body: JSON.stringify(INIT), headers: { ...auth, Host: `localhost:${http.port}` } }))
        .status,
    ).toBe(200);
  });

  it('403 for a foreign Origin, other loopback ports included; configured and own origins pass with CORS headers', async () => {
    const evil = await raw({
      body: JSON.stringify(INIT),
      headers: { ...auth, Origin: 'https://evil.example' },
    });
    expect(evil.status).toBe(403);
    expect((await raw({ body: JSON.stringify(INIT), headers: { ...auth, Origin: 'null' } })).status).toBe(
      403,
    );
    const app = await raw({
      body: JSON.stringify(INIT),
      headers: { ...auth, Origin: 'https://app.example.com' },
    });
    expect(app.status).toBe(200);
    expect(app.headers['access-control-allow-origin']).toBe('https://app.example.com');
    // A page on another loopback port (a dev server, a notebook) is another origin: refused unless listed.
    expect(
      (await raw({ body: JSON.stringify(INIT), headers: { ...auth, Origin: 'http://localhost:5173' } }))
        .status,
    ).toBe(403);
    const own = await raw({
      body: JSON.stringify(INIT),
      headers: { ...auth, Origin: `http://127.0.0.1:${http.port}` },
    });
    expect(own.status).toBe(200);
  });

  it('413 for a body over the cap, declared or streamed', async () => {
    const big = JSON.stringify({ ...INIT, params: { ...INIT.params, padding: 'x'.repeat(MAX_BODY) } });
    const declared = await raw({ body: big, headers: auth });
    expect(declared.status).toBe(413);
    expect(declared.body).toContain('RAG_STUDIO_MAX_BODY_BYTES');
    expect((await raw({ body: big, headers: auth, chunked: true })).status).toBe(413);
  });

  it('404 for other paths and unknown sessions, 400 for non-JSON or a first request that is not initialize', async () => {
    expect((await raw({ body: JSON.stringify(INIT), headers: auth, path: '/other' })).status).toBe(404);
    expect(
      (await raw({ body: '{}', headers: { ...auth, 'Mcp-Session-Id': 'no-such-session' } })).status,
    ).toBe(404);
    expect((await raw({ body: 'not json', headers: auth })).status).toBe(400);
    expect(
      (await raw({ body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }), headers: auth }))
        .status,
    ).toBe(400);
  });
});

describe('the built server over HTTP', () => {
  it('starts on a free port with a token, serves a client, and stops on SIGTERM', async () => {
    requireBuild();
    const own = await makeTempDir();
    const child = spawn(process.execPath, [BUILT_MAIN, '--transport', 'http', '--port', '0'], {
      env: serverEnv(own.path, { RAG_STUDIO_AUTH_TOKEN: TOKEN }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL logged: ${stderr}`)), 30_000);
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        const match = /serving Streamable HTTP at (\S+)/.exec(stderr);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
    });
    const client = await connectHttpClient(url, { token: TOKEN, name: 'http-e2e' });
    structured(
      await callTool(client, 'upsert_chunks', { kb: 'spawned', chunks: sampleChunks() }),
      TOOLS.upsert_chunks.outputSchema,
    );
    await client.close();
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).toContain('shutting down (SIGTERM)');
    await own.remove();
  });
});
