// The in-memory alternative a JavaScript user would pick: Orama with BM25 over title + content and a vector field.
import { create, insertMultiple, search, type AnyOrama } from '@orama/orama';
import type { BenchMode, BenchQuery, SearchFn } from './query-timing.js';
import type { SyntheticCorpus } from './synthetic-corpus.js';

/** Orama's vector search keeps results above a cosine threshold (default 0.8, which would drop most neighbours here). */
const SIMILARITY = 0.3;
const INSERT_CALL = 10_000;

export interface OramaIndex {
  search: SearchFn;
  insertMs: number;
  chunksPerSecond: number;
  /** Heap growth while inserting: roughly what holding the index costs. */
  heapBytes: number;
}

export async function buildOrama(
  corpus: SyntheticCorpus,
  size: number,
  progress: (message: string) => void,
): Promise<OramaIndex> {
  const heapBefore = heapAfterGc();
  const db: AnyOrama = create({
    schema: { title: 'string', content: 'string', embedding: `vector[${corpus.spec.dimension}]` } as const,
  });
  let insertMs = 0;
  for (let start = 0; start < size; start += INSERT_CALL) {
    const docs = corpus.batch(start, Math.min(INSERT_CALL, size - start)).map((c) => ({
      id: c.chunkId,
      title: c.title ?? '',
      content: c.content,
      embedding: Array.from(c.embedding as Float32Array),
    }));
    const started = performance.now();
    await insertMultiple(db, docs as never, 1000);
    insertMs += performance.now() - started;
    if ((start / INSERT_CALL) % 10 === 9 || start + INSERT_CALL >= size) {
      progress(
        `orama: inserted ${Math.min(start + INSERT_CALL, size).toLocaleString('en')}/${size.toLocaleString('en')}`,
      );
    }
  }
  const heapBytes = heapAfterGc() - heapBefore;
  const run: SearchFn = async (mode: BenchMode, q: BenchQuery) => {
    const vector = { value: q.vector as unknown as number[], property: 'embedding' };
    const params =
      mode === 'lexical'
        ? { term: q.text, properties: ['title', 'content'], limit: 10 }
        : mode === 'vector'
          ? { mode: 'vector', vector, similarity: SIMILARITY, limit: 10 }
          : {
              mode: 'hybrid',
              term: q.text,
              properties: ['title', 'content'],
              vector,
              similarity: SIMILARITY,
              limit: 10,
            };
    const result = await search(db, params as never);
    return result.hits.map((hit) => String(hit.id));
  };
  return { search: run, insertMs, chunksPerSecond: size / (insertMs / 1000), heapBytes };
}

function heapAfterGc(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
}
