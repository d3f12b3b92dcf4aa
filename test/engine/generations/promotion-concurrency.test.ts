// 20 promotions while searches run: every search answers from exactly one whole generation.
import { afterEach, describe, expect, it } from 'vitest';
import { openTestEngine, type TestEngine } from '../../helpers/engine.js';

let t: TestEngine;
afterEach(async () => t?.close());

/** Generation g holds 12 chunks all tagged g, so a mixed or empty answer is detectable. */
function tagged(g: number) {
  return Array.from({ length: 12 }, (_, i) => ({
    chunkId: `c${i}`,
    documentId: `d${i % 4}`,
    content: `shared cat words ${i} belonging to build${g}`,
    metadata: { build: g },
  }));
}

describe('promotion under concurrent searches', () => {
  it('never shows a mix of generations or an empty KB', async () => {
    t = await openTestEngine();
    await t.engine.upsertChunks('kb', tagged(1));
    await t.engine.createGeneration('kb');
    await t.engine.upsertChunks('kb', tagged(2), { generation: 2 });
    await t.engine.sealGeneration('kb', 2);

    let stop = false;
    const seen = new Set<number>();
    let searches = 0;
    const searcher = async () => {
      while (!stop) {
        const mode = (['lexical', 'vector', 'hybrid'] as const)[searches % 3]!;
        const r = await t.engine.search({ kb: 'kb', mode, text: 'shared cat words', limit: 12 });
        searches++;
        expect(r.results).toHaveLength(12);
        const builds = new Set(r.results.map((h) => h.metadata.build));
        expect(builds.size).toBe(1);
        expect([...builds][0]).toBe(r.generation);
        expect(r.results.every((h) => h.generation === r.generation)).toBe(true);
        seen.add(r.generation);
      }
    };
    const workers = [searcher(), searcher(), searcher()];
    for (let i = 0; i < 20; i++) {
      const result = await t.engine.promoteGeneration('kb', i % 2 === 0 ? 2 : 1);
      expect(result.epoch).toBe(i + 1);
      await new Promise((r) => setTimeout(r, 5));
    }
    stop = true;
    await Promise.all(workers);
    expect(searches).toBeGreaterThan(20);
    expect(seen).toEqual(new Set([1, 2]));
  });
});
