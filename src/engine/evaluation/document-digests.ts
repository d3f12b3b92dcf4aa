// Per-document content digests of a generation, and the diff of two generations' documents by them.
import { createHash } from 'node:crypto';
import { requireGeneration, type EngineContext } from '../context.js';
import { storageError } from '../errors.js';

export interface ContentDiff {
  /** Documents only in the candidate, sorted. */
  added: string[];
  /** Documents only in the base, sorted. */
  removed: string[];
  /** Documents in both whose content differs, sorted. */
  changed: string[];
  /** Documents in both with identical content. */
  unchanged: number;
}

/**
 * document id → sha256 of its chunks' contents in chunk-id order (the store keeps no per-document content
 * hash, so it is derived: equal digests mean the same chunk ids with the same text). Streams two id columns
 * and the content once; vectors are never read.
 */
export async function documentDigests(
  ctx: EngineContext,
  kb: string,
  generation: number,
): Promise<Map<string, string>> {
  const record = requireGeneration(ctx, kb, generation);
  const chunks = new Map<string, Array<[string, string]>>();
  try {
    const table = await ctx.tables.open(record.tableName);
    if (table) {
      for await (const batch of table.query().select(['document_id', 'chunk_id', 'content'])) {
        const [documents, ids, contents] = ['document_id', 'chunk_id', 'content'].map((c) =>
          batch.getChild(c),
        );
        for (let i = 0; i < batch.numRows; i++) {
          const documentId = String(documents?.get(i));
          const list = chunks.get(documentId) ?? [];
          list.push([String(ids?.get(i)), String(contents?.get(i))]);
          chunks.set(documentId, list);
        }
      }
    }
  } catch (error) {
    throw storageError(`reading the documents of generation ${generation} of "${kb}"`, error);
  }
  const digests = new Map<string, string>();
  for (const [documentId, list] of chunks) {
    list.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const hash = createHash('sha256');
    // Length-prefixed, so ("ab", "c") and ("a", "bc") hash differently.
    for (const [id, content] of list) hash.update(`${id.length}:${id}${content.length}:${content}`);
    digests.set(documentId, hash.digest('hex'));
  }
  return digests;
}

export function diffDocuments(base: Map<string, string>, candidate: Map<string, string>): ContentDiff {
  const added: string[] = [];
  const removed: string[] = [];
  const changed: string[] = [];
  let unchanged = 0;
  for (const [id, digest] of candidate) {
    const before = base.get(id);
    if (before === undefined) added.push(id);
    else if (before !== digest) changed.push(id);
    else unchanged++;
  }
  for (const id of base.keys()) if (!candidate.has(id)) removed.push(id);
  const sorted = (ids: string[]) => ids.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return { added: sorted(added), removed: sorted(removed), changed: sorted(changed), unchanged };
}
