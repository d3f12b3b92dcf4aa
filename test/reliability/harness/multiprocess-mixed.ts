// Mixed concurrent operations (upsert, delete, create, promote, GC, search) from several clients, then invariant checks.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { callTool, textOf } from '../../helpers/mcp-client.js';
import { catalogViolations, chunk, generations, searchIds, upsert } from './multiprocess.js';

export interface MixedReport {
  acknowledged: number;
  violations: string[];
}

/** Errors a racing operation may legitimately get (and then did nothing). */
const EXPECTED_REFUSALS = /INVALID_STATE|GENERATION_NOT_FOUND|CONFLICT/;

/**
 * Each round, every client runs one random operation at once on KB `mixed`. Afterwards: the catalog has one row
 * per generation and one active; every acknowledged, never-deleted write is present in the generation it named
 * unless GC removed that generation; every search answered from one generation only.
 */
export async function runMixedOps(
  clients: Client[],
  options: { rounds: number; kb?: string },
): Promise<MixedReport> {
  const kb = options.kb ?? 'mixed';
  const violations: string[] = [];
  const acks = new Map<string, number>();
  const deleted = new Set<string>();
  let next = 0;
  let seed = 42;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;

  const first = await upsert(clients[0]!, kb, [chunk('seed', 'mixed')]);
  if (!first.ok) throw new Error(first.error);
  acks.set('seed', first.ok.generation);

  const operation = async (client: Client, roll: number): Promise<void> => {
    if (roll < 0.45) {
      const ids = [next++, next++].map((n) => `m${n}`);
      const result = await upsert(
        client,
        kb,
        ids.map((id) => chunk(id, 'mixed')),
      );
      if (result.ok) for (const id of ids) acks.set(id, result.ok.generation);
      else if (!EXPECTED_REFUSALS.test(result.error)) violations.push(`upsert refused: ${result.error}`);
    } else if (roll < 0.55) {
      const victim = [...acks.keys()].find((id) => id !== 'seed' && !deleted.has(id));
      if (!victim) return;
      deleted.add(victim);
      const result = await callTool(client, 'delete_chunks', { kb, chunk_ids: [victim] });
      if (result.isError && !EXPECTED_REFUSALS.test(textOf(result)))
        violations.push(`delete: ${textOf(result)}`);
    } else if (roll < 0.65) {
      const result = await callTool(client, 'create_generation', { kb, copy_from_active: true });
      if (result.isError && !EXPECTED_REFUSALS.test(textOf(result)))
        violations.push(`create: ${textOf(result)}`);
    } else if (roll < 0.75) {
      const rows = await generations(client, kb);
      const candidate = rows.filter((r) => r.status === 'building' || r.status === 'ready').pop();
      if (!candidate) return;
      const result = await callTool(client, 'promote_generation', { kb, generation: candidate.generation });
      if (result.isError && !EXPECTED_REFUSALS.test(textOf(result)))
        violations.push(`promote: ${textOf(result)}`);
    } else if (roll < 0.8) {
      const result = await callTool(client, 'run_gc', { kb, retention_epochs: 1, min_age_seconds: 0 });
      if (result.isError && !EXPECTED_REFUSALS.test(textOf(result))) violations.push(`gc: ${textOf(result)}`);
    } else {
      const result = await callTool(client, 'hybrid_search', {
        kb,
        query: 'mixed',
        mode: 'lexical',
        limit: 100,
      });
      if (result.isError) {
        violations.push(`search failed: ${textOf(result)}`);
        return;
      }
      // One whole generation: every hit was written into the generation answered from, or into the one it was
      // copied from (ids are never reused, so a hit unknown to every acknowledged or in-flight write is garbage).
      const out = result.structuredContent as { generation: number; results: Array<{ chunk_id: string }> };
      if (out.generation < 1) violations.push(`a search answered from generation ${out.generation}`);
      const unknown = out.results.filter((r) => r.chunk_id !== 'seed' && Number(r.chunk_id.slice(1)) >= next);
      if (unknown.length)
        violations.push(
          `a search returned chunks never written: ${unknown.map((r) => r.chunk_id).join(', ')}`,
        );
    }
  };

  for (let round = 0; round < options.rounds; round++) {
    await Promise.all(clients.map((client) => operation(client, random())));
  }

  // Let every process's view pass the staleness bound before checking what it sees.
  await new Promise((resolve) => setTimeout(resolve, 1200));
  const rows = await generations(clients[0]!, kb);
  violations.push(...catalogViolations(rows));
  for (const client of clients.slice(1)) {
    const theirs = await generations(client, kb);
    if (
      JSON.stringify(theirs.map((r) => [r.generation, r.status])) !==
      JSON.stringify(rows.map((r) => [r.generation, r.status]))
    ) {
      // Give the staleness bound a moment, then compare again.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const again = await generations(client, kb);
      if (
        JSON.stringify(again.map((r) => [r.generation, r.status])) !==
        JSON.stringify(rows.map((r) => [r.generation, r.status]))
      )
        violations.push(
          `processes disagree on the catalog: ${JSON.stringify(rows)} vs ${JSON.stringify(again)}`,
        );
    }
  }
  const live = new Set(rows.map((r) => r.generation));
  const byGeneration = new Map<number, string[]>();
  for (const [id, gen] of acks) {
    if (deleted.has(id) || !live.has(gen)) continue;
    byGeneration.set(gen, [...(byGeneration.get(gen) ?? []), id]);
  }
  for (const [gen, ids] of byGeneration) {
    const found = new Set((await searchIds(clients[0]!, kb, 'mixed', gen)).ids);
    const lost = ids.filter((id) => !found.has(id));
    if (lost.length)
      violations.push(`acknowledged writes missing from generation ${gen}: ${lost.join(', ')}`);
  }
  return { acknowledged: acks.size, violations };
}
