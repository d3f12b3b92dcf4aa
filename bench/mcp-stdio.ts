// End to end through MCP: a real SDK Client spawning the built server over stdio, calling hybrid_search.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { BENCH_KB } from './engine-bench.js';
import { peakRssBytes } from './probes.js';
import type { BenchMode, BenchQuery, SearchFn } from './query-timing.js';

type ContentMode = 'full' | 'snippet' | 'none';
const CONTENT_MODES: readonly ContentMode[] = ['full', 'snippet', 'none'];

/** Little-endian float32 bytes as base64 (what hybrid_search's vector_base64 takes). */
function base64Of(vector: Float32Array): string {
  return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).toString('base64');
}

export const SERVER_ENTRY = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'server', 'main.js');

export interface McpSession {
  search: SearchFn;
  /** The same calls with the query vector as `vector_base64` (little-endian float32) instead of a JSON array. */
  searchBase64: SearchFn;
  /** Median bytes per hit of hybrid_search's whole result (JSON), top 10, for each content mode. */
  bytesPerHit(queries: readonly BenchQuery[]): Promise<Record<ContentMode, number>>;
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
 * carry their vectors), with the background GC and the result cache off.
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
      // No result cache, like the in-process engine (searchCacheSize 0): the JSON and the vector_base64 legs
      // send the same query back to back, and the second would otherwise be a cache hit.
      RAG_STUDIO_MAX_SEARCH_CACHE_BYTES: '1',
    },
    stderr: 'inherit',
  });
  const client = new Client({ name: 'rag-studio-bench', version: '0.0.0' });
  await client.connect(transport);
  const pid = transport.pid;
  const call = (mode: BenchMode, q: BenchQuery, base64: boolean, content: ContentMode = 'full') =>
    client.callTool({
      name: 'hybrid_search',
      arguments: {
        kb: BENCH_KB,
        mode,
        limit: 10,
        content,
        ...(mode !== 'vector' ? { query: q.text } : {}),
        ...(mode === 'lexical'
          ? {}
          : base64
            ? { vector_base64: base64Of(q.vector) }
            : { vector: Array.from(q.vector) }),
      },
    });
  const searchWith =
    (base64: boolean): SearchFn =>
    async (mode: BenchMode, q: BenchQuery) => {
      const result = await call(mode, q, base64);
      if (result.isError) throw new Error(`hybrid_search failed: ${JSON.stringify(result.content)}`);
      const structured = result.structuredContent as { results?: Array<{ chunk_id: string }> } | undefined;
      return (structured?.results ?? []).map((r) => r.chunk_id);
    };
  const bytesPerHit = async (queries: readonly BenchQuery[]) => {
    const medians = {} as Record<ContentMode, number>;
    for (const content of CONTENT_MODES) {
      const perHit: number[] = [];
      for (const q of queries) {
        const result = await call('hybrid', q, false, content);
        const hits = (result.structuredContent as { results?: unknown[] } | undefined)?.results?.length ?? 0;
        if (hits > 0) perHit.push(Buffer.byteLength(JSON.stringify(result)) / hits);
      }
      perHit.sort((a, b) => a - b);
      medians[content] = perHit[Math.floor(perHit.length / 2)] ?? 0;
    }
    return medians;
  };
  return {
    search: searchWith(false),
    searchBase64: searchWith(true),
    bytesPerHit,
    ping: async () => {
      await client.ping();
    },
    peakRss: () => (pid === null ? null : peakRssBytes(pid)),
    close: () => client.close(),
  };
}
