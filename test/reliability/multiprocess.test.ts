// Several built servers on one data dir behave as one database: the five steps of issue 11, then mixed concurrent ops.
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir, type TempDir } from '../helpers/temp-dir.js';
import {
  catalogViolations,
  chunk,
  createGeneration,
  eventually,
  generations,
  promote,
  searchIds,
  startFleet,
  upsert,
  type Fleet,
} from './harness/multiprocess.js';
import { runMixedOps } from './harness/multiprocess-mixed.js';

let temp: TempDir | undefined;
let fleet: Fleet | undefined;

afterEach(async () => {
  await fleet?.close();
  fleet = undefined;
  await temp?.remove();
  temp = undefined;
});

// A small staleness bound keeps the test quick; the default (1 s) is covered by the "eventually" waits too.
const ENV = { RAG_STUDIO_STALENESS_MS: '200' };

describe('many processes on one local data dir', () => {
  it('pass the five steps: new KB seen, one row per generation, writes seen, promotions followed, no write misplaced', async () => {
    temp = await makeTempDir('rag-mp-');
    fleet = await startFleet(temp.path, 2, ENV);
    const [a, b] = fleet.servers.map((s) => s.client) as [
      (typeof fleet.servers)[0]['client'],
      (typeof fleet.servers)[0]['client'],
    ];

    // 1. A creates the KB; B finds it without a restart, at once (a miss makes B look at the newest catalog).
    expect((await upsert(a, 'shared', [chunk('a1', 'alpha')])).ok).toBeDefined();
    expect((await searchIds(b, 'shared', 'alpha')).ids).toEqual(['a1']);

    // 2. B writes into the same KB: still one row for generation 1.
    expect((await upsert(b, 'shared', [chunk('b1', 'bravo')])).ok?.generation).toBe(1);
    expect(catalogViolations(await generations(a, 'shared'))).toEqual([]);
    expect((await generations(b, 'shared')).length).toBe(1);

    // 3. A sees B's chunk.
    expect(
      await eventually(async () => (await searchIds(a, 'shared', 'bravo')).ids.includes('b1'), 3000),
    ).toBe(true);

    // 4. A creates generation 2 and promotes it; B follows.
    const g2 = await createGeneration(a, 'shared', true);
    expect(g2).toBe(2);
    await promote(a, 'shared', g2);
    expect(
      await eventually(async () => (await searchIds(b, 'shared', 'alpha')).generation === g2, 3000),
    ).toBe(true);

    // 5. 20 concurrent upserts from each: all acknowledged into the active generation, none into an archived one.
    const writes = await Promise.all(
      [...Array(20).keys()].flatMap((i) => [
        upsert(a, 'shared', [chunk(`ca${i}`, 'concurrent')]),
        upsert(b, 'shared', [chunk(`cb${i}`, 'concurrent')]),
      ]),
    );
    expect(writes.map((w) => w.error ?? w.ok!.generation)).toEqual(Array(40).fill(g2));
    for (const server of [a, b]) {
      expect(
        await eventually(
          async () => (await searchIds(server, 'shared', 'concurrent')).ids.length === 40,
          3000,
        ),
      ).toBe(true);
    }
    expect(catalogViolations(await generations(b, 'shared'))).toEqual([]);

    // And with a promotion racing them: each acknowledged write is in the generation it names, and every write
    // sent after the promotion was acknowledged lands in the new generation.
    const g3 = await createGeneration(a, 'shared', true);
    let promotedAt = Infinity;
    const racing = [...Array(12).keys()].map(async (i) => {
      await new Promise((resolve) => setTimeout(resolve, i * 40));
      const sentAt = Date.now();
      const client = i % 2 ? b : a;
      return { id: `r${i}`, sentAt, result: await upsert(client, 'shared', [chunk(`r${i}`, 'racing')]) };
    });
    const promotion = (async () => {
      await new Promise((resolve) => setTimeout(resolve, 200));
      await promote(b, 'shared', g3);
      promotedAt = Date.now();
    })();
    const raced = await Promise.all(racing);
    await promotion;
    for (const w of raced) {
      expect(w.result.error).toBeUndefined();
      const gen = w.result.ok!.generation;
      expect([g2, g3]).toContain(gen);
      if (w.sentAt > promotedAt) expect(gen).toBe(g3);
      expect((await searchIds(a, 'shared', 'racing', gen)).ids).toContain(w.id);
    }
    expect(catalogViolations(await generations(a, 'shared'))).toEqual([]);
  });

  it('keep the invariants under concurrent mixed operations from three processes', async () => {
    temp = await makeTempDir('rag-mp-mixed-');
    fleet = await startFleet(temp.path, 3, ENV);
    const report = await runMixedOps(
      fleet.servers.map((s) => s.client),
      { rounds: 16 },
    );
    expect(report.violations).toEqual([]);
    expect(report.acknowledged).toBeGreaterThan(20);
    expect(report.calls).toMatchObject({
      replace: expect.any(Number),
      delete_knowledge_base: expect.any(Number),
      scratch_upsert: expect.any(Number),
    });
  });
});
