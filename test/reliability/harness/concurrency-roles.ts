// The clients of the concurrency run: searchers, writers, builders, a collector and a reader, and their shared state.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { z } from 'zod';
import { contentSchema as generationsSchema } from '../../../src/resources/generations.js';
import { TOOLS } from '../../../src/tools/index.js';
import { callTool, readJson, textOf } from '../../helpers/mcp-client.js';
import { BASE_CHUNKS, baseChunk, ExpectedStore } from './concurrency-model.js';

export const KBS = ['alpha-kb', 'beta-kb'];
/** 16 clients: 6 searchers, 6 writers, 2 builders (create → fill → promote, or roll back), 1 GC, 1 reader. */
export const ROLES = [
  'search',
  'write',
  'search',
  'write',
  'build',
  'search',
  'write',
  'gc',
  'search',
  'write',
  'search',
  'write',
  'build',
  'reader',
  'search',
  'write',
] as const;
export type Role = (typeof ROLES)[number];
/** The generation a writer aimed at was archived (INVALID_STATE) or collected (GENERATION_NOT_FOUND) meanwhile. */
const STALE_GENERATION = ['INVALID_STATE', 'GENERATION_NOT_FOUND'];
type ToolName = keyof typeof TOOLS;
type Output<T extends ToolName> = z.infer<(typeof TOOLS)[T]['outputSchema']>;

export class RunState {
  readonly latencies = new Map<string, number[]>();
  readonly conflicts = new Map<string, number>();
  readonly violations: string[] = [];
  readonly store = new ExpectedStore();
  running = true;

  constructor(readonly random: () => number) {}

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)]!;
  }

  violation(message: string): void {
    if (this.violations.length < 50) this.violations.push(message);
  }

  time(label: string, ms: number): void {
    const list = this.latencies.get(label) ?? [];
    list.push(ms);
    this.latencies.set(label, list);
  }

  /** Calls a tool; returns its parsed output, or undefined after a documented conflict (anything else is a violation). */
  async call<T extends ToolName>(
    client: Client,
    tool: T,
    args: Record<string, unknown>,
    allowed: string[] = [],
  ): Promise<Output<T> | undefined> {
    const started = performance.now();
    let result;
    try {
      result = await callTool(client, tool, args);
    } catch (error) {
      this.violation(`${tool} failed at the protocol level: ${String(error)}`);
      return undefined;
    } finally {
      this.time(tool, performance.now() - started);
    }
    if (result.isError) {
      const text = textOf(result);
      const code = /^([A-Z_]+):/.exec(text)?.[1] ?? 'UNKNOWN';
      if (allowed.includes(code)) {
        const key = `${tool} ${code}`;
        this.conflicts.set(key, (this.conflicts.get(key) ?? 0) + 1);
      } else this.violation(`${tool} ${JSON.stringify(args).slice(0, 200)} → ${text.slice(0, 300)}`);
      return undefined;
    }
    return TOOLS[tool].outputSchema.parse(result.structuredContent) as Output<T>;
  }

  /** Every hit of a search must come from the generation the answer names: the whole of one generation. */
  checkWhole(kb: string, out: Output<'hybrid_search'>): void {
    for (const hit of out.results) {
      if (hit.metadata.gen !== out.generation) {
        this.violation(
          `${kb}: a search answered from g${out.generation} returned ${hit.chunk_id} of g${String(hit.metadata.gen)}`,
        );
      }
    }
  }
}

/** Reads a KB's generations resource; a failure is a violation (resources have no documented conflicts). */
async function readGenerations(s: RunState, client: Client, kb: string) {
  const started = performance.now();
  try {
    return (await readJson(client, `rag-studio://knowledge-bases/${kb}/generations`, generationsSchema))
      .generations;
  } catch (error) {
    s.violation(`reading the generations of ${kb} failed: ${String(error).slice(0, 400)}`);
    return [];
  } finally {
    s.time('resources/read', performance.now() - started);
  }
}

export async function searcher(s: RunState, client: Client): Promise<void> {
  while (s.running) {
    const kb = s.pick(KBS);
    const mode = s.pick(['hybrid', 'hybrid', 'lexical', 'vector']);
    const out = await s.call(client, 'hybrid_search', {
      kb,
      query: s.pick(['alpha chunk', 'writer item', 'base generation']),
      mode,
      limit: 20,
    });
    if (out) {
      s.checkWhole(kb, out);
      s.store.activeHint.set(kb, out.generation);
    }
  }
}

export async function writer(s: RunState, client: Client, n: number): Promise<void> {
  let counter = 0;
  while (s.running) {
    const kb = s.pick(KBS);
    const generation = s.store.activeHint.get(kb) ?? 1;
    const mine = [...(s.store.rows(kb, generation)?.keys() ?? [])].filter((id) => id.startsWith(`w${n}-`));
    const r = s.random();
    if (r < 0.6 || (r < 0.9 && mine.length === 0)) {
      const ids = [`w${n}-${counter++}`, `w${n}-${counter++}`, ...(mine.length > 0 ? [s.pick(mine)] : [])];
      const chunks = ids.map((id) => ({
        chunk_id: id,
        document_id: `w${n}`,
        content: `alpha writer item ${id} v${counter}`,
        metadata: { gen: generation },
      }));
      const known = s.store.rows(kb, generation);
      const expectedInserted = known ? ids.filter((id) => !known.has(id)).length : undefined;
      const out = await s.call(client, 'upsert_chunks', { kb, generation, chunks }, STALE_GENERATION);
      if (!out) continue;
      if (out.generation !== generation)
        s.violation(`upsert into g${generation} of ${kb} landed in g${out.generation}`);
      if (expectedInserted !== undefined && out.inserted !== expectedInserted)
        s.violation(
          `upsert into ${kb} g${generation} inserted ${out.inserted}, expected ${expectedInserted}`,
        );
      s.store.upserted(kb, generation, chunks);
    } else if (r < 0.9) {
      const ids = [...new Set([s.pick(mine), s.pick(mine)])];
      const out = await s.call(client, 'delete_chunks', { kb, generation, chunk_ids: ids }, STALE_GENERATION);
      if (!out) continue;
      if (out.deleted !== ids.length)
        s.violation(`delete of ${ids.length} own chunks in ${kb} g${generation} deleted ${out.deleted}`);
      s.store.deleted(kb, generation, ids);
    } else {
      const out = await s.call(client, 'hybrid_search', { kb, query: 'writer item', limit: 10 });
      if (out) {
        s.checkWhole(kb, out);
        s.store.activeHint.set(kb, out.generation);
      }
    }
  }
}

export async function builder(s: RunState, client: Client): Promise<void> {
  while (s.running) {
    const kb = s.pick(KBS);
    if (s.random() < 0.25) {
      const generations = await readGenerations(s, client, kb);
      const archived = generations.filter((g) => g.status === 'archived');
      if (archived.length > 0) {
        await s.call(
          client,
          'promote_generation',
          { kb, generation: s.pick(archived).generation },
          STALE_GENERATION,
        );
      }
    } else {
      const created = await s.call(client, 'create_generation', { kb });
      if (!created) continue;
      s.store.addGeneration(kb, created.generation);
      const chunks = Array.from({ length: BASE_CHUNKS }, (_, i) => baseChunk(created.generation, i));
      if (!(await s.call(client, 'upsert_chunks', { kb, generation: created.generation, chunks }))) continue;
      s.store.upserted(kb, created.generation, chunks);
      await s.call(client, 'promote_generation', { kb, generation: created.generation });
    }
    await sleep(50 + s.random() * 150);
  }
}

export async function collector(s: RunState, client: Client): Promise<void> {
  while (s.running) {
    const dryRun = s.random() < 0.2;
    const out = await s.call(client, 'run_gc', {
      retention_epochs: 1,
      min_age_seconds: 0,
      dry_run: dryRun,
      ...(s.random() < 0.5 ? { kb: s.pick(KBS) } : {}),
    });
    if (out && !dryRun) for (const d of out.deleted) s.store.collect(d.kb, d.generation);
    await sleep(100 + s.random() * 200);
  }
}

export async function reader(s: RunState, client: Client): Promise<void> {
  while (s.running) {
    const kb = s.pick(KBS);
    const generations = await readGenerations(s, client, kb);
    if (generations.length === 0) continue;
    const generation = s.pick(generations).generation;
    const out = await s.call(client, 'hybrid_search', { kb, query: 'alpha', generation, limit: 20 }, [
      'GENERATION_NOT_FOUND',
    ]);
    if (out) {
      if (out.generation !== generation)
        s.violation(`a search of ${kb} g${generation} answered from g${out.generation}`);
      s.checkWhole(kb, out);
    }
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
