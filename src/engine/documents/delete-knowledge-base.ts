// deleteKnowledgeBase: mark every generation of a KB for deletion in one commit, then drop their tables.
import { underKbLock } from '../concurrency.js';
import { waitForUnpinned } from '../gc/collect-garbage.js';
import { kbNotFound, requireWritable, type EngineContext } from '../context.js';
import { tableStats } from '../storage/generation-tables.js';
import type { DeleteKnowledgeBaseResult } from '../types.js';
import { validateKbName } from '../validation.js';
import { markForDeletion, tombstone } from '../generations/lifecycle.js';

/**
 * The marking commit is the point of no return: searches stop resolving the KB at once, and a crash after it
 * leaves `marked_for_deletion` generations that the next GC run drops (as for any GC victim). Tables are then
 * dropped and tombstoned one by one, so generation numbers are never reused.
 */
export async function deleteKnowledgeBase(
  ctx: EngineContext,
  kbInput: string,
): Promise<DeleteKnowledgeBaseResult> {
  requireWritable(ctx);
  const kb = validateKbName(kbInput);
  return underKbLock(ctx, kb, true, async () => {
    const live = ctx.catalog.generations(kb);
    if (live.length === 0) throw kbNotFound(ctx, kb);
    let chunks = 0;
    const active = ctx.catalog.active(kb);
    if (active)
      chunks = (await tableStats(await ctx.tables.open(active.tableName).catch(() => undefined))).chunkCount;
    const now = Date.now();
    const marked = live.map((g) => markForDeletion(g, now, true));
    await ctx.catalog.commit(marked);
    // A KB created later under the same name starts without the old one's promotion gate.
    await ctx.goldenQueries.remove(kb);
    for (const g of marked) {
      // A search (here or in another process) that resolved this generation a moment ago may still read it:
      // give it the same grace GC gives, then drop regardless (the KB is gone for every new search already).
      await waitForUnpinned(ctx, kb, g.generation);
      await ctx.tables.drop(g.tableName);
      await ctx.catalog.commit([tombstone(g, Date.now())]);
      ctx.emit({ type: 'generation_changed', kb, generation: g.generation, status: 'deleted' });
    }
    return { kb, generations: live.map((g) => g.generation), chunks };
  });
}
