// One contract for both lease stores (files on local disk, a LanceDB table for object storage), plus real races.
import { spawn } from 'node:child_process';
import { writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect } from '@lancedb/lancedb';
import { afterEach, describe, expect, it } from 'vitest';
import { FileLeaseStore } from '../../../src/engine/coordination/file-lease-store.js';
import type { LeaseStore } from '../../../src/engine/coordination/lease-store.js';
import { TableLeaseStore } from '../../../src/engine/coordination/table-lease-store.js';
import { requireBuild } from '../../helpers/built-server.js';
import { startLocalS3, type LocalS3 } from '../../helpers/s3-server.js';
import { makeTempDir, type TempDir } from '../../helpers/temp-dir.js';

const CHILD = fileURLToPath(new URL('../../fixtures/lease-race-child.mjs', import.meta.url));
const BUILT_FILE_STORE = new URL('../../../dist/engine/coordination/file-lease-store.js', import.meta.url)
  .href;
let temp: TempDir | undefined;
let s3: LocalS3 | undefined;
afterEach(async () => {
  await temp?.remove();
  temp = undefined;
  await s3?.close();
  s3 = undefined;
});

type Kind = 'file' | 'table' | 'table on s3rver';
const KINDS: Array<{ kind: Kind; make: (root: string) => Promise<LeaseStore> }> = [
  { kind: 'file', make: async (root) => new FileLeaseStore(root) },
  { kind: 'table', make: async (root) => TableLeaseStore.open(await connect(root)) },
  {
    kind: 'table on s3rver',
    make: async () => {
      // Through the conditional-write proxy: a real bucket honours If-None-Match, which Lance commits rely on.
      s3 = await startLocalS3({ conditionalWrites: true });
      return TableLeaseStore.open(await connect(s3.uri('leases'), { storageOptions: s3.storageOptions }));
    },
  },
];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function race(
  kind: string,
  root: string,
  contenders: number,
  storageOptions?: Record<string, string>,
): Promise<Array<{ owner: string; won: boolean }>> {
  requireBuild();
  // Children on object storage spend longer connecting before the start line.
  const startAt = Date.now() + (storageOptions ? 4000 : 1500);
  const options = storageOptions ? [JSON.stringify(storageOptions)] : [];
  const children = [...Array(contenders).keys()].map((i) =>
    spawn(process.execPath, [CHILD, kind, root, String(startAt), `p${i}`, ...options], {
      stdio: ['pipe', 'pipe', 'pipe'],
    }),
  );
  try {
    return await Promise.all(
      children.map(
        (child) =>
          new Promise<{ owner: string; won: boolean }>((resolve, reject) => {
            let out = '';
            let err = '';
            child.stdout.on('data', (d: Buffer) => {
              out += d.toString();
              if (out.includes('\n')) resolve(JSON.parse(out.trim()) as { owner: string; won: boolean });
            });
            child.stderr.on('data', (d: Buffer) => (err += d.toString()));
            child.on('exit', (code) => reject(new Error(`child exited early (${code}): ${err}`)));
          }),
      ),
    );
  } finally {
    // Every contender stays alive until all have answered: a dead holder's lease may rightly be broken.
    for (const child of children) child.stdin.end();
  }
}

describe.each(KINDS)('$kind lease store', ({ make }) => {
  it('lets one owner hold a lease until it releases it', async () => {
    temp = await makeTempDir('rag-lease-');
    const store = await make(temp.path);
    expect(await store.tryAcquire('kb-a', 'one', 10_000)).toBe(true);
    expect(await store.tryAcquire('kb-a', 'two', 10_000)).toBe(false);
    expect(await store.tryAcquire('kb-b', 'two', 10_000)).toBe(true);
    expect(await store.renew('kb-a', 'one', 10_000)).toBe(true);
    expect(await store.renew('kb-a', 'two', 10_000)).toBe(false);
    await store.release('kb-a', 'two'); // not the holder: no effect
    expect(await store.tryAcquire('kb-a', 'two', 10_000)).toBe(false);
    await store.release('kb-a', 'one');
    expect(await store.tryAcquire('kb-a', 'two', 10_000)).toBe(true);
  });

  it('lets another owner take a lease whose holder stopped renewing, and the old holder learns it lost it', async () => {
    temp = await makeTempDir('rag-lease-');
    const store = await make(temp.path);
    // A short lease, but long enough that the refused take below lands before it expires even when a loaded
    // machine makes each object-store round trip slow (200 ms was not, on s3rver at load 17).
    expect(await store.tryAcquire('gc', 'crashed', 3000)).toBe(true);
    expect(await store.tryAcquire('gc', 'next', 10_000)).toBe(false);
    await sleep(3100);
    expect(await store.tryAcquire('gc', 'next', 10_000)).toBe(true);
    expect(await store.renew('gc', 'crashed', 10_000)).toBe(false);
  });

  it('never brings back a released lease through a renewal that was already under way', async () => {
    temp = await makeTempDir('rag-lease-');
    const store = await make(temp.path);
    // The heartbeat renews every held lease on a timer, so a renewal can be in flight when the job releases.
    for (let i = 0; i < 3; i++) {
      expect(await store.tryAcquire('gc', 'holder', 10_000)).toBe(true);
      const renewing = store.renew('gc', 'holder', 10_000);
      await store.release('gc', 'holder');
      await renewing;
      expect(await store.tryAcquire('gc', 'next', 10_000), `round ${i}`).toBe(true);
      await store.release('gc', 'next');
    }
  });

  it("shows pins published by other owners until they expire, and an owner's new set replaces its old one", async () => {
    temp = await makeTempDir('rag-lease-');
    const store = await make(temp.path);
    // Long lives while visibility is checked (a loaded machine took over 300 ms per s3rver call), then a 1 ms one.
    await store.publishPins('reader', ['kb/1', 'kb/2'], 60_000);
    expect([...(await store.livePins('gc'))].sort()).toEqual(['kb/1', 'kb/2']);
    expect([...(await store.livePins('reader'))]).toEqual([]);
    await store.publishPins('reader', ['kb/2'], 60_000);
    expect([...(await store.livePins('gc'))]).toEqual(['kb/2']);
    await store.publishPins('reader', ['kb/3'], 1);
    await sleep(50);
    expect([...(await store.livePins('gc'))]).toEqual([]);
  });
});

// On s3rver through the conditional-write proxy: s3rver alone ignores If-None-Match, so no store on it could
// settle a true race; with the proxy it behaves as S3 does.
describe.each(KINDS)('$kind lease store under a race', ({ kind, make }) => {
  it('gives a lease to exactly one of six processes racing for it', async () => {
    temp = await makeTempDir('rag-lease-race-');
    await make(temp.path); // creates the lease table once, as an engine would at open
    const outcomes =
      kind === 'table on s3rver'
        ? await race(kind, s3!.uri('leases'), 6, s3!.storageOptions)
        : await race(kind, temp.path, 6);
    expect(outcomes.filter((o) => o.won)).toHaveLength(1);
  });
});

describe('file lease store', () => {
  it('breaks at once a lease left by a dead process on this host', async () => {
    temp = await makeTempDir('rag-lease-dead-');
    const dead = spawn(process.execPath, ['-e', '']);
    const pid = await new Promise<number>((resolve) => dead.on('exit', () => resolve(dead.pid!)));
    await mkdir(join(temp.path, '_coordination', 'leases'), { recursive: true });
    const { hostname } = await import('node:os');
    await writeFile(
      join(temp.path, '_coordination', 'leases', 'kb-a.lease'),
      JSON.stringify({ owner: 'ghost', host: hostname(), pid, expiresAt: Date.now() + 60_000 }),
    );
    const store = new FileLeaseStore(temp.path);
    expect(await store.tryAcquire('kb-a', 'alive', 10_000)).toBe(true);
  });

  it('ignores at once the pins of a process on this host that died, not those of live ones', async () => {
    requireBuild();
    temp = await makeTempDir('rag-pins-dead-');
    // A real process publishes its pins through the built store, then exits without withdrawing them (a crash).
    const script =
      `const { FileLeaseStore } = await import(${JSON.stringify(BUILT_FILE_STORE)});` +
      `await new FileLeaseStore(${JSON.stringify(temp.path)}).publishPins('ghost', ['kb/1'], 60_000);`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'inherit' });
    expect(await new Promise((resolve) => child.on('exit', resolve))).toBe(0);
    const store = new FileLeaseStore(temp.path);
    await store.publishPins('alive', ['kb/2'], 60_000);
    // The ghost's set has 60 s to live and its file is still there, but no search of a dead process is running.
    expect([...(await store.livePins('gc'))]).toEqual(['kb/2']);
  });
});
