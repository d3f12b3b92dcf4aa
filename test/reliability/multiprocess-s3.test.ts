// Built servers on one S3 bucket (s3rver behind a proxy that honours conditional writes, as S3 does) act as one database.
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
import { runMixedOps } from './harness/multiprocess-mixed.js';

let s3: LocalS3 | undefined;
let fleet: Fleet | undefined;

afterEach(async () => {
  await fleet?.close();
  fleet = undefined;
  await s3?.close();
  s3 = undefined;
});

const env = (bucket: LocalS3) => ({
  RAG_STUDIO_STALENESS_MS: '200',
  RAG_STUDIO_STORAGE_OPTIONS: JSON.stringify(bucket.storageOptions),
});

describe('many processes on one object-storage bucket', () => {
  it("see each other's KBs, writes and promotions, with one catalog row per generation", async () => {
    s3 = await startLocalS3({ conditionalWrites: true });
    fleet = await startFleet(s3.uri('kbs'), 2, env(s3));
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
    // 8 concurrent upserts from each: all acknowledged into the active generation and seen by both.
    const writes = await Promise.all(
      [...Array(8).keys()].flatMap((i) => [
        upsert(a, 'shared', [chunk(`wa${i}`, 'concurrent')]),
        upsert(b, 'shared', [chunk(`wb${i}`, 'concurrent')]),
      ]),
    );
    expect(writes.map((w) => w.error ?? w.ok!.generation)).toEqual(Array(16).fill(g2));
    for (const server of [a, b]) {
      expect(
        await eventually(
          async () => (await searchIds(server, 'shared', 'concurrent')).ids.length === 16,
          5000,
        ),
      ).toBe(true);
    }
    const g3 = await createGeneration(b, 'shared', true);
    await promote(b, 'shared', g3);
    expect(
      await eventually(async () => (await searchIds(a, 'shared', 'concurrent')).generation === g3, 5000),
    ).toBe(true);
    expect((await upsert(a, 'shared', [chunk('after', 'concurrent')])).ok?.generation).toBe(g3);
    expect(catalogViolations(await generations(b, 'shared'))).toEqual([]);
  });

  it('keep the invariants under concurrent mixed operations from three processes', async () => {
    s3 = await startLocalS3({ conditionalWrites: true });
    fleet = await startFleet(s3.uri('mixed'), 3, env(s3));
    const report = await runMixedOps(
      fleet.servers.map((s) => s.client),
      { rounds: 12 },
    );
    expect(report.violations).toEqual([]);
    expect(report.acknowledged).toBeGreaterThan(20);
    // The run raced commits: the bucket refused some put-if-absent manifests, and Lance retried them.
    expect(s3.proxy!.refused).toBeGreaterThan(0);
  });
});
