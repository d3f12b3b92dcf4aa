// The reliability suite (crash, disk-full, concurrency, fuzzing): run with `npm run test:reliability`.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/reliability/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
    maxWorkers: 2,
    minWorkers: 1,
  },
});
