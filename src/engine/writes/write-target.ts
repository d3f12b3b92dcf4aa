// Which generation a write goes to, and the catalog record of a KB's first generation.
import type { EngineContext } from '../context.js';
import type { GenerationRecord } from '../storage/catalog.js';
import { createFirstActive } from '../generations/lifecycle.js';
import { resolveGeneration } from '../generations/resolve-generation.js';
import type { EmbeddingSpace } from '../types.js';

export interface WriteTarget {
  /** Undefined when the KB does not exist yet: the write creates generation 1, active. */
  record: GenerationRecord | undefined;
  /** How messages name the target, e.g. `generation 3 of "docs"`. */
  label: string;
}

export function resolveWriteTarget(
  ctx: EngineContext,
  kb: string,
  generation: number | undefined,
): WriteTarget {
  const record = resolveGeneration(ctx, kb, generation, 'write');
  return {
    record,
    label: record ? `generation ${record.generation} of "${kb}"` : `new knowledge base "${kb}"`,
  };
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
