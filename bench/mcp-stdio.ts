// End to end through MCP: a real SDK Client spawning the built server over stdio, calling hybrid_search.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { BENCH_KB } from './engine-bench.js';
import { peakRssBytes } from './probes.js';
import type { BenchMode, BenchQuery, SearchFn } from './query-timing.js';

export const SERVER_ENTRY = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'server', 'main.js');

export interface McpSession {
  search: SearchFn;
  /** Round trip of an MCP ping: the transport's own cost, without any tool work. */
  ping(): Promise<void>;
  /** The server process's peak RSS so far (Linux), in bytes. */
  peakRss(): number | null;
  close(): Promise<void>;
}

/** Why the MCP measurement cannot run, or undefined when it can. */
export function mcpUnavailableReason(): string | undefined {
  if (!existsSync(SERVER_ENTRY))
    return `the server is not built (${SERVER_ENTRY} is missing): run npm run build first`;
  return undefined;
}

/** A warning when dist/ is older than the sources the server is built from (the MCP leg would measure old code). */
export function staleBuildWarning(): string | undefined {
  if (!existsSync(SERVER_ENTRY)) return undefined;
  const built = statSync(SERVER_ENTRY).mtimeMs;
  const src = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');
  const newer = ['engine', 'server', 'tools', 'resources'].some((dir) => newestMtime(join(src, dir)) > built);
  return newer
    ? 'dist/ is older than src/, so the MCP leg would measure older code than the in-process engine: run npm run build'
    : undefined;
}

function newestMtime(dir: string): number {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Spawns `node dist/server/main.js` read-only on the bench's data dir, without an embedding model (queries
 * carry their vectors), and with the background GC off.
 */
export async function startMcpSession(dataDir: string): Promise<McpSession> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [SERVER_ENTRY],
    env: {
      ...getDefaultEnvironment(),
      RAG_STUDIO_DATA_DIR: dataDir,
      RAG_STUDIO_EMBEDDING_MODEL: 'none',
      RAG_STUDIO_READ_ONLY: '1',
      RAG_STUDIO_GC_INTERVAL_S: '0',
      RAG_STUDIO_LOG_LEVEL: 'error',
    },
    stderr: 'inherit',
  });
  const client = new Client({ name: 'rag-studio-bench', version: '0.0.0' });
  await client.connect(transport);
  const pid = transport.pid;
  const search: SearchFn = async (mode: BenchMode, q: BenchQuery) => {
    const result = await client.callTool({
      name: 'hybrid_search',
      arguments: {
        kb: BENCH_KB,
        mode,
        limit: 10,
        ...(mode !== 'vector' ? { query: q.text } : {}),
        ...(mode !== 'lexical' ? { vector: Array.from(q.vector) } : {}),
      },
    });
    if (result.isError) throw new Error(`hybrid_search failed: ${JSON.stringify(result.content)}`);
    const structured = result.structuredContent as { results?: Array<{ chunk_id: string }> } | undefined;
    return (structured?.results ?? []).map((r) => r.chunk_id);
  };
  return {
    search,
    ping: async () => {
      await client.ping();
    },
    peakRss: () => (pid === null ? null : peakRssBytes(pid)),
    close: () => client.close(),
  };
}
