// Runs the KB lock and pin contracts against each implementation: in-process, and across processes on one
// store (file leases on local disk, the lease table used on object storage). Each Coordination is its own owner,
// as a separate process would be.
import { connect } from '@lancedb/lancedb';
import { KeyedMutex } from '../../../src/engine/concurrency.js';
import { Coordination, KbWriterLocks } from '../../../src/engine/coordination/coordination.js';
import { FileLeaseStore } from '../../../src/engine/coordination/file-lease-store.js';
import type { LeaseStore } from '../../../src/engine/coordination/lease-store.js';
import { TableLeaseStore } from '../../../src/engine/coordination/table-lease-store.js';
import { runKbLockContract, runPinsContract } from '../../helpers/coordination-contract.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

const log = () => undefined;
const TTL_MS = 10_000;
const noRefresh = async () => undefined;

/** Two coordinations ("processes") on one store, or on none (in-process). */
async function twoProcesses(store: ((root: string) => Promise<LeaseStore>) | undefined) {
  const dir = await makeTempDir();
  const a = new Coordination(store ? await store(dir.path) : undefined, TTL_MS, log);
  const b = new Coordination(store ? await store(dir.path) : undefined, TTL_MS, log);
  return {
    a,
    b,
    close: async () => {
      await a.close();
      await b.close();
      await dir.remove();
    },
  };
}

const STORES: Array<[string, (root: string) => Promise<LeaseStore>]> = [
  ['file leases', async (root) => new FileLeaseStore(root)],
  ['lease table', async (root) => TableLeaseStore.open(await connect(root))],
];

runKbLockContract('in-process KeyedMutex', async () => {
  const mutex = new KeyedMutex();
  return { a: mutex, b: mutex, close: async () => undefined };
});

runKbLockContract('KbWriterLocks without a store (one process)', async () => {
  const { a, close } = await twoProcesses(undefined);
  const locks = new KbWriterLocks(new KeyedMutex(), a, noRefresh);
  return { a: locks, b: locks, close };
});

runPinsContract('in-process (no store)', async () => {
  const { a, close } = await twoProcesses(undefined);
  return { pins: a, peer: undefined, close };
});

for (const [name, store] of STORES) {
  runKbLockContract(`KbWriterLocks across processes, ${name}`, async () => {
    const { a, b, close } = await twoProcesses(store);
    return {
      a: new KbWriterLocks(new KeyedMutex(), a, noRefresh),
      b: new KbWriterLocks(new KeyedMutex(), b, noRefresh),
      close,
    };
  });

  runPinsContract(`across processes, ${name}`, async () => {
    const { a, b, close } = await twoProcesses(store);
    return { pins: a, peer: b, close };
  });
}
