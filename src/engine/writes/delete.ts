// deleteChunks: remove chunks by id and/or document id from one generation; returns how many went.
import { kbNotFound, requireWritable, type EngineContext } from '../context.js';
import { EngineError, storageError } from '../errors.js';
import { sqlList } from '../storage/sql.js';
import type { DeleteRequest, DeleteResult } from '../types.js';
import { validateKbName } from '../validation.js';
import { resolveWriteTarget } from './write-target.js';

export async function deleteChunks(
  ctx: EngineContext,
  kbInput: string,
  request: DeleteRequest,
): Promise<DeleteResult> {
  requireWritable(ctx);
  const kb = validateKbName(kbInput);
  const chunkIds = checkIds(request.chunkIds, 'chunk ids', ctx.limits.maxDeleteIds);
  const documentIds = checkIds(request.documentIds, 'document ids', ctx.limits.maxDeleteIds);
  if (chunkIds.length + documentIds.length > ctx.limits.maxDeleteIds) {
    throw new EngineError(
      'LIMIT_EXCEEDED',
      `chunk ids and document ids list ${chunkIds.length + documentIds.length} ids together; at most ` +
        `${ctx.limits.maxDeleteIds}{setting} per call: split the call`,
      { setting: 'maxDeleteIds' },
    );
  }
  if (chunkIds.length === 0 && documentIds.length === 0) {
    throw new EngineError(
      'INVALID_INPUT',
      'give chunk ids and/or document ids (non-empty) to say what to delete',
    );
  }
  if (ctx.catalog.generations(kb).length === 0) throw kbNotFound(ctx, kb);
  return ctx.kbLocks.run(kb, async () => {
    const target = resolveWriteTarget(ctx, kb, request.generation);
    const record = target.record!;
    const table = await ctx.tables.open(record.tableName);
    if (!table) return { kb, generation: record.generation, deleted: 0 };
    const clauses = [
      ...(chunkIds.length ? [`chunk_id IN ${sqlList(chunkIds)}`] : []),
      ...(documentIds.length ? [`document_id IN ${sqlList(documentIds)}`] : []),
    ];
    try {
      const result = await table.delete(clauses.join(' OR '));
      ctx.indexMaintenance.schedule(record, table);
      return { kb, generation: record.generation, deleted: Number(result.numDeletedRows ?? 0) };
    } catch (error) {
      throw storageError(`deleting from generation ${record.generation} of "${kb}"`, error);
    }
  });
}

function checkIds(ids: unknown, name: string, max: number): string[] {
  if (ids === undefined || ids === null) return [];
  if (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string' || id.length === 0)) {
    throw new EngineError('INVALID_INPUT', `${name} must be an array of non-empty strings`);
  }
  if (ids.length > max) {
    throw new EngineError(
      'LIMIT_EXCEEDED',
      `${name}: ${ids.length} ids; at most ${max}{setting} per call: split the call`,
      { setting: 'maxDeleteIds' },
    );
  }
  return ids as string[];
}
