// SIGKILL one of three servers on one data dir at a random moment: the survivors keep serving and the invariants hold.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../helpers/clustered-vectors.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { startFleet } from './harness/multiprocess.js';
import { MixedOps } from './harness/multiprocess-mixed.js';

const TRIALS = Math.max(4, Number(process.env.RAG_STUDIO_MULTIPROCESS_CRASH_TRIALS ?? 4));

describe('crash of one of several processes on one store', () => {
  it(`${TRIALS} trials: one of three servers SIGKILLed mid-work; survivors serve, nothing acknowledged is lost`, async () => {
    const seed = Date.now() >>> 0;
    const random = seededRandom(seed);
    for (let trial = 0; trial < TRIALS; trial++) {
      const temp = await makeTempDir('rag-mp-crash-');
      const fleet = await startFleet(temp.path, 3, { RAG_STUDIO_STALENESS_MS: '200' });
      try {
        const ops = new MixedOps('crashy', seed + trial);
        await ops.seedKb(fleet.servers[0]!.client);
        const victim = Math.floor(random() * 3);
        let killedAt = Infinity;
        let stop = false;
        const afterKill = [0, 0, 0];
        const loops = fleet.servers.map(async (server, i) => {
          while (!stop && !(i === victim && Date.now() >= killedAt)) {
            if ((await ops.run(server.client)) && Date.now() > killedAt) afterKill[i]!++;
          }
        });
        await new Promise((resolve) => setTimeout(resolve, 300 + random() * 1500));
        killedAt = Date.now();
        process.kill(fleet.servers[victim]!.transport.pid!, 'SIGKILL');
        await new Promise((resolve) => setTimeout(resolve, 2500));
        stop = true;
        await Promise.all(loops);
        const survivors = fleet.servers.filter((_, i) => i !== victim).map((s) => s.client);
        const problems = await ops.verify(survivors);
        expect(problems, `seed ${seed}, trial ${trial}, victim ${victim}`).toEqual([]);
        // Each survivor completed calls after the kill: a dead process's leases did not block them.
        for (let i = 0; i < 3; i++)
          if (i !== victim) expect(afterKill[i], `survivor ${i}`).toBeGreaterThan(0);
      } finally {
        await fleet.close();
        await temp.remove();
      }
    }
  }, 300_000);
});
