// readChunks / readDocument: a chunk with its neighbours, or a whole document a page at a time, in document order.
import type { Table } from '@lancedb/lancedb';
import type { EngineContext } from '../context.js';
import { EngineError, onStorage } from '../errors.js';
import { arg, op } from '../terms.js';
import { resolveAndPin } from '../search/pinned-generation.js';
import { tokenCounterFor } from '../search/token-budget.js';
import { parseHeadingPath, storedChunkFromRow, type StoredChunk } from '../storage/chunk-schema.js';
import type { GenerationRecord } from '../storage/catalog.js';
import { readableResultColumns } from '../storage/generation-tables.js';
import { sqlString } from '../storage/sql.js';
import type {
  ChunkView,
  ReadChunksRequest,
  ReadChunksResult,
  ReadDocumentRequest,
  ReadDocumentResult,
} from '../types.js';
import { validateKbName } from '../validation.js';

/** Most neighbours on each side of a chunk. @example 20 */
export const MAX_NEIGHBOURS = 20;
/** Content tokens of a read_document page when none is given. @example 4000 */
export const DEFAULT_PAGE_TOKENS = 4000;
/** Largest token budget of a read. */
export const MAX_READ_TOKENS = 1_000_000;

export async function readChunks(
  ctx: EngineContext,
  kbInput: string,
  request: ReadChunksRequest,
): Promise<ReadChunksResult> {
  const kb = validateKbName(kbInput);
  const before = count(request.before ?? 0, 'before', MAX_NEIGHBOURS);
  const after = count(request.after ?? 0, 'after', MAX_NEIGHBOURS);
  const maxTokens = request.maxTokens === undefined ? undefined : budget(request.maxTokens);
  if (typeof request.chunkId !== 'string' || request.chunkId === '') {
    throw new EngineError('INVALID_INPUT', 'chunk_id must be a non-empty string (a search result gives one)');
  }
  return withTable(ctx, kb, request.generation, async (table, record) => {
    const [hit] = await rows(table, `chunk_id = ${sqlString(request.chunkId)}`);
    if (!hit) {
      throw new EngineError(
        'INVALID_INPUT',
        `no chunk "${request.chunkId.slice(0, 200)}" in generation ${record.generation} of "${kb}"; use a chunk_id from ${op('search')} results`,
      );
    }
    const document = inDocumentOrder(await rows(table, `document_id = ${sqlString(hit.document_id)}`));
    const at = document.findIndex((c) => c.chunk_id === hit.chunk_id);
    let first = Math.max(0, at - before);
    let last = Math.min(document.length - 1, at + after);
    if (maxTokens !== undefined) {
      // Nearest neighbours first, alternating sides, while the budget lasts; the chunk itself always comes.
      const counts = await tokenCounterFor(ctx.embedder).count(
        document.slice(first, last + 1).map((c) => c.content),
      );
      const cost = (i: number) => counts[i - first]!;
      let used = cost(at);
      let lo = at;
      let hi = at;
      for (let step = 1; lo > first || hi < last; step++) {
        let grew = false;
        if (at - step >= first && used + cost(at - step) <= maxTokens) {
          used += cost(at - step);
          lo = at - step;
          grew = true;
        }
        if (at + step <= last && used + cost(at + step) <= maxTokens) {
          used += cost(at + step);
          hi = at + step;
          grew = true;
        }
        if (!grew) break;
      }
      first = lo;
      last = hi;
    }
    return {
      kb,
      generation: record.generation,
      documentId: hit.document_id,
      chunks: document.slice(first, last + 1).map(toView),
      index: at - first,
      documentChunks: document.length,
    };
  });
}

export async function readDocument(
  ctx: EngineContext,
  kbInput: string,
  request: ReadDocumentRequest,
): Promise<ReadDocumentResult> {
  const kb = validateKbName(kbInput);
  const offset = count(request.offset ?? 0, 'offset', Number.MAX_SAFE_INTEGER);
  const maxTokens = budget(request.maxTokens ?? DEFAULT_PAGE_TOKENS);
  if (typeof request.documentId !== 'string' || request.documentId === '') {
    throw new EngineError('INVALID_INPUT', 'document_id must be a non-empty string');
  }
  return withTable(ctx, kb, request.generation, async (table, record) => {
    const document = inDocumentOrder(await rows(table, `document_id = ${sqlString(request.documentId)}`));
    if (document.length === 0) {
      throw new EngineError(
        'INVALID_INPUT',
        `no document "${request.documentId.slice(0, 200)}" in generation ${record.generation} of "${kb}"; the resource rag-studio://knowledge-bases/${kb}/documents lists them`,
      );
    }
    const counter = tokenCounterFor(ctx.embedder);
    const rest = document.slice(offset);
    const counts = await counter.count(rest.map((c) => c.content));
    const page: ChunkView[] = [];
    let used = 0;
    for (let i = 0; i < rest.length; i++) {
      if (used + counts[i]! > maxTokens) {
        // A page always makes progress: a first chunk larger than the budget comes cut at its end.
        if (page.length === 0) page.push(await cutToBudget(toView(rest[i]!), counts[i]!, maxTokens, counter));
        break;
      }
      used += counts[i]!;
      page.push(toView(rest[i]!));
    }
    const next = offset + page.length;
    return {
      kb,
      generation: record.generation,
      documentId: request.documentId,
      chunks: page,
      offset,
      documentChunks: document.length,
      nextOffset: next < document.length ? next : null,
      countedWith: counter.countedWith,
    };
  });
}

async function withTable<T>(
  ctx: EngineContext,
  kb: string,
  generation: number | undefined,
  body: (table: Table, record: GenerationRecord) => Promise<T>,
): Promise<T> {
  const { record, unpin } = await resolveAndPin(ctx, kb, generation);
  const reading = `reading generation ${record.generation} of "${kb}"`;
  try {
    const table = await onStorage(reading, () => ctx.tables.open(record.tableName));
    if (!table)
      throw new EngineError(
        'INVALID_STATE',
        `generation ${record.generation} of "${kb}" holds no chunks yet`,
      );
    return await body(table, record);
  } finally {
    unpin();
  }
}

async function rows(table: Table, where: string): Promise<StoredChunk[]> {
  const found = (await table
    .query()
    .where(where)
    .select(await readableResultColumns(table))
    .toArray()) as Array<Record<string, unknown>>;
  return found.map(storedChunkFromRow);
}

/** By ordinal; chunks without one (older data) after, by first line, then by id. */
function inDocumentOrder(chunks: StoredChunk[]): StoredChunk[] {
  const key = (v: number | null) => v ?? Number.MAX_SAFE_INTEGER;
  return chunks.sort(
    (a, b) =>
      key(a.ordinal) - key(b.ordinal) ||
      key(a.line_start) - key(b.line_start) ||
      (a.chunk_id < b.chunk_id ? -1 : a.chunk_id > b.chunk_id ? 1 : 0),
  );
}

function toView(chunk: StoredChunk): ChunkView {
  return {
    chunkId: chunk.chunk_id,
    ordinal: chunk.ordinal,
    content: chunk.content,
    citation: {
      title: chunk.title,
      sourcePath: chunk.source_path,
      license: chunk.license,
      version: chunk.version,
      anchor: chunk.anchor,
      pageNumber: chunk.page_number,
      headingPath: parseHeadingPath(chunk.heading_path),
      lineStart: chunk.line_start,
      lineEnd: chunk.line_end,
    },
  };
}

async function cutToBudget(
  view: ChunkView,
  tokens: number,
  maxTokens: number,
  counter: ReturnType<typeof tokenCounterFor>,
): Promise<ChunkView> {
  let chars = Math.floor((view.content.length * maxTokens) / tokens);
  let text = view.content.slice(0, chars);
  for (let round = 0; round < 4; round++) {
    const [n] = await counter.count([text]);
    if (n! <= maxTokens) break;
    chars = Math.floor((chars * maxTokens) / n!) - 1;
    text = view.content.slice(0, Math.max(0, chars));
  }
  return { ...view, content: text, truncated: true };
}

function count(value: number, name: string, max: number): number {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new EngineError(
      'INVALID_INPUT',
      `${name} must be an integer from 0 to ${max}; got ${String(value)}`,
    );
  }
  return value;
}

function budget(value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > MAX_READ_TOKENS) {
    throw new EngineError(
      'INVALID_INPUT',
      `${arg('maxTokens')} must be an integer from 1 to ${MAX_READ_TOKENS}; got ${String(value)}`,
    );
  }
  return value;
}
