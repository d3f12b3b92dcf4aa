// `rag-studio-mcp studio`: the built command starts HTTP on loopback, prints the studio URL, and guards /studio.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBuild } from '../helpers/built-server.js';
import { connectHttpClient } from '../helpers/http-server.js';
import { rawGet as get, startStudioCli, type StudioCli } from '../helpers/studio-cli.js';
import { makeTempDir, type TempDir } from '../helpers/temp-dir.js';

const CLI_MAIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

describe('rag-studio-mcp studio', () => {
  let temp: TempDir;
  let studio: StudioCli;
  let studioUrl: URL;

  beforeAll(async () => {
    requireBuild();
    temp = await makeTempDir();
    studio = await startStudioCli(CLI_MAIN, temp.path);
    studioUrl = studio.url;
  });

  afterAll(async () => {
    await studio?.stop();
    await temp?.remove();
  });

  it('prints a loopback URL whose fragment holds the token MCP clients use', async () => {
    const token = studio.token;
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
