// End to end over stdio: the built server spawned as a client would, driven by the SDK's StdioClientTransport.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOOLS } from '../../src/tools/index.js';
import { BUILT_MAIN, connectBuiltServer, requireBuild, run, serverEnv } from '../helpers/built-server.js';
import { callTool, sampleChunks, structured } from '../helpers/mcp-client.js';
import { makeTempDir, type TempDir } from '../helpers/temp-dir.js';

let dir: TempDir;
beforeAll(async () => {
  requireBuild();
  dir = await makeTempDir();
});
afterAll(async () => dir.remove());

describe('built server over stdio', () => {
  it('serves tools and resources to a real client', async () => {
    const { client, stderr } = await connectBuiltServer(dir.path, { clientName: 'stdio-e2e' });
    expect(client.getServerVersion()).toMatchObject({ name: 'rag-studio-mcp' });
    expect(client.getInstructions()).toContain('hybrid_search');

    const { tools } = await client.listTools();
    expect(tools).toHaveLength(Object.keys(TOOLS).length);
    structured(
      await callTool(client, 'upsert_chunks', { kb: 'e2e', chunks: sampleChunks() }),
      TOOLS.upsert_chunks.outputSchema,
    );
    const found = structured(
      await callTool(client, 'hybrid_search', {
        kb: 'e2e',
        query: 'garbage collection',
        filter: { 'metadata.lang': 'en' },
      }),
      TOOLS.hybrid_search.outputSchema,
    );
    expect(found.results[0]?.chunk_id).toBe('faq-1');
    const status = await client.readResource({ uri: 'rag-studio://status' });
    expect(JSON.parse((status.contents[0] as { text: string }).text)).toMatchObject({
      data_dir: dir.path,
      transport: 'stdio',
    });

    await client.close();
    expect(stderr()).toContain('serving stdio');
  });

  it('shuts down cleanly on SIGTERM with exit code 0, and the data is intact afterwards', async () => {
    const child = spawn(process.execPath, [BUILT_MAIN], {
      env: serverEnv(dir.path),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server did not start: ${stderr}`)), 30_000);
      child.stderr.on('data', () => {
        if (stderr.includes('serving stdio')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).toContain('shutting down (SIGTERM)');

    const { client } = await connectBuiltServer(dir.path, { args: ['--read-only'], clientName: 'stdio-e2e' });
    const found = structured(
      await callTool(client, 'hybrid_search', { kb: 'e2e', query: 'npm', mode: 'lexical' }),
      TOOLS.hybrid_search.outputSchema,
    );
    expect(found.results.length).toBeGreaterThan(0);
    await client.close();
  });

  it('writes nothing but protocol messages to stdout, and exits 0 when stdin closes', async () => {
    const init = {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '0' } },
    };
    const result = await run(process.execPath, [BUILT_MAIN, '--log-level', 'debug'], {
      env: serverEnv(dir.path),
      input: `${JSON.stringify(init)}\n`,
    });
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      jsonrpc: '2.0',
      id: 1,
      result: { serverInfo: { name: 'rag-studio-mcp' } },
    });
    expect(result.stderr).toContain('rag-studio info');
    expect(result.stderr).toContain('shutting down (stdin closed)');
  });

  it('fails fast with one clear stderr line on bad configuration', async () => {
    const result = await run(process.execPath, [BUILT_MAIN], {
      env: serverEnv(dir.path, { RAG_STUDIO_PORT: 'eighty' }),
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toEqual([
      'rag-studio-mcp: configuration error: RAG_STUDIO_PORT must be an integer in 0..65535, got "eighty"',
    ]);
  });
});
