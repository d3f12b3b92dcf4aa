// Abuse suite, HTTP side: floods and parked streams that used to exhaust the server, each now bounded.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settledHeap } from '../helpers/heap.js';
import { BUILT_MAIN, requireBuild, serverEnv } from '../helpers/built-server.js';
import {
  connectHttpClient,
  startTestHttpServer,
  TEST_HTTP_TOKEN,
  type TestHttpServer,
} from '../helpers/http-server.js';
import { makeTempDir, type TempDir } from '../helpers/temp-dir.js';

const INIT = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'abuse', version: '0' } },
});
const AUTH = { Authorization: `Bearer ${TEST_HTTP_TOKEN}` };

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function post(url: string, headers: Record<string, string>, body: string, method = 'POST'): Promise<Raw> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        method,
        headers: { 'Content-Length': String(Buffer.byteLength(body)), ...headers },
      },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

let dir: TempDir;
let server: TestHttpServer;

beforeAll(async () => {
  dir = await makeTempDir();
  server = await startTestHttpServer({
    dataDir: dir.path,
    args: ['--max-body-bytes', String(1024 * 1024), '--max-inflight-body-bytes', String(3 * 1024 * 1024)],
  });
});
afterAll(async () => {
  await server?.close();
  await dir?.remove();
});

describe('HTTP abuse', () => {
  it('a flood of refused initializes (406, 415) leaves no session server behind', async () => {
    const send = (i: number) =>
      post(
        server.http.url,
        i % 2 === 0
          ? { ...AUTH, 'Content-Type': 'application/json', Accept: 'application/json' } // 406: no SSE
          : { ...AUTH, 'Content-Type': 'text/plain', Accept: 'application/json, text/event-stream' }, // 415
        INIT,
      );
    // Warm-up: lazily loaded modules and pools are not a leak.
    for (let i = 0; i < 50; i++) await send(i);
    const before = await settledHeap();
    const FLOOD = 2000;
    for (let start = 0; start < FLOOD; start += 20) {
      const statuses = await Promise.all(Array.from({ length: 20 }, (_, j) => send(start + j)));
      for (const [j, r] of statuses.entries()) expect(r.status).toBe((start + j) % 2 === 0 ? 406 : 415);
    }
    const grown = (await settledHeap()) - before;
    // Each leaked McpServer held ~41 KB: 2,000 of them were ~80 MB. Without a leak the heap stays put.
    expect(grown).toBeLessThan(8 * 1024 * 1024);
    expect(server.http.sessionCount()).toBe(0);
  });

  it('bodies buffered at once are bounded: beyond the budget, 503 until they finish', async () => {
    const target = new URL(server.http.url);
    const body = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'ping',
      params: { pad: 'x'.repeat(1_000_000) },
    });
    const headers = {
      ...AUTH,
      'Content-Type': 'application/json',
      Accept: 'application/json, text/event-stream',
      'Content-Length': String(Buffer.byteLength(body)),
    };
    // Three slow uploads of ~1 MB each hold the 3 MiB budget: each sent only its first bytes so far.
    const slow = Array.from({ length: 3 }, () => {
      let finish!: () => void;
      const done = new Promise<number>((resolve, reject) => {
        const req = httpRequest(
          { host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        req.on('error', reject);
        req.write(body.slice(0, 100));
        finish = () => req.end(body.slice(100));
      });
      return { done, finish: () => finish() };
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const refused = await post(server.http.url, headers, body);
    expect(refused.status).toBe(503);
    expect(refused.body).toContain('RAG_STUDIO_MAX_INFLIGHT_BODY_BYTES');
    expect(refused.headers['retry-after']).toBe('1');
    for (const s of slow) s.finish();
    // They complete (400: a ping before initialize), and their bytes are given back.
    expect(await Promise.all(slow.map((s) => s.done))).toEqual([400, 400, 400]);
    expect((await post(server.http.url, headers, body)).status).toBe(400);
  });

  it('parked event streams do not hold sessions forever', async () => {
    const own = await makeTempDir();
    const parked = await startTestHttpServer({
      dataDir: own.path,
      args: [
        '--http-session-idle-seconds',
        '1',
        '--http-stream-idle-seconds',
        '2',
        '--max-http-sessions',
        '2',
      ],
    });
    try {
      const clients = await Promise.all([
        connectHttpClient(parked.http.url, { name: 'parks-1' }),
        connectHttpClient(parked.http.url, { name: 'parks-2' }),
      ]);
      expect(parked.http.sessionCount()).toBe(2);
      // Past the 1 s session idle time their open streams still count as activity…
      await new Promise((resolve) => setTimeout(resolve, 1_400));
      expect(parked.http.sessionCount()).toBe(2);
      // …but both hold a GET stream and send nothing: within a few seconds the slots are free again.
      await expect.poll(() => parked.http.sessionCount(), { timeout: 8_000, interval: 200 }).toBe(0);
      const fresh = await connectHttpClient(parked.http.url, { name: 'newcomer' });
      expect(parked.http.sessionCount()).toBe(1);
      await fresh.close();
      await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    } finally {
      await parked.close();
      await own.remove();
    }
  });

  it('a page on another loopback port cannot drive the server, even with no token of its own', async () => {
    const page = await post(
      server.http.url,
      {
        'Content-Type': 'application/json',
        Accept: 'application/json, text/event-stream',
        Origin: 'http://localhost:8080',
      },
      INIT,
    );
    expect(page.status).toBe(403);
    expect(page.headers['access-control-allow-origin']).toBeUndefined();
    // The same request without Origin (a script, not a page) still needs the token.
    const script = await post(
      server.http.url,
      { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' },
      INIT,
    );
    expect(script.status).toBe(401);
  });
});

describe('the HTTP transport is always authenticated', () => {
  it('without a configured token, the built server generates one, keeps it 0600 and prints the URL', async () => {
    requireBuild();
    const own = await makeTempDir();
    const start = async (): Promise<{ child: ChildProcess; url: string; stderr: string }> => {
      const child = spawn(process.execPath, [BUILT_MAIN, '--transport', 'http', '--port', '0'], {
        env: serverEnv(own.path),
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no connection URL printed: ${stderr}`)), 30_000);
        child.stderr!.on('data', (d: Buffer) => {
          stderr += d.toString();
          const match = /connect with (\S+)/.exec(stderr);
          if (match) {
            clearTimeout(timer);
            resolve(match[1]!);
          }
        });
      });
      return { child, url, stderr };
    };
    const stop = async (child: ChildProcess) => {
      const exited = new Promise((resolve) => child.on('close', resolve));
      child.kill('SIGTERM');
      await exited;
    };
    try {
      const first = await start();
      const url = new URL(first.url);
      const token = url.searchParams.get('token')!;
      expect(token.length).toBeGreaterThanOrEqual(32);
      const file = join(own.path, 'http-token');
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect((await readFile(file, 'utf8')).trim()).toBe(token);
      const headers = { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' };
      // No token: 401. The printed URL works as is, and so does the header.
      expect((await post(`${url.origin}${url.pathname}`, headers, INIT)).status).toBe(401);
      expect((await post(first.url, headers, INIT)).status).toBe(200);
      expect(
        (await post(`${url.origin}${url.pathname}`, { ...headers, Authorization: `Bearer ${token}` }, INIT))
          .status,
      ).toBe(200);
      expect((await post(`${url.origin}${url.pathname}?token=wrong`, headers, INIT)).status).toBe(401);
      await stop(first.child);
      // A restart keeps the stored token, so configured clients keep working.
      const second = await start();
      expect(new URL(second.url).searchParams.get('token')).toBe(token);
      await stop(second.child);
    } finally {
      await own.remove();
    }
  });
});
