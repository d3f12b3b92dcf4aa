// Crash scenario for set_golden_queries: a SIGKILL mid-write leaves the last acknowledged set or the one in flight, whole.
import { join } from 'node:path';
import type { KnowledgeBaseEngine, SetGoldenQueriesRequest } from '../../../src/engine/index.js';
import { openVerifier, verifyAfterCrash } from './crash-checks.js';
import { generationChunks } from './crash-engine-scenarios.js';
import { copyTemplate, killDelay, runEngineChild, type CrashScenario } from './crash-trial.js';

/** Same sets as goldenSet() in test/fixtures/crash-engine-child.mjs: write i is stored as revision i + 1. */
export function goldenSet(i: number): SetGoldenQueriesRequest {
  return {
    queries: Array.from({ length: 1 + (i % 4) }, (_, q) => ({
      text: `alpha ${i} query ${q}`,
      expected: [`g1-d${(i + q) % 5}`],
    })),
    k: 1 + (i % 10),
    tolerance: (i % 7) / 10,
  };
}

function sameSet(
  stored: Awaited<ReturnType<KnowledgeBaseEngine['getGoldenQueries']>>,
  want: SetGoldenQueriesRequest,
): boolean {
  return (
    stored !== null &&
    JSON.stringify(stored.queries) === JSON.stringify(want.queries) &&
    stored.k === want.k &&
    stored.tolerance === want.tolerance
  );
}

export const goldenQueriesScenario: CrashScenario = {
  name: 'set_golden_queries',
  prepare: async (root) => {
    const engine = await openVerifier(join(root, 'data'));
    try {
      await engine.upsertChunks('kb', generationChunks(1, 20));
    } finally {
      await engine.close();
    }
  },
  async trial(root, workDir, random) {
    await copyTemplate(join(root, 'data'), workDir);
    const log = await runEngineChild('golden', workDir, killDelay(random, 1500));
    const violations = await verifyAfterCrash(workDir, { tagged: true }, async (engine, _actives, v) => {
      if (log.unexpectedExit) v.add(log.unexpectedExit);
      for (const ack of log.acks) {
        if (Number(ack.revision) !== Number(ack.i) + 1)
          v.add(`write ${String(ack.i)} was acknowledged as revision ${String(ack.revision)}`);
      }
      const last = log.acks.length - 1; // -1: none acknowledged
      const inFlight = log.inFlight ? Number(log.inFlight.i) : undefined;
      const stored = await engine.getGoldenQueries('kb');
      const revision = stored?.revision ?? 0;
      // The newest acknowledged set, or the one in flight if its commit landed: never older, never a mix.
      if (revision === last + 1) {
        if (last >= 0 && !sameSet(stored, goldenSet(last)))
          v.add(`revision ${revision} does not hold acknowledged write ${last} whole`);
      } else if (inFlight !== undefined && revision === inFlight + 1) {
        if (!sameSet(stored, goldenSet(inFlight)))
          v.add(`revision ${revision} does not hold in-flight write ${inFlight} whole`);
      } else {
        v.add(`golden set at revision ${revision}; last acknowledged write ${last}, in flight ${inFlight}`);
      }
      // The next writer (once the dead holder's lease expires) builds on it with a conditional write.
      const next = goldenSet(revision + 100);
      const written = await v.guard('set golden queries after the crash', () =>
        engine.setGoldenQueries('kb', { ...next, ifRevision: revision }),
      );
      if (written && written.revision !== revision + 1)
        v.add(`the write after the crash made revision ${written.revision}, expected ${revision + 1}`);
      if (!sameSet(await engine.getGoldenQueries('kb'), next))
        v.add('the write after the crash is not read back');
    });
    return { violations, acked: log.acks.length, killedDuring: String(log.inFlight?.op ?? 'idle') };
  },
};
