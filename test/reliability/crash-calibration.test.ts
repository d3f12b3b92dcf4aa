// SIGKILL an engine process while it recalibrates hybrid fusion in the background: the catalog stays whole.
import { describe, expect, it } from 'vitest';
import { requireBuild } from '../helpers/built-server.js';
import { seededRandom } from '../helpers/clustered-vectors.js';
import { calibrationScenario } from './harness/crash-calibration-scenario.js';
import { runScenario } from './harness/crash-trial.js';

/**
 * Fewer trials than the other crash tests (each calibration takes seconds, and its write is one merge-insert
 * commit like a seal's, tortured there); RAG_STUDIO_CRASH_TRIALS raises it, `npm run torture -- --ops
 * calibrate` goes further.
 */
const TRIALS = Math.max(3, Number(process.env.RAG_STUDIO_CRASH_TRIALS ?? 3));

describe('crash safety of background fusion calibration', () => {
  it(`${TRIALS} SIGKILLs while golden sets trigger recalibrations break no invariant`, async () => {
    requireBuild();
    const seed = Date.now() >>> 0;
    const summary = await runScenario(calibrationScenario, TRIALS, seededRandom(seed));
    expect(summary.examples, `seed ${seed}: ${summary.violations} violations`).toEqual([]);
    // Every kill landed while a golden set or its recalibration was under way, not before the first call.
    expect(summary.killedDuring).toEqual({ calibrate: TRIALS });
  }, 300_000);
});
