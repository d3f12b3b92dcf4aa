// Test runner configuration: real LanceDB in temp dirs makes tests I/O-bound, so give them room.
import { defineConfig } from 'vitest/config';
import { LongestFirstSequencer } from './test/sequencer.js';

export default defineConfig({
  test: {
    pool: 'forks',
    maxWorkers: 2,
    minWorkers: 1,
    // Both projects share the 2 workers; the slowest files start first (see test/sequencer.ts).
    sequence: { sequencer: LongestFirstSequencer },
    // CI also writes a JSON report so .ci/run can print one plain "N passed, N failed" line.
    reporters: process.env.CI
      ? ['default', ['json', { outputFile: 'test-results/vitest.json' }]]
      : ['default'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/reliability/**', 'node_modules/**'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        // Crash trials, disk-full and read-only mounts, 16 HTTP clients, fuzzing: `npm run test:reliability`
        // runs only these. Their children run dist/, which `npm test` builds first.
        extends: true,
        test: {
          name: 'reliability',
          include: ['test/reliability/**/*.test.ts'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
