// A search whose cached table handle points at a version another process's GC pruned re-reads the newest one.
import { afterEach, describe, expect, it } from 'vitest';
import { openEngine, type KnowledgeBaseEngine } from '../../../src/engine/index.js';
import { animalCorpus } from '../../helpers/engine.js';
import { KeywordEmbedder } from '../../helpers/keyword-embedder.js';
import { makeTempDir, type TempDir } from '../../helpers/temp-dir.js';

let temp: TempDir | undefined;
const engines: KnowledgeBaseEngine[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.close()));
  await temp?.remove();
  temp = undefined;
});

describe('a reader whose table version was pruned by another engine', () => {
  it('answers searches and document lists instead of failing with "Not found"', async () => {
    temp = await makeTempDir('rag-pruned-');
    // A long staleness bound: the reader keeps its handle at the version it first read.
    const options = { dataDir: temp.path, stalenessMs: 60_000, indexIdleMs: 0 };
    const writer = await openEngine({ ...options, embedder: new KeywordEmbedder() });
    engines.push(writer);
    await writer.upsertChunks('kb', animalCorpus());
    const reader = await openEngine({ ...options, embedder: new KeywordEmbedder() });
    engines.push(reader);
    expect((await reader.search({ kb: 'kb', text: 'dog', mode: 'lexical' })).results.length).toBeGreaterThan(
      0,
    );

    // New versions, then GC keeps only the newest: the reader's version files are gone.
    const churn = async (id: string, victim: string) => {
      await writer.upsertChunks('kb', [{ chunkId: id, documentId: id, content: `cat ${id}` }]);
      await writer.deleteChunks('kb', { chunkIds: [victim] });
      const gc = await writer.gc({ retentionEpochs: 1, minAgeSeconds: 0 });
      expect(gc.compacted[0]?.versionsRemoved).toBeGreaterThan(0);
    };

    // Whether GC removed files the reader's version still needs depends on what compaction rewrote; when it
    // did, the read used to fail with "Not found" (seen on both paths below). Either way the reader answers,
    // from its own version or the newest one.
    await churn('late', 'c1');
    const docs = (await reader.listDocuments('kb')).documents.map((d) => d.documentId);
    expect(docs).toEqual(expect.arrayContaining(['d2', 'd3']));

    await churn('later', 'late');
    // A query the reader has not cached, so it really reads its table.
    const ids = (await reader.search({ kb: 'kb', text: 'fish', mode: 'lexical', limit: 50 })).results.map(
      (r) => r.chunkId,
    );
    expect(ids).toEqual(['c3']);
  });
});
