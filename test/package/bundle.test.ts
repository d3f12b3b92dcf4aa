// `npm run bundle` → a valid MCP bundle (.mcpb) whose unpacked server works through a real MCP client.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectBuiltServer, REPO_ROOT, requireBuild, run } from '../helpers/built-server.js';
import { makeTempDir, type TempDir } from '../helpers/temp-dir.js';
import { expectWorkingServer } from './smoke.js';

const BUILD_TIMEOUT_MS = 600_000;
const MCPB_CLI = join(REPO_ROOT, 'node_modules', '@anthropic-ai', 'mcpb', 'dist', 'cli', 'cli.js');
let temp: TempDir;
let unpacked: string;
let manifest: {
  version: string;
  tools: Array<{ name: string }>;
  prompts: Array<{ name: string }>;
  server: { mcp_config: { args: string[]; env: Record<string, string> } };
  user_config: Record<string, { default?: unknown }>;
  compatibility: { platforms: string[] };
};
const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ONNXRUNTIME_NODE_INSTALL: 'skip' };

beforeAll(async () => {
  requireBuild();
  temp = await makeTempDir('rag-studio-mcpb-');
  const bundle = join(temp.path, 'rag-studio-mcp.mcpb');
  const built = await run(process.execPath, [join(REPO_ROOT, 'scripts', 'bundle.mjs'), bundle], {
    env,
    timeoutMs: BUILD_TIMEOUT_MS,
  });
  expect(built.code, built.stderr).toBe(0);
  unpacked = join(temp.path, 'unpacked');
  // Unzipping ~150 MB in JavaScript takes a minute or more on a busy machine.
  const unpack = await run(process.execPath, [MCPB_CLI, 'unpack', bundle, unpacked], {
    env,
    timeoutMs: BUILD_TIMEOUT_MS,
  });
  expect(unpack.code, unpack.stderr).toBe(0);
  manifest = JSON.parse(await readFile(join(unpacked, 'manifest.json'), 'utf8')) as typeof manifest;
}, BUILD_TIMEOUT_MS + 60_000);

afterAll(async () => temp?.remove());

describe('the MCP bundle', () => {
  it('has a manifest that mcpb validate accepts, with this version and platform', async () => {
    const validated = await run(process.execPath, [MCPB_CLI, 'validate', join(unpacked, 'manifest.json')], {
      env,
    });
    expect(validated.code, validated.stdout + validated.stderr).toBe(0);
    const pkg = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(manifest.version).toBe(pkg.version);
    expect(manifest.compatibility.platforms).toEqual([process.platform]);
    expect(Object.keys(manifest.user_config).sort()).toEqual(['data_dir', 'embedding_model', 'read_only']);
  });

  it('starts the bundled server as Claude Desktop would, and lists exactly the tools and prompts it offers', async () => {
    // Claude Desktop substitutes ${__dirname} and ${user_config.*}; do the same with a data dir and the hash model.
    const dataDir = await makeTempDir('rag-studio-mcpb-data-');
    const userConfig: Record<string, string> = {
      data_dir: dataDir.path,
      embedding_model: 'hash',
      read_only: 'false',
    };
    const substitute = (s: string) =>
      s
        .replace('${__dirname}', unpacked)
        .replace(/\$\{user_config\.(\w+)\}/g, (_, k: string) => userConfig[k] ?? '');
    const [main, ...args] = manifest.server.mcp_config.args.map(substitute);
    const configEnv = Object.fromEntries(
      Object.entries(manifest.server.mcp_config.env).map(([k, v]) => [k, substitute(v)]),
    );
    const server = await connectBuiltServer(dataDir.path, { main: main!, args, env: configEnv });
    try {
      const tools = await expectWorkingServer(server.client);
      expect(manifest.tools.map((t) => t.name).sort()).toEqual(tools);
      const { prompts } = await server.client.listPrompts();
      expect(manifest.prompts.map((p) => p.name).sort()).toEqual(prompts.map((p) => p.name).sort());
    } finally {
      await server.client.close();
      await dataDir.remove();
    }
  });
});
