// Several built servers spawned over stdio on one store, and the calls and invariant checks the multi-process tests share.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { TOOLS } from '../../../src/tools/index.js';
import { connectBuiltServer, type BuiltServerClient } from '../../helpers/built-server.js';
import { callTool, textOf } from '../../helpers/mcp-client.js';

export interface Fleet {
  servers: BuiltServerClient[];
  close(): Promise<void>;
}

/** `n` servers on one data dir (or URI); `env` adds settings (staleness, storage options) to each. */
export async function startFleet(
  dataDir: string,
  n: number,
  env: Record<string, string> = {},
): Promise<Fleet> {
  const servers: BuiltServerClient[] = [];
  for (let i = 0; i < n; i++) {
    servers.push(await connectBuiltServer(dataDir, { clientName: `fleet-${i}`, env, keepStderr: 4000 }));
  }
  return {
    servers,
    close: async () => {
      await Promise.all(servers.map((s) => s.client.close().catch(() => undefined)));
    },
  };
}

export function chunk(id: string, words: string) {
  return { chunk_id: id, document_id: `doc-${id}`, content: `${words} marker ${id}` };
}

export async function upsert(client: Client, kb: string, chunks: unknown[], generation?: number) {
  const result = await callTool(client, 'upsert_chunks', {
    kb,
    chunks,
    ...(generation ? { generation } : {}),
  });
  if (result.isError) return { error: textOf(result) };
  return { ok: TOOLS.upsert_chunks.outputSchema.parse(result.structuredContent) };
}

/** Chunk ids a lexical search for `query` returns (up to 100), or the error text. */
export async function searchIds(client: Client, kb: string, query: string, generation?: number) {
  const result = await callTool(client, 'hybrid_search', {
    kb,
    query,
    mode: 'lexical',
    limit: 100,
    ...(generation ? { generation } : {}),
  });
  if (result.isError) return { error: textOf(result), ids: [] as string[], generation: -1 };
  const out = TOOLS.hybrid_search.outputSchema.parse(result.structuredContent);
  return { ids: out.results.map((r) => r.chunk_id), generation: out.generation, error: undefined };
}

export async function createGeneration(client: Client, kb: string, copy: boolean) {
  const result = await callTool(client, 'create_generation', { kb, copy_from_active: copy });
  if (result.isError) throw new Error(textOf(result));
  return TOOLS.create_generation.outputSchema.parse(result.structuredContent).generation;
}

export async function promote(client: Client, kb: string, generation: number) {
  const result = await callTool(client, 'promote_generation', { kb, generation });
  if (result.isError) throw new Error(textOf(result));
  return TOOLS.promote_generation.outputSchema.parse(result.structuredContent);
}

export interface GenerationRow {
  generation: number;
  status: string;
  chunk_count: number;
}

export async function generations(client: Client, kb: string): Promise<GenerationRow[]> {
  const result = await client.readResource({ uri: `rag-studio://knowledge-bases/${kb}/generations` });
  const first = result.contents[0] as { text: string };
  return (JSON.parse(first.text) as { generations: GenerationRow[] }).generations;
}

/** One row per generation and exactly one active one; returns what is wrong, empty when all holds. */
export function catalogViolations(rows: GenerationRow[]): string[] {
  const problems: string[] = [];
  const seen = new Set<number>();
  for (const row of rows) {
    if (seen.has(row.generation)) problems.push(`two rows for generation ${row.generation}`);
    seen.add(row.generation);
  }
  const active = rows.filter((r) => r.status === 'active');
  if (active.length !== 1) problems.push(`${active.length} active generations: ${JSON.stringify(rows)}`);
  return problems;
}

/** Polls `check` until it returns true or `ms` pass; returns whether it did. */
export async function eventually(check: () => Promise<boolean>, ms = 5000): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
