// Crash scenario for many processes on one store: three servers run mixed operations, one is SIGKILLed mid-work.
import { mkdir } from 'node:fs/promises';
import { startFleet } from './multiprocess.js';
import { MixedOps } from './multiprocess-mixed.js';
import type { CrashScenario, TrialResult } from './crash-trial.js';

const SERVERS = 3;

/**
 * Each trial: three built servers on a fresh data dir run random operations (upsert, delete, create, promote,
 * GC, search) concurrently; one, chosen at random, is SIGKILLed 0.3–1.8 s in; the survivors go on for 2.5 s.
 * Violations: a survivor that completed no call after the kill (a dead process's lease blocked it), and
 * every failed check of MixedOps.verify (catalog rows, one active, views agree, acknowledged writes present).
 */
export const multiprocessScenario: CrashScenario = {
  name: 'one of 3 servers on one data dir',
  async prepare() {},
  async trial(_template, workDir, random): Promise<TrialResult> {
    await mkdir(workDir, { recursive: true });
    const fleet = await startFleet(workDir, SERVERS, { RAG_STUDIO_STALENESS_MS: '200' });
    try {
      const ops = new MixedOps('crashy', Math.floor(random() * 2 ** 30));
      await ops.seedKb(fleet.servers[0]!.client);
      const victim = Math.floor(random() * SERVERS);
      let killedAt = Infinity;
      let stop = false;
      const afterKill = Array<number>(SERVERS).fill(0);
      const loops = fleet.servers.map(async (server, i) => {
        while (!stop && !(i === victim && Date.now() >= killedAt)) {
          if ((await ops.run(server.client)) && Date.now() > killedAt) afterKill[i]!++;
        }
      });
      await new Promise((resolve) => setTimeout(resolve, 300 + random() * 1500));
      const ackedBeforeKill = ops.acks.size;
      killedAt = Date.now();
      process.kill(fleet.servers[victim]!.transport.pid!, 'SIGKILL');
      await new Promise((resolve) => setTimeout(resolve, 2500));
      stop = true;
      await Promise.all(loops);
      const survivors = fleet.servers.filter((_, i) => i !== victim).map((s) => s.client);
      const violations = await ops.verify(survivors);
      for (let i = 0; i < SERVERS; i++) {
        if (i !== victim && afterKill[i] === 0)
          violations.push(`survivor ${i} completed no call after the kill`);
      }
      return { violations, acked: ackedBeforeKill, killedDuring: 'mixed operations' };
    } finally {
      await fleet.close();
    }
  },
};
