// HTTP session cap and idle expiry: vanished clients free their slot; connected clients keep theirs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOOLS } from '../../src/tools/index.js';
import {
  connectHttpClient,
  startTestHttpServer,
  TEST_HTTP_TOKEN,
  type TestHttpServer,
} from '../helpers/http-server.js';
import { callTool, sampleChunks, structured } from '../helpers/mcp-client.js';
import { makeTempDir, type TempDir } from '../helpers/temp-dir.js';

const IDLE_SECONDS = 1;
let dir: TempDir;
let server: TestHttpServer;

beforeAll(async () => {
  dir = await makeTempDir();
  server = await startTestHttpServer({
    dataDir: dir.path,
    args: ['--max-http-sessions', '2', '--http-session-idle-seconds', String(IDLE_SECONDS)],
  });
});
afterAll(async () => {
  await server?.close();
  await dir?.remove();
});

/** An initialize over plain fetch, as a client that then vanishes without DELETE (no SSE stream left open). */
async function initializeAndVanish(): Promise<{ status: number; sessionId: string | null; body: string }> {
  const response = await fetch(server.http.url, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Accept: 'application/json, text/event-stream',
      Authorization: `Bearer ${TEST_HTTP_TOKEN}`,
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'gone', version: '0' } },
    }),
  });
  return {
    status: response.status,
    sessionId: response.headers.get('mcp-session-id'),
    body: await response.text(),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('HTTP sessions', () => {
  it('refuses sessions over the cap with 503, and frees the slots of vanished clients once idle', async () => {
    const first = await initializeAndVanish();
    const second = await initializeAndVanish();
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(server.http.sessionCount()).toBe(2);

    const third = await initializeAndVanish();
    expect(third.status).toBe(503);
    expect(third.body).toMatch(
      /2 sessions open; close one \(DELETE\) or wait for an idle one to expire \(1 s\)/,
    );

    await expect.poll(() => server.http.sessionCount(), { timeout: 5_000, interval: 100 }).toBe(0);
    const afterExpiry = await initializeAndVanish();
    expect(afterExpiry.status).toBe(200);

    // The expired session's id is now unknown: its client is told to initialize again.
    const stale = await fetch(server.http.url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Accept: 'application/json, text/event-stream',
        Authorization: `Bearer ${TEST_HTTP_TOKEN}`,
        'Mcp-Session-Id': first.sessionId!,
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'ping' }),
    });
    expect(stale.status).toBe(404);
    expect(await stale.text()).toMatch(/unknown or expired session; initialize a new one/);
    await expect.poll(() => server.http.sessionCount(), { timeout: 5_000, interval: 100 }).toBe(0);
  });

  it('keeps a connected client past the idle time: its open event stream counts as activity', async () => {
    const client = await connectHttpClient(server.http.url, { name: 'stays' });
    try {
      await sleep(IDLE_SECONDS * 1000 * 3);
      expect(server.http.sessionCount()).toBe(1);
      const result = await callTool(client, 'upsert_chunks', { kb: 'kept', chunks: sampleChunks() });
      expect(structured(result, TOOLS.upsert_chunks.outputSchema).upserted).toBe(sampleChunks().length);
    } finally {
      await client.close();
    }
  });
});
