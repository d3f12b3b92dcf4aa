// SIGKILL an engine process while it stores golden queries: the set is the last acknowledged one or the one in flight.
import { describe } from 'vitest';
import { goldenQueriesScenario } from './harness/crash-golden-scenario.js';
import { crashTest } from './harness/crash-suite.js';

describe('crash safety of golden query writes', () => {
  crashTest(goldenQueriesScenario, 240_000);
});
