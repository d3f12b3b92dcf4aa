// The MCP Inspector CLI (as a developer would run it) against the built server, including via mcp.json.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { contentSchema as statusSchema } from '../../src/resources/status.js';
import { TOOLS } from '../../src/tools/index.js';
import { BUILT_MAIN, REPO_ROOT, requireBuild, run } from '../helpers/built-server.js';
import { makeTempDir, type TempDir } from '../helpers/temp-dir.js';

let dir: TempDir;
let env: Record<string, string>;
/** Server settings passed with the Inspector's -e, since it starts the server with a minimal environment. */
let serverFlags: string[];

beforeAll(async () => {
  requireBuild();
  dir = await makeTempDir();
  await mkdir(join(dir.path, 'home'));
  env = {
    PATH: process.env.PATH ?? '',
    // A throwaway HOME keeps the Inspector's catalog and npm's cache out of the real one.
    HOME: join(dir.path, 'home'),
    MCP_INSPECTOR_SECRET_STORE: 'memory',
    npm_config_update_notifier: 'false',
    npm_config_offline: 'true',
  };
  serverFlags = [
    '-e',
    `RAG_STUDIO_DATA_DIR=${join(dir.path, 'data')}`,
    '-e',
    'RAG_STUDIO_EMBEDDING_MODEL=hash',
    '-e',
    'RAG_STUDIO_OFFLINE=1',
    '-e',
    'RAG_STUDIO_GC_INTERVAL_S=0',
  ];
});
afterAll(async () => dir.remove());

/** `npx --no-install` never downloads: the Inspector must come from devDependencies. */
async function inspector(args: string[]): Promise<unknown> {
  const result = await run('npx', ['--no-install', '@modelcontextprotocol/inspector', '--cli', ...args], {
    env,
    timeoutMs: 90_000,
  });
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout);
}

it('lists the tools', async () => {
  const out = (await inspector(['node', BUILT_MAIN, ...serverFlags, '--method', 'tools/list'])) as {
    tools: Array<{ name: string }>;
  };
  expect(out.tools.map((t) => t.name).sort()).toEqual(Object.keys(TOOLS).sort());
});

it('calls tools with key=value and JSON arguments', async () => {
  const chunks = JSON.stringify([
    {
      chunk_id: 'i-1',
      document_id: 'inspector',
      content: 'The inspector drives the server from a shell.',
      metadata: { lang: 'en' },
    },
    {
      chunk_id: 'i-2',
      document_id: 'inspector',
      content: 'Der Inspektor steuert den Server.',
      metadata: { lang: 'de' },
    },
  ]);
  const upsert = (await inspector([
    'node',
    BUILT_MAIN,
    ...serverFlags,
    '--method',
    'tools/call',
    '--tool-name',
    'upsert_chunks',
    '--tool-arg',
    'kb=cli',
    `chunks=${chunks}`,
  ])) as { structuredContent: unknown };
  expect(TOOLS.upsert_chunks.outputSchema.parse(upsert.structuredContent)).toMatchObject({ upserted: 2 });

  const search = (await inspector([
    'node',
    BUILT_MAIN,
    ...serverFlags,
    '--method',
    'tools/call',
    '--tool-name',
    'hybrid_search',
    '--tool-arg',
    'kb=cli',
    'query=inspector server',
    'limit=5',
    'filter={"metadata.lang": "en"}',
  ])) as { structuredContent: unknown };
  const out = TOOLS.hybrid_search.outputSchema.parse(search.structuredContent);
  expect(out.results.map((r) => r.chunk_id)).toEqual(['i-1']);
});

it('starts the server from the repository mcp.json', async () => {
  const out = (await inspector([
    '--config',
    join(REPO_ROOT, 'mcp.json'),
    '--server',
    'rag-studio',
    ...serverFlags,
    '--method',
    'resources/read',
    '--uri',
    'rag-studio://status',
  ])) as { contents: Array<{ text: string; mimeType: string }> };
  expect(out.contents[0]?.mimeType).toBe('application/json');
  const status = statusSchema.parse(JSON.parse(out.contents[0]!.text));
  expect(status.data_dir).toBe(join(dir.path, 'data'));
});
