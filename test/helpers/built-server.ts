// Locating and spawning the built server (dist/server/main.js); `npm test` builds before running vitest.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BUILT_MAIN = fileURLToPath(new URL('../../dist/server/main.js', import.meta.url));

/** Fails loudly instead of skipping: a silently skipped end-to-end test is worse than none. */
export function requireBuild(): void {
  if (!existsSync(BUILT_MAIN))
    throw new Error(`${BUILT_MAIN} is missing: run \`npm run build\` first (npm test does)`);
}

/** Env for a spawned server: offline hash embeddings, no GC loop, nothing inherited that could change behaviour. */
export function serverEnv(dataDir: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    RAG_STUDIO_DATA_DIR: dataDir,
    RAG_STUDIO_EMBEDDING_MODEL: 'hash',
    RAG_STUDIO_GC_INTERVAL_S: '0',
    RAG_STUDIO_OFFLINE: '1',
    ...extra,
  };
}

export interface BuiltServerClient {
  client: Client;
  transport: StdioClientTransport;
  /** What the server wrote to stderr so far (the last `keepStderr` characters). */
  stderr(): string;
}

/** Spawns the built server over stdio on `dataDir`, as an MCP client would, and connects an SDK Client to it. */
export async function connectBuiltServer(
  dataDir: string,
  options: { args?: string[]; clientName?: string; keepStderr?: number; env?: Record<string, string> } = {},
): Promise<BuiltServerClient> {
  requireBuild();
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BUILT_MAIN, ...(options.args ?? [])],
    env: serverEnv(dataDir, options.env),
    stderr: 'pipe',
  });
  let stderr = '';
  const keep = options.keepStderr ?? Infinity;
  transport.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-keep)));
  const client = new Client({ name: options.clientName ?? 'built-server-test', version: '0.0.0' });
  await client.connect(transport);
  return { client, transport, stderr: () => stderr };
}

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion (or kills it after `timeoutMs`) and collects its output. */
export function run(
  command: string,
  args: string[],
  options: { env: Record<string, string>; cwd?: string; input?: string; timeoutMs?: number },
): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: options.env, cwd: options.cwd ?? REPO_ROOT, stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    if (options.input !== undefined) child.stdin.end(options.input);
  });
}
