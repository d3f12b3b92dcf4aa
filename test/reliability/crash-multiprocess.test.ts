// SIGKILL one of three servers on one data dir at a random moment: the survivors keep serving and the invariants hold.
import { describe, expect, it } from 'vitest';
import { requireBuild } from '../helpers/built-server.js';
import { seededRandom } from '../helpers/clustered-vectors.js';
import { multiprocessScenario } from './harness/crash-multiprocess-scenario.js';
import { runScenario } from './harness/crash-trial.js';

/** Each trial takes ~10 s (three servers); `npm run torture -- --ops multiprocess` runs many more. */
const TRIALS = Math.max(4, Number(process.env.RAG_STUDIO_MULTIPROCESS_CRASH_TRIALS ?? 4));

describe('crash of one of several processes on one store', () => {
  it(`${TRIALS} trials: one of three servers SIGKILLed mid-work; survivors serve, nothing acknowledged is lost`, async () => {
    requireBuild();
    const seed = Date.now() >>> 0;
    const summary = await runScenario(multiprocessScenario, TRIALS, seededRandom(seed));
    expect(summary.examples, `seed ${seed}`).toEqual([]);
    expect(summary.trialsWithAcks).toBe(TRIALS);
  }, 300_000);
});
