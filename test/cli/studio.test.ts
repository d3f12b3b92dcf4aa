// `rag-studio-mcp studio`: the built command starts HTTP on loopback, prints the studio URL, and guards /studio.
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBuild, serverEnv } from '../helpers/built-server.js';
import { connectHttpClient } from '../helpers/http-server.js';
import { makeTempDir, type TempDir } from '../helpers/temp-dir.js';

const CLI_MAIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

/** A raw GET, so the test sets Host and Origin itself (fetch would not let it). */
function get(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: target.hostname, port: target.port, path: target.pathname, headers },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('rag-studio-mcp studio', () => {
  let temp: TempDir;
  let child: ReturnType<typeof spawn>;
  let stdout = '';
  let studioUrl: URL;

  beforeAll(async () => {
    requireBuild();
    temp = await makeTempDir();
    child = spawn(process.execPath, [CLI_MAIN, 'studio', '--port', '0'], {
      env: serverEnv(temp.path),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    studioUrl = await new Promise<URL>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no studio URL printed: ${stderr}`)), 60_000);
      child.stdout!.on('data', (d: Buffer) => {
        stdout += d.toString();
        const match = /studio: (http:\/\/127\.0\.0\.1:\d+\/studio\/#token=\S+)/.exec(stdout);
        if (match) {
          clearTimeout(timer);
          resolve(new URL(match[1]!));
        }
      });
    });
  });

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.on('close', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await temp?.remove();
  });

  it('prints a loopback URL whose fragment holds the token MCP clients use', async () => {
    const token = decodeURIComponent(studioUrl.hash.slice('#token='.length));
    expect(token.length).toBeGreaterThanOrEqual(32);
    const client = await connectHttpClient(new URL('/mcp', studioUrl).href, { token, name: 'studio-cli' });
    const listed = await client.listTools();
    expect(listed.tools.map((t) => t.name)).toContain('promote_generation');
    await client.close();
  });

  it('serves the page and its scripts with a strict CSP, without a token, and nothing else', async () => {
    const page = await get(studioUrl.href);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.body).toContain('<script type="module" src="app.js">');
    const script = await get(new URL('mcp-client.js', studioUrl).href);
    expect(script.status).toBe(200);
    expect(script.headers['content-type']).toContain('text/javascript');
    expect((await get(new URL('/studio', studioUrl).href)).headers.location).toBe('/studio/');
    expect((await get(new URL('/studio/no-such.js', studioUrl).href)).status).toBe(404);
    expect((await get(new URL('/studio/%2e%2e/%2e%2e/package.json', studioUrl).href)).status).toBe(404);
    expect((await get(new URL('/mcp', studioUrl).href)).status).toBe(401);
  });

  it('keeps the DNS-rebinding guards on /studio', async () => {
    expect((await get(studioUrl.href, { Host: 'attacker.example' })).status).toBe(421);
    expect((await get(studioUrl.href, { Origin: 'http://127.0.0.1:9' })).status).toBe(403);
  });
});
