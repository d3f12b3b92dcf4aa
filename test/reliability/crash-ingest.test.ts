// SIGKILL during folder ingestion: every document stays wholly one version; re-running heals without duplicates.
import { describe } from 'vitest';
import { ingestScenario } from './harness/crash-ingest-scenario.js';
import { crashTest } from './harness/crash-suite.js';

describe('crash safety of ingestion', () => {
  crashTest(ingestScenario, 300_000);
});
