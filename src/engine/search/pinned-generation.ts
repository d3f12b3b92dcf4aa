// Which generation a read uses: the active one or an explicit one, pinned so GC keeps it while it is read.
import type { EngineContext } from '../context.js';
import { resolveGeneration } from '../generations/resolve-generation.js';
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
    const record = resolveGeneration(ctx, kb, generation, 'read');
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
