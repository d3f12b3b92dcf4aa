// Which generation a call uses: the one it named, or the KB's active one. One resolver for reads and writes.
import { kbNotFound, requireGeneration, type EngineContext } from '../context.js';
import { EngineError } from '../errors.js';
import type { GenerationRecord } from '../storage/catalog.js';

/** Statuses a write may target: archived and marked generations are read-only history. */
const WRITABLE = new Set(['building', 'ready', 'active']);

/**
 * Reads may use any live generation except one being garbage-collected, and need the KB to exist. Writes may
 * use building, ready or active ones, and resolve to undefined for a KB that does not exist yet (the write
 * creates its first generation). Without `generation`, both use the active one.
 */
export function resolveGeneration(
  ctx: EngineContext,
  kb: string,
  generation: number | undefined,
  use: 'read',
): GenerationRecord;
export function resolveGeneration(
  ctx: EngineContext,
  kb: string,
  generation: number | undefined,
  use: 'write',
): GenerationRecord | undefined;
export function resolveGeneration(
  ctx: EngineContext,
  kb: string,
  generation: number | undefined,
  use: 'read' | 'write',
): GenerationRecord | undefined {
  if (generation !== undefined) return explicitGeneration(ctx, kb, generation, use);
  const active = ctx.catalog.active(kb);
  if (active) return active;
  const live = ctx.catalog.generations(kb);
  if (live.length === 0) {
    if (use === 'write') return undefined;
    throw kbNotFound(ctx, kb);
  }
  throw new EngineError(
    'INVALID_STATE',
    use === 'read'
      ? `knowledge base "${kb}" has no active generation yet; pass generation to search a building one, or promote it`
      : `knowledge base "${kb}" has no active generation yet; write into generation ` +
          `${live[live.length - 1]!.generation} explicitly and promote it`,
  );
}

function explicitGeneration(
  ctx: EngineContext,
  kb: string,
  generation: number,
  use: 'read' | 'write',
): GenerationRecord {
  if (use === 'read' && (!Number.isInteger(generation) || generation < 1)) {
    throw new EngineError(
      'INVALID_INPUT',
      `generation must be a positive integer; got ${String(generation)}`,
    );
  }
  const record = requireGeneration(ctx, kb, generation);
  if (use === 'read' && record.status === 'marked_for_deletion') {
    throw new EngineError(
      'GENERATION_NOT_FOUND',
      `generation ${generation} of "${kb}" is being garbage-collected`,
    );
  }
  if (use === 'write' && !WRITABLE.has(record.status)) {
    throw new EngineError(
      'INVALID_STATE',
      `generation ${generation} of "${kb}" is ${record.status} and cannot be written; write to the active ` +
        'generation, or promote this one first (a rollback) and then write',
    );
  }
  return record;
}
