// SIGKILL the built server (stdio) while a client upserts or deletes: acknowledged writes survive whole.
import { describe } from 'vitest';
import { deleteScenario, upsertScenario } from './harness/crash-server-scenarios.js';
import { crashTest } from './harness/crash-suite.js';

describe('crash safety of writes through the server', () => {
  crashTest(upsertScenario, 240_000);
  crashTest(deleteScenario, 240_000);
});
