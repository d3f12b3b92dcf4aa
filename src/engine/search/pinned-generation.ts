// Which generation a read uses: the active one or an explicit one, pinned so GC keeps it while it is read.
import { kbNotFound, requireGeneration, type EngineContext } from '../context.js';
import { EngineError } from '../errors.js';
import type { GenerationRecord } from '../storage/catalog.js';

/**
 * Resolves the generation and pins it. The local pin is counted in the same tick as the resolution, so GC in
 * this process never drops it between the two. When the pin had to be published for other processes, their GC
 * may have marked the generation before it could see the pin: re-read the newest catalog, and if the generation
 * is going away, resolve again (GC marks before it looks at pins, so one of the two always sees the other).
 */
export async function resolveAndPin(
  ctx: EngineContext,
  kb: string,
  generation: number | undefined,
): Promise<{ record: GenerationRecord; unpin: () => void }> {
  for (;;) {
    const record = resolveGeneration(ctx, kb, generation);
    const pin = await ctx.coordination.pin(kb, record.generation);
    if (!pin.published) return { record, unpin: pin.release };
    try {
      await ctx.catalog.follow(0);
    } catch (error) {
      pin.release();
      throw error;
    }
    const now = ctx.catalog.get(kb, record.generation);
    if (now && now.status !== 'marked_for_deletion') return { record: now, unpin: pin.release };
    pin.release(); // the refreshed snapshot resolves anew (or throws for an explicit generation now gone)
  }
}

function resolveGeneration(ctx: EngineContext, kb: string, generation: number | undefined): GenerationRecord {
  if (generation !== undefined) {
    if (!Number.isInteger(generation) || generation < 1) {
      throw new EngineError(
        'INVALID_INPUT',
        `generation must be a positive integer; got ${String(generation)}`,
      );
    }
    const record = requireGeneration(ctx, kb, generation);
    if (record.status === 'marked_for_deletion') {
      throw new EngineError(
        'GENERATION_NOT_FOUND',
        `generation ${generation} of "${kb}" is being garbage-collected`,
      );
    }
    return record;
  }
  const active = ctx.catalog.active(kb);
  if (active) return active;
  if (ctx.catalog.generations(kb).length === 0) throw kbNotFound(ctx, kb);
  throw new EngineError(
    'INVALID_STATE',
    `knowledge base "${kb}" has no active generation yet; pass generation to search a building one, or promote it`,
  );
}
