// Mixed concurrent operations (upsert, document replace, delete, KB delete, create, promote, GC, search) from several clients, then invariant checks.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { goldenSetSchema } from '../../../src/tools/eval-query-schema.js';
import { callTool, readJson, textOf } from '../../helpers/mcp-client.js';
import { catalogViolations, chunk, generations, searchIds, upsert } from './multiprocess.js';

export interface MixedReport {
  acknowledged: number;
  violations: string[];
  /** How many calls of each kind were made, so a test can check every kind ran. */
  calls: Record<string, number>;
}

/** Errors a racing operation may legitimately get (and then did nothing). */
const EXPECTED_REFUSALS = /INVALID_STATE|GENERATION_NOT_FOUND|CONFLICT/;
/** On the scratch KB that other calls delete and re-create, a call may also find it gone. */
const SCRATCH_REFUSALS = /INVALID_STATE|GENERATION_NOT_FOUND|CONFLICT|KB_NOT_FOUND/;
/** Documents that whole-document replaces (upsert_chunks with replace_documents) rewrite again and again. */
const REPLACED_DOCS = 3;
/** A roll that picks each operation kind (see MixedOps.operation). */
const ROLL = { replace: 0.43, scratch: 0.8 };

/**
 * Random operations on KB `kb` from any client, recording what was acknowledged, and the final checks: the
 * catalog has one row per generation and one active; every process sees the same catalog; every acknowledged,
 * never-deleted write is present in the generation it named unless GC removed that generation.
 */
export class MixedOps {
  readonly violations: string[] = [];
  readonly acks = new Map<string, number>();
  readonly calls: Record<string, number> = {};
  private readonly deleted = new Set<string>();
  /** Golden-set writes: attempted, and the revisions acknowledged (each tagged by its query text). */
  private goldenAttempts = 0;
  private readonly goldenAcks = new Map<number, string>();
  private next = 0;
  private replaces = 0;
  private scratchCalls = 0;
  private seed: number;

  constructor(
    readonly kb = 'mixed',
    seed = 42,
  ) {
    this.seed = seed;
  }

  /** The KB that delete_knowledge_base removes while upserts re-create it. */
  get scratchKb(): string {
    return `${this.kb}-scratch`;
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
  async run(client: Client, roll: number = this.random()): Promise<boolean> {
    try {
      await this.operation(client, roll);
      return true;
    } catch {
      return false;
    }
  }

  private async operation(client: Client, roll: number): Promise<void> {
    const { kb, violations } = this;
    if (roll < 0.4) {
      const ids = [this.next++, this.next++].map((n) => `m${n}`);
      const result = await upsert(
        client,
        kb,
        ids.map((id) => chunk(id, 'mixed')),
      );
      if (result.ok) for (const id of ids) this.acks.set(id, result.ok.generation);
      else if (!EXPECTED_REFUSALS.test(result.error)) violations.push(`upsert refused: ${result.error}`);
    } else if (roll < 0.47) {
      // A whole-document replace: two chunks tagged with this call, replacing whatever version was there.
      const call = this.replaces++;
      const doc = `rdoc${Math.floor(this.random() * REPLACED_DOCS)}`;
      const chunks = ['a', 'b'].map((part) => ({
        chunk_id: `r${call}${part}`,
        document_id: doc,
        content: `replaced marker call${call} ${doc} part ${part}`, // distinct: duplicates fold in search
      }));
      this.count('replace');
      const result = await callTool(client, 'upsert_chunks', { kb, chunks, replace_documents: true });
      if (result.isError && !EXPECTED_REFUSALS.test(textOf(result)))
        violations.push(`replace: ${textOf(result)}`);
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
    } else if (roll < 0.78) {
      const result = await callTool(client, 'run_gc', { kb, retention_epochs: 1, min_age_seconds: 0 });
      if (result.isError && !EXPECTED_REFUSALS.test(textOf(result))) violations.push(`gc: ${textOf(result)}`);
    } else if (roll < 0.84) {
      // The scratch KB: deleted whole by one process while another may be writing to it.
      const scratch = this.scratchKb;
      const deleting = this.scratchCalls++ % 2 === 1; // create, delete, create, ...
      this.count(deleting ? 'delete_knowledge_base' : 'scratch_upsert');
      const result = !deleting
        ? await callTool(client, 'upsert_chunks', {
            kb: scratch,
            chunks: [chunk(`s${this.next++}`, 'scratch')],
          })
        : await callTool(client, 'delete_knowledge_base', { kb: scratch, confirm: scratch });
      if (result.isError && !SCRATCH_REFUSALS.test(textOf(result)))
        violations.push(`scratch KB: ${textOf(result)}`);
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

  private count(kind: string): void {
    this.calls[kind] = (this.calls[kind] ?? 0) + 1;
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
    for (const gen of live) problems.push(...(await this.replacedDocViolations(clients[0]!, gen)));
    problems.push(...(await this.scratchViolations(clients)));
    return problems;
  }

  /** Each replaced document is, in every generation, wholly one call's version: both its chunks, no others. */
  private async replacedDocViolations(client: Client, gen: number): Promise<string[]> {
    const result = await callTool(client, 'hybrid_search', {
      kb: this.kb,
      query: 'replaced',
      mode: 'lexical',
      limit: 100,
      generation: gen,
    });
    if (result.isError) return [`search of replaced documents in generation ${gen}: ${textOf(result)}`];
    const out = result.structuredContent as { results: Array<{ chunk_id: string; document_id: string }> };
    const byDoc = new Map<string, string[]>();
    for (const r of out.results) byDoc.set(r.document_id, [...(byDoc.get(r.document_id) ?? []), r.chunk_id]);
    const problems: string[] = [];
    for (const [doc, ids] of byDoc) {
      const calls = new Set(ids.map((id) => id.slice(0, -1)));
      if (calls.size !== 1 || ids.length !== 2)
        problems.push(`document ${doc} in generation ${gen} mixes versions: ${ids.sort().join(', ')}`);
    }
    return problems;
  }

  /** Every process agrees whether the scratch KB exists, and if it does (and is not being deleted) its catalog holds. */
  private async scratchViolations(clients: Client[]): Promise<string[]> {
    const exists = await Promise.all(
      clients.map(async (client) => {
        const result = await client.readResource({ uri: 'rag-studio://knowledge-bases' });
        const text = (result.contents[0] as { text: string }).text;
        const list = JSON.parse(text) as { knowledge_bases: Array<{ name: string }> };
        return list.knowledge_bases.some((k) => k.name === this.scratchKb);
      }),
    );
    if (new Set(exists).size > 1) return [`processes disagree whether ${this.scratchKb} exists: ${exists}`];
    if (!exists[0]) return [];
    const rows = await generations(clients[0]!, this.scratchKb);
    // A delete_knowledge_base that a SIGKILL cut short leaves every generation marked: the KB stays listed
    // until GC finishes the deletion (as crash-gc tests), with no active generation meanwhile.
    if (rows.length > 0 && rows.every((r) => r.status === 'marked_for_deletion')) return [];
    return catalogViolations(rows);
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
    // Most calls are random; some turns are set, so every run has replaces and KB deletes racing the rest.
    const set = (i: number) =>
      i === 0 && round % 3 === 1 ? ROLL.replace : i === 1 && round % 3 === 2 ? ROLL.scratch : undefined;
    await Promise.all(clients.map((client, i) => ops.run(client, set(i))));
  }
  return { acknowledged: ops.acks.size, violations: await ops.verify(clients), calls: ops.calls };
}
