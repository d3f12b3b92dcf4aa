// SIGKILL an engine process while it copies generations or promotes them: one whole active generation survives.
import { describe } from 'vitest';
import {
  createGenerationScenario,
  newKnowledgeBaseScenario,
  promoteScenario,
} from './harness/crash-engine-scenarios.js';
import { crashTest } from './harness/crash-suite.js';

describe('crash safety of generation changes', () => {
  crashTest(createGenerationScenario, 240_000);
  crashTest(promoteScenario, 240_000);
  crashTest(newKnowledgeBaseScenario, 240_000);
});
