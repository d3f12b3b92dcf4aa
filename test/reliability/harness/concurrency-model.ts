// What the acknowledged writes of the concurrency run imply: expected rows per (KB, generation), checked at the end.
import type { KnowledgeBaseEngine } from '../../../src/engine/index.js';
import { scanGeneration } from './crash-checks.js';

export const BASE_CHUNKS = 30;
export const baseChunk = (generation: number, i: number) => ({
  chunk_id: `base-${i}`,
  document_id: `base-${i % 3}`,
  content: `alpha base chunk ${i} of generation ${generation}`,
  metadata: { gen: generation },
});

/**
 * Expected content of every generation. Each client owns its chunk ids (writers `w<n>-…`, builders only write
 * `base-…` into generations they created) and calls sequentially, so replaying each client's acknowledged
 * calls in its own order gives the exact content, whatever the interleaving between clients.
 */
export class ExpectedStore {
  private readonly generations = new Map<string, Map<number, Map<string, string>>>();
  private readonly collected = new Map<string, Set<number>>();
  /** The generation a default search last answered from, per KB: where writers aim. */
  readonly activeHint = new Map<string, number>();

  addGeneration(kb: string, generation: number): void {
    if (this.isCollected(kb, generation)) return;
    const perKb = this.generations.get(kb) ?? new Map<number, Map<string, string>>();
    if (!perKb.has(generation)) perKb.set(generation, new Map());
    this.generations.set(kb, perKb);
  }

  /** Rows of a live generation, or undefined once GC reported it deleted. */
  rows(kb: string, generation: number): Map<string, string> | undefined {
    return this.generations.get(kb)?.get(generation);
  }

  /** GC answers can arrive before a writer's answer for the same generation: collected stays collected. */
  collect(kb: string, generation: number): void {
    this.generations.get(kb)?.delete(generation);
    const set = this.collected.get(kb) ?? new Set<number>();
    set.add(generation);
    this.collected.set(kb, set);
  }

  isCollected(kb: string, generation: number): boolean {
    return this.collected.get(kb)?.has(generation) ?? false;
  }

  upserted(kb: string, generation: number, chunks: Array<{ chunk_id: string; content: string }>): void {
    const rows = this.rows(kb, generation);
    if (!rows) return;
    for (const c of chunks) rows.set(c.chunk_id, c.content);
  }

  deleted(kb: string, generation: number, ids: string[]): void {
    const rows = this.rows(kb, generation);
    if (rows) for (const id of ids) rows.delete(id);
  }

  knowledgeBases(): string[] {
    return [...this.generations.keys()];
  }

  /**
   * Compares the data dir with the model: one active generation per KB; every live generation holds exactly the
   * rows its acknowledged writes imply (ids, contents, and its own tag); nothing GC reported deleted is live;
   * nothing the model still expects is gone. Returns violations and how many generations/chunks were checked.
   */
  async verify(
    engine: KnowledgeBaseEngine,
    dataDir: string,
  ): Promise<{ violations: string[]; generations: number; chunks: number }> {
    const violations: string[] = [];
    let generations = 0;
    let chunks = 0;
    for (const kb of this.knowledgeBases()) {
      const live = await engine.listGenerations(kb);
      const active = live.filter((g) => g.status === 'active');
      if (active.length !== 1) violations.push(`${kb}: ${active.length} active generations`);
      const liveNumbers = new Set<number>();
      for (const g of live) {
        // A GC that outwaited a pinning search leaves its victim marked; the next run finishes it.
        liveNumbers.add(g.generation);
        if (g.status === 'marked_for_deletion') continue;
        const expected = this.rows(kb, g.generation);
        if (!expected) {
          violations.push(
            `${kb} g${g.generation} (${g.status}) is live but ${this.isCollected(kb, g.generation) ? 'GC reported it deleted' : 'was never created by a client'}`,
          );
          continue;
        }
        const rows = await scanGeneration(dataDir, kb, g.generation);
        generations += 1;
        chunks += rows.size;
        if (rows.size !== expected.size || g.chunkCount !== expected.size) {
          violations.push(
            `${kb} g${g.generation}: ${rows.size} rows (engine counts ${g.chunkCount}), acknowledged writes imply ${expected.size}`,
          );
        }
        for (const [id, content] of expected) {
          const row = rows.get(id);
          if (!row) violations.push(`${kb} g${g.generation}: acknowledged chunk ${id} is missing`);
          else if (row.content !== content)
            violations.push(`${kb} g${g.generation}: ${id} holds other content than acknowledged`);
          else if (row.metadata.gen !== g.generation)
            violations.push(`${kb} g${g.generation}: ${id} is tagged ${String(row.metadata.gen)}`);
        }
        for (const id of rows.keys())
          if (!expected.has(id))
            violations.push(`${kb} g${g.generation}: chunk ${id} was never acknowledged there`);
      }
      for (const generation of this.generations.get(kb)?.keys() ?? []) {
        if (!liveNumbers.has(generation))
          violations.push(`${kb} g${generation} disappeared although no GC reported deleting it`);
      }
    }
    return { violations: violations.slice(0, 50), generations, chunks };
  }
}
