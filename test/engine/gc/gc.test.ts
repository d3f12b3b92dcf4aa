// Epoch GC on real LanceDB: keeps active, pinned and retained generations, deletes the rest; dry run = real run.
import { readdir } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { openEngine, type KnowledgeBaseEngine } from '../../../src/engine/index.js';
import { animalCorpus, openTestEngine, type TestEngine } from '../../helpers/engine.js';
import { KeywordEmbedder } from '../../helpers/keyword-embedder.js';

let t: TestEngine;
afterEach(async () => t?.close());

/** Five generations, promoted in turn: after this, 5 is active and 1..4 archived at epochs 1..4. */
async function fiveGenerations(engine: KnowledgeBaseEngine): Promise<void> {
  await engine.upsertChunks('docs', animalCorpus());
  for (let g = 2; g <= 5; g++) {
    await engine.createGeneration('docs', { copyFromActive: true });
    await engine.promoteGeneration('docs', g);
  }
}

describe('gc', () => {
  it('deletes archived generations beyond retention; a dry run reports exactly the same', async () => {
    t = await openTestEngine();
    await fiveGenerations(t.engine);
    await t.engine.createGeneration('docs'); // 6: building, fresh — kept
    const options = { retentionEpochs: 2, minAgeSeconds: 0 };
    const dry = await t.engine.gc({ ...options, dryRun: true });
    expect(dry.dryRun).toBe(true);
    expect(dry.deleted.map((d) => d.generation).sort()).toEqual([1, 2]);
    expect((await t.engine.listGenerations('docs')).length).toBe(6);

    const real = await t.engine.gc(options);
    expect(real.deleted.map((d) => [d.generation, d.bytes])).toEqual(
      dry.deleted.map((d) => [d.generation, d.bytes]),
    );
    expect(real.deleted.every((d) => d.bytes > 0)).toBe(true);
    expect(real.reclaimedBytes).toBeGreaterThanOrEqual(real.deleted.reduce((s, d) => s + d.bytes, 0));
    const kept = Object.fromEntries(real.kept.map((k) => [k.generation, k.reason]));
    expect(kept[5]).toBe('active');
    expect(kept[4]).toMatch(/retained/);
    expect(kept[3]).toMatch(/retained/);
    expect(kept[6]).toBe('building');
    expect((await t.engine.listGenerations('docs')).map((g) => g.generation)).toEqual([3, 4, 5, 6]);
    const tables = await readdir(t.dir.path);
    expect(tables.filter((n) => n.startsWith('kb-docs-g')).sort()).toEqual([
      'kb-docs-g3.lance',
      'kb-docs-g4.lance',
      'kb-docs-g5.lance',
    ]);
    // Rollback to a retained generation still works; a deleted one is gone.
    await t.engine.promoteGeneration('docs', 3);
    await expect(t.engine.promoteGeneration('docs', 1)).rejects.toMatchObject({
      code: 'GENERATION_NOT_FOUND',
    });
    // Generation numbers are never reused.
    expect((await t.engine.createGeneration('docs')).generation).toBe(7);
  });

  it('honours min_age_seconds and the building TTL', async () => {
    t = await openTestEngine();
    await fiveGenerations(t.engine);
    await t.engine.createGeneration('docs');
    const young = await t.engine.gc({ retentionEpochs: 0, minAgeSeconds: 3600, dryRun: true });
    expect(young.deleted).toEqual([]);
    await new Promise((r) => setTimeout(r, 1100));
    const expired = await t.engine.gc({
      retentionEpochs: 0,
      minAgeSeconds: 0,
      buildingTtlSeconds: 1,
      dryRun: true,
    });
    expect(expired.deleted.map((d) => d.generation).sort()).toEqual([1, 2, 3, 4, 6]);
    expect(expired.deleted.find((d) => d.generation === 6)!.reason).toMatch(/abandoned/);
  });

  it('never deletes a generation an in-flight search has pinned', async () => {
    t = await openTestEngine();
    await fiveGenerations(t.engine);
    await t.engine.close();
    let release!: () => void;
    let entered!: () => void;
    const inSearch = new Promise<void>((r) => (entered = r));
    const gate = () => {
      entered();
      return new Promise<void>((r) => (release = r));
    };
    const engine = await openEngine({ dataDir: t.dir.path, embedder: new KeywordEmbedder({ gate }) });
    try {
      const slow = engine.search({ kb: 'docs', mode: 'vector', text: 'cat', generation: 1 });
      await inSearch;
      const report = await engine.gc({ retentionEpochs: 0, minAgeSeconds: 0 });
      expect(report.deleted.map((d) => d.generation).sort()).toEqual([2, 3, 4]);
      expect(report.kept.find((k) => k.generation === 1)!.reason).toMatch(/pinned/);
      release();
      const answer = await slow;
      expect(answer.generation).toBe(1);
      expect(answer.results[0]!.chunkId).toBe('c1');
      const after = await engine.gc({ retentionEpochs: 0, minAgeSeconds: 0 });
      expect(after.deleted.map((d) => d.generation)).toEqual([1]);
      expect((await engine.listGenerations('docs')).map((g) => g.status)).toEqual(['active']);
    } finally {
      await engine.close();
    }
  });

  it('compacts the active generation and reports versions removed', async () => {
    t = await openTestEngine();
    for (let i = 0; i < 5; i++)
      await t.engine.upsertChunks(
        'docs',
        animalCorpus().map((c) => ({ ...c, content: `${c.content} ${i}` })),
      );
    const report = await t.engine.gc({ minAgeSeconds: 0 });
    const compacted = report.compacted.find((c) => c.kb === 'docs')!;
    expect(compacted.versionsRemoved).toBeGreaterThan(0);
    expect(report.reclaimedBytesByKb.docs).toBeGreaterThan(0);
    const r = await t.engine.search({ kb: 'docs', mode: 'lexical', text: 'banana' });
    expect(r.results[0]!.chunkId).toBe('c5');
  });

  it('runs in the background when gcIntervalSeconds is set', async () => {
    t = await openTestEngine();
    await fiveGenerations(t.engine);
    await t.engine.close();
    const engine = await openEngine({
      dataDir: t.dir.path,
      embedder: new KeywordEmbedder(),
      gcIntervalSeconds: 1,
      retentionEpochs: 1,
      minAgeSeconds: 0,
    });
    try {
      // A tick may pass without collecting (another holder of the cross-process "gc" lease makes it skip, by
      // design; one CI run saw the first tick collect nothing), so wait for the loop's work, not its first tick.
      const deadline = Date.now() + 15_000;
      const live = async () => (await engine.listGenerations('docs')).map((g) => g.generation);
      const collected = async () => (await live()).length <= 2 && engine.gcLoopState().lastRunAt !== null;
      while (!(await collected()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(engine.gcLoopState()).toMatchObject({ intervalSeconds: 1, lastError: null });
      expect(engine.gcLoopState().lastRunAt).not.toBeNull();
      expect(await live()).toEqual([4, 5]);
    } finally {
      await engine.close();
    }
  });
});
