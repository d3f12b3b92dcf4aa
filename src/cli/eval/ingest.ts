// Turns BEIR documents into chunks and loads them into a fresh, sealed and promoted generation of a KB.
import type { ChunkInput, KnowledgeBaseEngine } from '../../engine/types.js';
import type { BeirDocument } from './beir.js';

/** Chunks per upsert call: small enough for steady progress lines while a real model embeds. */
const UPSERT_CALL_SIZE = 2_000;

export interface ChunkingOptions {
  /** Words per chunk; undefined keeps one chunk per document. */
  chunkSize: number | undefined;
  title: 'field' | 'prepend';
}

/**
 * One chunk per document, or consecutive windows of `chunkSize` words. Every chunk keeps the document's title
 * (as its title field, or prepended to its content), so each one can match on it. Documents with neither
 * title nor text are skipped.
 * @example toChunks([{ id: 'd1', title: 'T', text: 'a b c' }], { chunkSize: 2, title: 'field' }) // 2 chunks
 */
export function toChunks(corpus: readonly BeirDocument[], options: ChunkingOptions): ChunkInput[] {
  const chunks: ChunkInput[] = [];
  for (const doc of corpus) {
    const title = doc.title.trim();
    const text = doc.text.trim();
    if (title === '' && text === '') continue;
    const parts = options.chunkSize === undefined || text === '' ? [text] : windows(text, options.chunkSize);
    parts.forEach((part, i) => {
      const content =
        options.title === 'prepend' && title !== '' ? `${title}\n\n${part}`.trim() : part || title;
      chunks.push({
        chunkId: parts.length === 1 ? doc.id : `${doc.id}#${i}`,
        documentId: doc.id,
        content,
        ...(options.title === 'field' && title !== '' ? { title } : {}),
      });
    });
  }
  return chunks;
}

function windows(text: string, size: number): string[] {
  const words = text.split(/\s+/).filter(Boolean);
  const parts: string[] = [];
  for (let start = 0; start < words.length; start += size)
    parts.push(words.slice(start, start + size).join(' '));
  return parts;
}

export interface IngestResult {
  generation: number;
  chunks: number;
  /** Upsert (including document embedding) time. */
  upsertMs: number;
  /** Seal (index build) plus promotion time. */
  indexMs: number;
}

/**
 * Writes the chunks into a new building generation, then promotes it (which seals it: BM25 and id indexes
 * absorb every row, and the ANN index is built above the brute-force threshold) — the state a real
 * deployment serves from.
 */
export async function ingestChunks(
  engine: KnowledgeBaseEngine,
  kb: string,
  chunks: readonly ChunkInput[],
  progress: (message: string) => void,
): Promise<IngestResult> {
  const { generation } = await engine.createGeneration(kb);
  const started = performance.now();
  for (let start = 0; start < chunks.length; start += UPSERT_CALL_SIZE) {
    await engine.upsertChunks(kb, chunks.slice(start, start + UPSERT_CALL_SIZE), { generation });
    progress(`ingested ${Math.min(start + UPSERT_CALL_SIZE, chunks.length)}/${chunks.length} chunks`);
  }
  const upsertMs = performance.now() - started;
  const indexStarted = performance.now();
  await engine.promoteGeneration(kb, generation);
  return { generation, chunks: chunks.length, upsertMs, indexMs: performance.now() - indexStarted };
}
