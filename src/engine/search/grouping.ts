// Post-process steps that make a page of distinct answers: fold exact duplicates, cap chunks per document.
import { contentHash } from '../storage/chunk-schema.js';
import type { PostProcessStep, Ranked } from './post-process.js';

/**
 * Exact-duplicate content (same content hash) appears once, at its best rank; the other copies' rows are
 * kept on it as `duplicates` so their locations can be listed. Rows written before hashes were recorded are
 * hashed here.
 */
export const foldDuplicates: PostProcessStep = (ranked) => {
  const byHash = new Map<string, Ranked>();
  const kept: Ranked[] = [];
  for (const item of ranked) {
    const hash =
      (item.row.content_hash as string | null | undefined) ?? contentHash(String(item.row.content));
    const first = byHash.get(hash);
    if (first) {
      first.duplicates = [...(first.duplicates ?? []), item.row];
      continue;
    }
    const copy = { ...item, duplicates: undefined };
    byHash.set(hash, copy);
    kept.push(copy);
  }
  return kept;
};

/** At most `perDocument` chunks of each document, the best ones: distinct documents instead of neighbours. */
export function groupByDocument(perDocument: number): PostProcessStep {
  return (ranked) => {
    const seen = new Map<string, number>();
    return ranked.filter((item) => {
      const document = String(item.row.document_id);
      const count = seen.get(document) ?? 0;
      seen.set(document, count + 1);
      return count < perDocument;
    });
  };
}
