// GC in one engine never drops a generation a search in another engine (another process's view) is reading.
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

describe('pins across engines on one store', () => {
  it('make GC in one engine wait for a search in flight in another, then collect the generation', async () => {
    temp = await makeTempDir('rag-pins-');
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const options = { dataDir: temp.path, leaseTtlMs: 900, stalenessMs: 0 };
    const reader = await openEngine({ ...options, embedder: new KeywordEmbedder({ gate: () => gate }) });
    const writer = await openEngine({ ...options, embedder: new KeywordEmbedder() });
    engines.push(reader, writer);

    await writer.upsertChunks('kb', animalCorpus());
    const search = reader.search({ kb: 'kb', text: 'cat', mode: 'hybrid', limit: 3 });
    await new Promise((resolve) => setTimeout(resolve, 200)); // the search has resolved and pinned generation 1

    await writer.createGeneration('kb', { copyFromActive: true });
    await writer.promoteGeneration('kb', 2);
    const gcStarted = Date.now();
    const gc = writer.gc({ retentionEpochs: 0, minAgeSeconds: 0 });
    await new Promise((resolve) => setTimeout(resolve, 800));
    open();
    const answer = await search;
    const report = await gc;

    expect(answer.generation).toBe(1);
    expect(answer.results[0]?.chunkId).toBe('c1');
    expect(report.deleted.map((d) => d.generation)).toEqual([1]);
    expect(Date.now() - gcStarted).toBeGreaterThanOrEqual(800);
    expect((await writer.listGenerations('kb')).map((g) => g.generation)).toEqual([2]);
  });
});
