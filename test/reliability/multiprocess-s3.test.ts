// Two built servers on one S3 bucket (a local s3rver) behave as one database: writes and promotions cross over.
import { afterEach, describe, expect, it } from 'vitest';
import { startLocalS3, type LocalS3 } from '../helpers/s3-server.js';
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

let s3: LocalS3 | undefined;
let fleet: Fleet | undefined;

afterEach(async () => {
  await fleet?.close();
  fleet = undefined;
  await s3?.close();
  s3 = undefined;
});

describe('many processes on one object-storage bucket', () => {
  it("see each other's KBs, writes and promotions, with one catalog row per generation", async () => {
    s3 = await startLocalS3();
    fleet = await startFleet(s3.uri('kbs'), 2, {
      RAG_STUDIO_STALENESS_MS: '200',
      RAG_STUDIO_STORAGE_OPTIONS: JSON.stringify(s3.storageOptions),
    });
    const [a, b] = fleet.servers.map((s) => s.client) as [
      Fleet['servers'][0]['client'],
      Fleet['servers'][0]['client'],
    ];

    expect((await upsert(a, 'shared', [chunk('a1', 'alpha')])).ok?.generation).toBe(1);
    expect(
      await eventually(async () => (await searchIds(b, 'shared', 'alpha')).ids.includes('a1'), 5000),
    ).toBe(true);
    expect((await upsert(b, 'shared', [chunk('b1', 'bravo')])).ok?.generation).toBe(1);
    expect(catalogViolations(await generations(a, 'shared'))).toEqual([]);
    expect(
      await eventually(async () => (await searchIds(a, 'shared', 'bravo')).ids.includes('b1'), 5000),
    ).toBe(true);

    const g2 = await createGeneration(a, 'shared', true);
    await promote(a, 'shared', g2);
    expect(
      await eventually(async () => (await searchIds(b, 'shared', 'alpha')).generation === g2, 5000),
    ).toBe(true);
    // Writers one at a time (s3rver has no conditional writes): each lands in the active generation, seen by both.
    for (let i = 0; i < 6; i++) {
      const result = await upsert(i % 2 ? b : a, 'shared', [chunk(`w${i}`, 'sequential')]);
      expect(result.ok?.generation, result.error).toBe(g2);
    }
    for (const server of [a, b]) {
      expect(
        await eventually(
          async () => (await searchIds(server, 'shared', 'sequential')).ids.length === 6,
          5000,
        ),
      ).toBe(true);
    }
    const g3 = await createGeneration(b, 'shared', true);
    await promote(b, 'shared', g3);
    expect(
      await eventually(async () => (await searchIds(a, 'shared', 'sequential')).generation === g3, 5000),
    ).toBe(true);
    expect((await upsert(a, 'shared', [chunk('after', 'sequential')])).ok?.generation).toBe(g3);
    expect(catalogViolations(await generations(b, 'shared'))).toEqual([]);
  });
});
