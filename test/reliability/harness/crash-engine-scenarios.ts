// Crash scenarios driven by the engine child: create_generation (copy_from_active), promotion and GC.
import { join } from 'node:path';
import type { ChunkInput, KnowledgeBaseEngine } from '../../../src/engine/index.js';
import {
  openVerifier,
  scanGeneration,
  verifyAfterCrash,
  type StoredRow,
  type Violations,
} from './crash-checks.js';
import { copyTemplate, killDelay, runEngineChild, type ChildLog, type CrashScenario } from './crash-trial.js';

/** Same rows as generationChunk() in test/fixtures/crash-engine-child.mjs: each generation's rows carry its number. */
export function generationChunk(generation: number, i: number): ChunkInput {
  return {
    chunkId: `g${generation}-c${i}`,
    documentId: `g${generation}-d${i % 5}`,
    content: `alpha generation ${generation} chunk ${i} ${'lorem ipsum '.repeat(i % 7)}`.trim(),
    metadata: { gen: generation, i },
  };
}

export function generationChunks(generation: number, count: number): ChunkInput[] {
  return Array.from({ length: count }, (_, i) => generationChunk(generation, i));
}

/** Violations when `rows` are not exactly `count` rows of generationChunk(source, ·). */
function expectGenerationRows(
  v: Violations,
  label: string,
  rows: Map<string, StoredRow>,
  source: number,
  count: number,
): void {
  if (rows.size !== count) v.add(`${label}: ${rows.size} rows, expected ${count}`);
  for (let i = 0; i < count; i++) {
    const want = generationChunk(source, i);
    const got = rows.get(want.chunkId);
    if (!got) {
      if (rows.size === count) v.add(`${label}: ${want.chunkId} is missing`);
    } else if (got.content !== want.content || got.metadata.gen !== source)
      v.add(`${label}: ${want.chunkId} has other content`);
  }
}

function childDied(v: Violations, log: ChildLog): void {
  if (log.unexpectedExit) v.add(log.unexpectedExit);
}

async function buildTemplate(
  dir: string,
  build: (engine: KnowledgeBaseEngine) => Promise<void>,
): Promise<void> {
  const engine = await openVerifier(dir);
  try {
    await build(engine);
  } finally {
    await engine.close();
  }
}

const COPY_ROWS = 300;

export const createGenerationScenario: CrashScenario = {
  name: 'create_generation (copy_from_active)',
  prepare: (root) =>
    buildTemplate(join(root, 'data'), async (engine) => {
      await engine.upsertChunks('kb', generationChunks(1, COPY_ROWS));
      await engine.upsertChunks('other', generationChunks(1, 20));
    }),
  async trial(root, workDir, random) {
    await copyTemplate(join(root, 'data'), workDir);
    const log = await runEngineChild('create-generation', workDir, killDelay(random, 1500));
    const violations = await verifyAfterCrash(workDir, { tagged: true }, async (engine, actives, v) => {
      childDied(v, log);
      const active = actives.get('kb');
      if (active?.generation !== 1)
        v.add(`kb: active is g${active?.generation}, expected g1 (creating never promotes)`);
      else expectGenerationRows(v, 'kb g1', active.rows, 1, COPY_ROWS);
      const generations = await engine.listGenerations('kb');
      const acked = new Set(log.acks.map((a) => Number(a.generation)));
      for (const ack of log.acks) {
        if (ack.copied !== COPY_ROWS)
          v.add(`create of g${String(ack.generation)} acknowledged ${String(ack.copied)} copied rows`);
      }
      for (const g of generations.filter((x) => x.generation !== 1)) {
        if (g.status !== 'building')
          v.add(`kb g${g.generation} is ${g.status}; only building copies were made`);
        // The catalog record is committed after the copy: a generation that exists holds every row.
        const rows = await scanGeneration(workDir, 'kb', g.generation);
        if (!acked.has(g.generation) && log.inFlight === undefined)
          v.add(`kb g${g.generation} exists but no create was acknowledged or in flight for it`);
        expectGenerationRows(v, `copy g${g.generation}`, rows, 1, COPY_ROWS);
      }
      for (const generation of acked) {
        if (!generations.some((g) => g.generation === generation))
          v.add(`acknowledged generation g${generation} is gone`);
      }
    });
    return { violations, acked: log.acks.length, killedDuring: String(log.inFlight?.op ?? 'idle') };
  },
};

const PROMOTE_ROWS = 100;

export const promoteScenario: CrashScenario = {
  name: 'promote_generation',
  prepare: (root) =>
    buildTemplate(join(root, 'data'), async (engine) => {
      await engine.upsertChunks('kb', generationChunks(1, PROMOTE_ROWS));
      for (const generation of [2, 3]) {
        await engine.createGeneration('kb');
        await engine.upsertChunks('kb', generationChunks(generation, PROMOTE_ROWS), { generation });
      }
      await engine.sealGeneration('kb', 2);
      await engine.upsertChunks('other', generationChunks(1, 20));
    }),
  async trial(root, workDir, random) {
    await copyTemplate(join(root, 'data'), workDir);
    const log = await runEngineChild('promote', workDir, killDelay(random, 1200));
    const violations = await verifyAfterCrash(workDir, { tagged: true }, async (engine, actives, v) => {
      childDied(v, log);
      const last = log.acks.at(-1);
      const lastGeneration = last ? Number(last.generation) : 1;
      const lastEpoch = last ? Number(last.epoch) : 0;
      const inFlight = log.inFlight ? Number(log.inFlight.generation) : undefined;
      const active = actives.get('kb')?.generation;
      const detail = await engine.describeKnowledgeBase('kb');
      const landed = active === inFlight && inFlight !== lastGeneration;
      if (active !== lastGeneration && !landed) {
        v.add(
          `active is g${active}; last acknowledged promotion was g${lastGeneration}, in flight g${inFlight}`,
        );
      }
      if (detail.epoch !== lastEpoch + (landed ? 1 : 0))
        v.add(`epoch ${detail.epoch} after acknowledged epoch ${lastEpoch} (landed: ${landed})`);
      const records = detail.generationList;
      if (records.length !== 3) v.add(`kb has ${records.length} generations, expected 3`);
      for (const g of records) {
        expectGenerationRows(
          v,
          `kb g${g.generation}`,
          await scanGeneration(workDir, 'kb', g.generation),
          g.generation,
          PROMOTE_ROWS,
        );
        if (g.status === 'active' && g.promotedEpoch !== detail.epoch)
          v.add(`active g${g.generation} has promotedEpoch ${g.promotedEpoch}, KB epoch ${detail.epoch}`);
      }
      if (
        detail.epoch > 0 &&
        !records.some((g) => g.status === 'archived' && g.archivedEpoch === detail.epoch)
      ) {
        v.add(`no generation was archived by the promotion that made epoch ${detail.epoch}`);
      }
    });
    return { violations, acked: log.acks.length, killedDuring: String(log.inFlight?.op ?? 'idle') };
  },
};

const GC_ROWS = 40;
const GC_START_GENERATIONS = 6;

export const gcScenario: CrashScenario = {
  name: 'run_gc',
  prepare: (root) =>
    buildTemplate(join(root, 'data'), async (engine) => {
      await engine.upsertChunks('kb', generationChunks(1, GC_ROWS));
      for (let generation = 2; generation <= GC_START_GENERATIONS; generation++) {
        await engine.createGeneration('kb');
        await engine.upsertChunks('kb', generationChunks(generation, GC_ROWS), { generation });
        await engine.promoteGeneration('kb', generation);
      }
      // Old versions of the active table give compaction work to do.
      for (let k = 0; k < 3; k++)
        await engine.upsertChunks('kb', generationChunks(GC_START_GENERATIONS, GC_ROWS));
      await engine.upsertChunks('other', generationChunks(1, 20));
    }),
  async trial(root, workDir, random) {
    await copyTemplate(join(root, 'data'), workDir);
    const log = await runEngineChild('gc', workDir, killDelay(random, 2500));
    const violations = await verifyAfterCrash(workDir, { tagged: true }, async (engine, actives, v) => {
      childDied(v, log);
      const promotions = log.acks.filter((a) => a.op === 'promote').map((a) => Number(a.generation));
      const lastPromoted = promotions.at(-1) ?? GC_START_GENERATIONS;
      const inFlight = log.inFlight?.op === 'promote' ? Number(log.inFlight.generation) : undefined;
      const active = actives.get('kb')?.generation;
      if (active !== lastPromoted && active !== inFlight)
        v.add(`active is g${active}; last acknowledged promotion g${lastPromoted}`);
      const upserted = new Set(log.acks.filter((a) => a.op === 'upsert').map((a) => Number(a.generation)));
      const detail = await engine.describeKnowledgeBase('kb');
      for (const g of detail.generationList) {
        if (g.status === 'marked_for_deletion') continue;
        const rows = await scanGeneration(workDir, 'kb', g.generation, {
          allowIncomplete: g.status === 'building' && !upserted.has(g.generation),
        });
        const complete = g.status !== 'building' || upserted.has(g.generation) || rows.size > 0;
        if (complete) expectGenerationRows(v, `kb ${g.status} g${g.generation}`, rows, g.generation, GC_ROWS);
      }
      for (const ack of log.acks.filter((a) => a.op === 'gc')) {
        for (const generation of ack.deleted as number[]) {
          if (
            detail.generationList.some(
              (g) => g.generation === generation && g.status !== 'marked_for_deletion',
            )
          ) {
            v.add(
              `g${generation} was reported deleted by an acknowledged gc but is still ${detail.generationList.find((g) => g.generation === generation)!.status}`,
            );
          }
        }
      }
      // retention_epochs 1 keeps the generation archived by the latest promotion.
      if (!detail.generationList.some((g) => g.status === 'archived' && g.archivedEpoch === detail.epoch)) {
        v.add(`the generation archived at epoch ${detail.epoch} is gone although retention keeps it`);
      }
    });
    return { violations, acked: log.acks.length, killedDuring: String(log.inFlight?.op ?? 'idle') };
  },
};

export const newKnowledgeBaseScenario: CrashScenario = {
  name: 'upsert_chunks creating a KB (engine)',
  prepare: async () => undefined,
  async trial(_root, workDir, random) {
    const log = await runEngineChild('new-kbs', workDir, killDelay(random, 1000));
    const violations = await verifyAfterCrash(workDir, { tagged: true }, async (_engine, actives, v) => {
      childDied(v, log);
      const acked = log.acks.map((a) => String(a.kb));
      const inFlight = log.inFlight ? String(log.inFlight.kb) : undefined;
      for (const [i, kb] of acked.entries()) {
        const rows = actives.get(kb)?.rows;
        const want = generationChunk(1, i);
        if (!rows) v.add(`acknowledged ${kb} has no readable active generation`);
        else if (rows.size !== 1 || rows.get(want.chunkId)?.content !== want.content)
          v.add(`acknowledged ${kb} does not hold exactly its chunk`);
      }
      for (const kb of actives.keys()) {
        if (!acked.includes(kb) && kb !== inFlight)
          v.add(`${kb} exists but was neither acknowledged nor in flight`);
      }
    });
    return { violations, acked: log.acks.length, killedDuring: String(log.inFlight?.op ?? 'idle') };
  },
};
