// Mixed concurrent operations (upsert, delete, create, promote, GC, search) from several clients, then invariant checks.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { goldenSetSchema } from '../../../src/tools/eval-query-schema.js';
import { callTool, readJson, textOf } from '../../helpers/mcp-client.js';
import { catalogViolations, chunk, generations, searchIds, upsert } from './multiprocess.js';

export interface MixedReport {
  acknowledged: number;
  violations: string[];
}

/** Errors a racing operation may legitimately get (and then did nothing). */
const EXPECTED_REFUSALS = /INVALID_STATE|GENERATION_NOT_FOUND|CONFLICT/;

/**
 * Random operations on KB `kb` from any client, recording what was acknowledged, and the final checks: the
 * catalog has one row per generation and one active; every process sees the same catalog; every acknowledged,
 * never-deleted write is present in the generation it named unless GC removed that generation.
 */
export class MixedOps {
  readonly violations: string[] = [];
  readonly acks = new Map<string, number>();
  private readonly deleted = new Set<string>();
  /** Golden-set writes: attempted, and the revisions acknowledged (each tagged by its query text). */
  private goldenAttempts = 0;
  private readonly goldenAcks = new Map<number, string>();
  private next = 0;
  private seed: number;

  constructor(
    readonly kb = 'mixed',
    seed = 42,
  ) {
    this.seed = seed;
  }

  random(): number {
    this.seed = (this.seed * 1103515245 + 12345) % 2 ** 31;
    return this.seed / 2 ** 31;
  }

  async seedKb(client: Client): Promise<void> {
    const first = await upsert(client, this.kb, [chunk('seed', 'mixed')]);
    if (!first.ok) throw new Error(first.error);
    this.acks.set('seed', first.ok.generation);
  }

  /** One random operation; a call the server died under (rejected) counts as not acknowledged. */
  async run(client: Client, roll = this.random()): Promise<boolean> {
    try {
      await this.operation(client, roll);
      return true;
    } catch {
      return false;
    }
  }

  private async operation(client: Client, roll: number): Promise<void> {
    const { kb, violations } = this;
    if (roll < 0.45) {
      const ids = [this.next++, this.next++].map((n) => `m${n}`);
      const result = await upsert(
        client,
        kb,
        ids.map((id) => chunk(id, 'mixed')),
      );
      if (result.ok) for (const id of ids) this.acks.set(id, result.ok.generation);
      else if (!EXPECTED_REFUSALS.test(result.error)) violations.push(`upsert refused: ${result.error}`);
    } else if (roll < 0.55) {
      const victim = [...this.acks.keys()].find((id) => id !== 'seed' && !this.deleted.has(id));
      if (!victim) return;
      this.deleted.add(victim);
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
    } else if (roll >= 0.95) {
      // A conditional golden-set write on the revision this process sees; a racing writer makes it CONFLICT.
      // The golden query expects the seed document, which every generation keeps, so gated promotions pass.
      const uri = `rag-studio://knowledge-bases/${kb}/golden-queries`;
      const { revision } = await readJson(client, uri, goldenSetSchema);
      const text = `mixed golden ${this.goldenAttempts++}`;
      const result = await callTool(client, 'set_golden_queries', {
        kb,
        queries: [{ query: text, expected_document_ids: ['doc-seed'] }],
        if_revision: revision,
      });
      if (!result.isError) {
        const stored = goldenSetSchema.parse(result.structuredContent);
        if (this.goldenAcks.has(stored.revision))
          violations.push(`two golden writes were both acknowledged as revision ${stored.revision}`);
        this.goldenAcks.set(stored.revision, text);
      } else if (!EXPECTED_REFUSALS.test(textOf(result))) violations.push(`golden: ${textOf(result)}`);
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
      // Answered from one live generation, with no chunk that no call ever wrote (ids are never reused).
      const out = result.structuredContent as { generation: number; results: Array<{ chunk_id: string }> };
      if (out.generation < 1) violations.push(`a search answered from generation ${out.generation}`);
      const unknown = out.results.filter(
        (r) => r.chunk_id !== 'seed' && Number(r.chunk_id.slice(1)) >= this.next,
      );
      if (unknown.length)
        violations.push(
          `a search returned chunks never written: ${unknown.map((r) => r.chunk_id).join(', ')}`,
        );
    }
  }

  /** The final checks, through `clients` (all alive). */
  async verify(clients: Client[]): Promise<string[]> {
    const { kb } = this;
    const problems = [...this.violations];
    // Let every process's view pass the staleness bound before checking what it sees.
    await new Promise((resolve) => setTimeout(resolve, 1200));
    const rows = await generations(clients[0]!, kb);
    problems.push(...catalogViolations(rows));
    const shape = (list: typeof rows) => JSON.stringify(list.map((r) => [r.generation, r.status]));
    for (const client of clients.slice(1)) {
      const theirs = await generations(client, kb);
      if (shape(theirs) !== shape(rows))
        problems.push(`processes disagree on the catalog: ${shape(rows)} vs ${shape(theirs)}`);
    }
    // Golden sets: every process reads the same newest revision, no older than any acknowledged write, and
    // holding that write's queries when it was acknowledged.
    const uri = `rag-studio://knowledge-bases/${kb}/golden-queries`;
    const golden = await Promise.all(clients.map((client) => readJson(client, uri, goldenSetSchema)));
    const newestAck = Math.max(0, ...this.goldenAcks.keys());
    for (const [i, set] of golden.entries()) {
      if (set.revision !== golden[0]!.revision)
        problems.push(`process ${i} reads golden revision ${set.revision}, process 0 ${golden[0]!.revision}`);
      if (set.revision < newestAck)
        problems.push(`golden revision ${set.revision} < acknowledged ${newestAck}`);
      if (set.revision > this.goldenAttempts)
        problems.push(`golden revision ${set.revision} was never written`);
      const acked = this.goldenAcks.get(set.revision);
      if (acked !== undefined && set.queries[0]?.query !== acked)
        problems.push(`golden revision ${set.revision} holds "${set.queries[0]?.query}", not "${acked}"`);
    }
    const live = new Set(rows.map((r) => r.generation));
    const byGeneration = new Map<number, string[]>();
    for (const [id, gen] of this.acks) {
      if (this.deleted.has(id) || !live.has(gen)) continue;
      byGeneration.set(gen, [...(byGeneration.get(gen) ?? []), id]);
    }
    for (const [gen, ids] of byGeneration) {
      const found = new Set((await searchIds(clients[0]!, kb, 'mixed', gen)).ids);
      const lost = ids.filter((id) => !found.has(id));
      if (lost.length)
        problems.push(`acknowledged writes missing from generation ${gen}: ${lost.join(', ')}`);
    }
    return problems;
  }
}

/** Each round, every client runs one random operation at once; then the checks of MixedOps.verify. */
export async function runMixedOps(
  clients: Client[],
  options: { rounds: number; kb?: string },
): Promise<MixedReport> {
  const ops = new MixedOps(options.kb);
  await ops.seedKb(clients[0]!);
  for (let round = 0; round < options.rounds; round++) {
    await Promise.all(clients.map((client) => ops.run(client)));
  }
  return { acknowledged: ops.acks.size, violations: await ops.verify(clients) };
}
