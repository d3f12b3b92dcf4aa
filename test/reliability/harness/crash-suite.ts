// The vitest side of the crash scenarios: N trials, every violation printed, and proof that kills landed mid-work.
import { expect, it } from 'vitest';
import { seededRandom } from '../../helpers/clustered-vectors.js';
import { requireBuild } from '../../helpers/built-server.js';
import { runScenario, type CrashScenario } from './crash-trial.js';

/** At least 20 per operation in the default suite; RAG_STUDIO_CRASH_TRIALS raises it (npm run torture goes further). */
export const CRASH_TRIALS = Math.max(20, Number(process.env.RAG_STUDIO_CRASH_TRIALS ?? 20));

export function crashTest(scenario: CrashScenario, timeoutMs: number): void {
  it(
    `${scenario.name}: ${CRASH_TRIALS} SIGKILLs at random moments break no invariant`,
    async () => {
      requireBuild();
      const seed = Date.now() >>> 0;
      const needed = Math.floor(CRASH_TRIALS / 3) + 1;
      const summary = await runScenario(scenario, CRASH_TRIALS, seededRandom(seed), undefined, {
        minTrialsWithAcks: needed,
        maxTrials: 2 * CRASH_TRIALS,
      });
      expect(summary.examples, `seed ${seed}: ${summary.violations} violations`).toEqual([]);
      // Over a third of the kills landed after acknowledged work, not only before the first call.
      expect(summary.trialsWithAcks).toBeGreaterThanOrEqual(needed);
    },
    // Doubled for the extra trials a loaded machine may need (a 20-trial run took 230 s of 240 s there).
    2 * timeoutMs,
  );
}
