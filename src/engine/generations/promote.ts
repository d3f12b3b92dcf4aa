// sealGeneration and promoteGeneration: index a generation, then switch the KB to it in one catalog commit.
import { underKbLock } from '../concurrency.js';
import { requireGeneration, requireWritable, type EngineContext } from '../context.js';
import { EngineError, storageError } from '../errors.js';
import type { GenerationRecord } from '../storage/catalog.js';
import { measureFusion } from '../search/auto-calibration.js';
import { promote, seal } from './lifecycle.js';
import { refreshIndexes } from '../storage/generation-tables.js';
import type { PromoteResult } from '../types.js';
import { validateKbName } from '../validation.js';

function checkGenerationNumber(generation: unknown): number {
  if (typeof generation !== 'number' || !Number.isInteger(generation) || generation < 1) {
    throw new EngineError(
      'INVALID_INPUT',
      `generation must be a positive integer; got ${String(generation)}`,
    );
  }
  return generation;
}

/**
 * building → ready: builds or refreshes the generation's indexes (BM25, ids, and the ANN index above the
 * brute-force threshold). Slow at scale, which is why it runs before, not inside, the atomic switch.
 */
export async function sealGeneration(
  ctx: EngineContext,
  kbInput: string,
  generationInput: number,
): Promise<GenerationRecord> {
  requireWritable(ctx);
  const kb = validateKbName(kbInput);
  const generation = checkGenerationNumber(generationInput);
  const record = requireGeneration(ctx, kb, generation);
  if (record.status === 'marked_for_deletion') {
    throw new EngineError('INVALID_STATE', `generation ${generation} of "${kb}" is being garbage-collected`);
  }
  const table = await ctx.tables.open(record.tableName);
  if (table) {
    try {
      await underKbLock(ctx, kb, true, () => refreshIndexes(table, record.metric, record.indexConfig));
    } catch (error) {
      throw storageError(`building the indexes of generation ${generation} of "${kb}"`, error);
    }
  }
  // Calibrated here, outside the lock (it only reads), and stored by the same commit that seals: a crash
  // leaves a building generation or a ready, calibrated one, never a half state, and writes stay fast.
  // Golden queries of the KB, when it has enough, override the probes (auto-calibration.ts).
  const fusionCalibration = record.status === 'building' ? await measureFusion(ctx, record, 'seal') : null;
  return ctx.kbLocks.run(kb, async () => {
    const current = requireGeneration(ctx, kb, generation);
    if (current.status !== 'building') return current;
    const sealed = seal(current, fusionCalibration, Date.now());
    await ctx.catalog.commit([sealed]);
    ctx.emit({ type: 'generation_changed', kb, generation, status: 'ready' });
    return sealed;
  });
}

/**
 * Makes `generation` the active one. The switch is one catalog commit (new active + old archived, epoch+1):
 * O(1) whatever the size, and a crash leaves either the old or the new state. Searches resolve the active
 * generation from the in-memory catalog snapshot, which is replaced in one assignment after the commit.
 */
export async function promoteGeneration(
  ctx: EngineContext,
  kbInput: string,
  generationInput: number,
  /** The active generation a promotion gate compared against (null: none); CONFLICT if it is no longer so. */
  expectedActive?: number | null,
): Promise<PromoteResult> {
  const started = performance.now();
  requireWritable(ctx);
  const kb = validateKbName(kbInput);
  const generation = checkGenerationNumber(generationInput);
  const before = requireGeneration(ctx, kb, generation);
  if (before.status === 'building' && !(before.embedding && (await ctx.tables.open(before.tableName)))) {
    throw new EngineError(
      'INVALID_STATE',
      `generation ${generation} of "${kb}" is empty; upsert chunks into it (generation: ${generation}) before promoting`,
    );
  }
  let sealed = false;
  if (before.status === 'building') {
    await sealGeneration(ctx, kb, generation);
    sealed = true;
  }
  return ctx.kbLocks.run(kb, async () => {
    const target = requireGeneration(ctx, kb, generation);
    const previous = ctx.catalog.active(kb);
    const epoch = ctx.catalog.epoch(kb);
    if (
      expectedActive !== undefined &&
      target.status !== 'active' &&
      (previous?.generation ?? null) !== expectedActive
    ) {
      throw new EngineError(
        'CONFLICT',
        `the active generation of "${kb}" changed to ${previous?.generation ?? 'none'} while the promotion gate compared against ${expectedActive ?? 'none'}; nothing changed, promote again`,
      );
    }
    const tookMs = () => Math.round((performance.now() - started) * 100) / 100;
    if (target.status === 'active') {
      return {
        kb,
        activeGeneration: generation,
        previousGeneration: previous?.generation ?? null,
        epoch,
        sealed,
        unchanged: true,
        tookMs: tookMs(),
      };
    }
    if (target.status !== 'ready' && target.status !== 'archived') {
      throw new EngineError(
        'INVALID_STATE',
        `generation ${generation} of "${kb}" is ${target.status}; only ready, building or archived generations can be promoted`,
      );
    }
    if (!target.embedding || !(await ctx.tables.open(target.tableName))) {
      throw new EngineError(
        'INVALID_STATE',
        `generation ${generation} of "${kb}" is empty; upsert chunks into it (generation: ${generation}) before promoting`,
      );
    }
    const changes = promote(target, previous, epoch, Date.now());
    const nextEpoch = changes[0]!.promotedEpoch!;
    // Catalog.commit fails only with STORAGE or CONFLICT (nothing changed; retry), and both say so themselves.
    await ctx.catalog.commit(changes);
    ctx.emit({ type: 'generation_changed', kb, generation, status: 'active' });
    if (previous)
      ctx.emit({ type: 'generation_changed', kb, generation: previous.generation, status: 'archived' });
    return {
      kb,
      activeGeneration: generation,
      previousGeneration: previous?.generation ?? null,
      epoch: nextEpoch,
      sealed,
      unchanged: false,
      tookMs: tookMs(),
    };
  });
}
