// SIGKILL an engine while its first write migrates a two-field BM25 table: every state searches, a rerun finishes.
import { describe } from 'vitest';
import { migrationScenario } from './harness/crash-migration-scenario.js';
import { crashTest } from './harness/crash-suite.js';

describe('crash safety of the search_text migration', () => {
  crashTest(migrationScenario, 240_000);
});
