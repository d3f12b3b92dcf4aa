// Which generation a write goes to, and the catalog record of a KB's first generation.
import { requireGeneration, type EngineContext } from '../context.js';
import { EngineError } from '../errors.js';
import type { GenerationRecord } from '../storage/catalog.js';
import { createFirstActive } from '../generations/lifecycle.js';
import type { EmbeddingSpace } from '../types.js';

export interface WriteTarget {
  /** Undefined when the KB does not exist yet: the write creates generation 1, active. */
  record: GenerationRecord | undefined;
  /** How messages name the target, e.g. `generation 3 of "docs"`. */
  label: string;
}

const WRITABLE = new Set(['building', 'ready', 'active']);

export function resolveWriteTarget(
  ctx: EngineContext,
  kb: string,
  generation: number | undefined,
): WriteTarget {
  if (generation !== undefined) {
    const record = requireGeneration(ctx, kb, generation);
    if (!WRITABLE.has(record.status)) {
      throw new EngineError(
        'INVALID_STATE',
        `generation ${generation} of "${kb}" is ${record.status} and cannot be written; write to the active ` +
          'generation, or promote this one first (a rollback) and then write',
      );
    }
    return { record, label: `generation ${generation} of "${kb}"` };
  }
  const active = ctx.catalog.active(kb);
  if (active) return { record: active, label: `generation ${active.generation} of "${kb}"` };
  const live = ctx.catalog.generations(kb);
  if (live.length === 0) return { record: undefined, label: `new knowledge base "${kb}"` };
  throw new EngineError(
    'INVALID_STATE',
    `knowledge base "${kb}" has no active generation yet; write into generation ` +
      `${live[live.length - 1]!.generation} explicitly and promote it`,
  );
}

export function firstGenerationRecord(
  ctx: EngineContext,
  kb: string,
  space: EmbeddingSpace,
): GenerationRecord {
  return createFirstActive({
    kb,
    generation: ctx.catalog.nextGenerationNumber(kb),
    now: Date.now(),
    embedding: space,
    metric: ctx.settings.defaultMetric,
    indexConfig: ctx.settings.defaultIndexConfig,
  });
}
