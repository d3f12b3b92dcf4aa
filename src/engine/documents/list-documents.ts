// listDocuments: the documents of one generation, aggregated from its chunks (id, title, version, count).
import { requireGeneration, type EngineContext, kbNotFound } from '../context.js';
import { EngineError, storageError } from '../errors.js';
import { parseMetadata, toEpochMs } from '../storage/chunk-schema.js';
import { readSurvivingPrune } from '../storage/pruned-version.js';
import type { DocumentInfo, JsonValue, ListDocumentsOptions, ListDocumentsResult } from '../types.js';
import { validateKbName } from '../validation.js';

/**
 * Streams the id, title, source and version columns once (no content, no vectors): at 200k chunks this reads
 * a few MB. Ingestion uses the version (the file's content hash) to tell unchanged files from changed ones.
 * With `metadataKeys`, the metadata column is streamed too but parsed only for a document's first chunk.
 */
export async function listDocuments(
  ctx: EngineContext,
  kbInput: string,
  options: ListDocumentsOptions = {},
): Promise<ListDocumentsResult> {
  const kb = validateKbName(kbInput);
  const offset = options.offset ?? 0;
  const limit = options.limit ?? Number.MAX_SAFE_INTEGER;
  if (!Number.isInteger(offset) || offset < 0 || !Number.isInteger(limit) || limit < 0) {
    throw new EngineError(
      'INVALID_INPUT',
      `offset and limit must be non-negative integers; got ${offset}, ${limit}`,
    );
  }
  const record =
    options.generation !== undefined
      ? requireGeneration(ctx, kb, options.generation)
      : (ctx.catalog.active(kb) ?? undefined);
  if (!record) throw kbNotFound(ctx, kb);
  const byId = new Map<string, DocumentInfo & { updatedMs: number }>();
  try {
    const table = await ctx.tables.open(record.tableName);
    if (table) {
      const keys = options.metadataKeys ?? [];
      const columns = [
        'document_id',
        'title',
        'source_path',
        'version',
        'updated_at',
        ...(keys.length > 0 ? ['metadata'] : []),
      ];
      await readSurvivingPrune(table, async () => {
        byId.clear(); // a retry on the newest version starts over
        for await (const batch of table.query().select(columns)) {
          const col = (name: string) => batch.getChild(name);
          const [ids, titles, sources, versions, updated, metadata] = columns.map(col);
          for (let i = 0; i < batch.numRows; i++) {
            const documentId = String(ids?.get(i));
            const updatedMs = toEpochMs(updated?.get(i));
            const known = byId.get(documentId);
            if (known) {
              known.chunks++;
              known.updatedMs = Math.max(known.updatedMs, updatedMs);
              continue;
            }
            const text = (v: unknown) => (v === null || v === undefined ? null : String(v));
            byId.set(documentId, {
              documentId,
              title: text(titles?.get(i)),
              sourcePath: text(sources?.get(i)),
              version: text(versions?.get(i)),
              chunks: 1,
              updatedAt: '',
              updatedMs,
              ...(keys.length > 0 ? { metadata: pick(metadata?.get(i), keys) } : {}),
            });
          }
        }
      });
    }
  } catch (error) {
    throw storageError(`listing the documents of generation ${record.generation} of "${kb}"`, error);
  }
  const needle = options.pathContains?.toLowerCase() ?? '';
  const matching = [...byId.values()].filter(
    (d) =>
      needle === '' ||
      d.documentId.toLowerCase().includes(needle) ||
      (d.sourcePath?.toLowerCase().includes(needle) ?? false),
  );
  const all = matching.sort((a, b) =>
    a.documentId < b.documentId ? -1 : a.documentId > b.documentId ? 1 : 0,
  );
  return {
    kb,
    generation: record.generation,
    total: all.length,
    documents: all.slice(offset, offset + limit).map(({ updatedMs, ...doc }) => ({
      ...doc,
      updatedAt: new Date(updatedMs).toISOString(),
    })),
  };
}

function pick(raw: unknown, keys: readonly string[]): Record<string, JsonValue> {
  const all = parseMetadata(raw);
  const picked: Record<string, JsonValue> = {};
  for (const key of keys) if (all[key] !== undefined) picked[key] = all[key];
  return picked;
}
