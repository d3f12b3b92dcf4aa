// Test file order for the 2-worker pool: longest first, so a long crash suite never starts last and runs alone.
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Seconds each slow file takes in CI (Node 22, `npm test`), for a clean clone where vitest has no results cache.
 * Vitest's own fallback runs bigger files first, which put the crash suites (tiny files, minutes each) at the very
 * end, where one of them ran alone for over four minutes. Only the order depends on these numbers, never a result:
 * refresh them from a CI report now and then (`ci-results/node22.json`, endTime − startTime per file). Last
 * refreshed 2026-12-01 from a run on a host twice as slow as usual (halved), calibration files as measured after
 * test engines moved to 30 probes.
 */
const EXPECTED_SECONDS: Record<string, number> = {
  'test/reliability/multiprocess-s3.test.ts': 105,
  'test/reliability/crash-generations.test.ts': 102,
  'test/reliability/fuzz-tools.test.ts': 102,
  'test/engine/search/calibration.test.ts': 100,
  'test/reliability/crash-writes.test.ts': 88,
  'test/engine/search/ann-recall.test.ts': 82,
  'test/reliability/crash-gc.test.ts': 58,
  'test/reliability/crash-ingest.test.ts': 56,
  'test/engine/search/auto-calibration.test.ts': 45,
  'test/reliability/crash-golden-queries.test.ts': 39,
  'test/studio/studio.test.ts': 35,
  'test/reliability/crash-multiprocess.test.ts': 33,
  'test/reliability/abuse-model.test.ts': 32,
  'test/reliability/crash-migration.test.ts': 31,
  'test/reliability/multiprocess.test.ts': 29,
  'test/reliability/round-trip.test.ts': 29,
  'test/cli/ingest.test.ts': 24,
  'test/engine/coordination/lease-store.test.ts': 23,
  'test/engine/embedding/transformers-embedder.test.ts': 22,
  'test/package/packed-install.test.ts': 20,
  'test/engine/generations/promotion-crash.test.ts': 20,
  'test/server/inspector.test.ts': 16,
};

/**
 * Longest expected duration first (the greedy longest-processing-time rule, within a few percent of the best
 * split over two workers): vitest's cached duration of the last local run when there is one, else the CI table
 * above, else 0; ties (the many short files) bigger file first, as vitest does.
 */
export class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const root = this.ctx.config.root;
    const weight = (spec: TestSpecification) => {
      const path = relative(root, spec.moduleId).split('\\').join('/');
      const cached = this.ctx.cache.getFileTestResults(`${spec.project.name}:${path}`)?.duration;
      return cached ?? 1000 * (EXPECTED_SECONDS[path] ?? 0);
    };
    const size = (spec: TestSpecification) =>
      this.ctx.cache.getFileStats(`${spec.project.name}:${relative(root, spec.moduleId)}`)?.size ?? 0;
    return [...files].sort((a, b) => weight(b) - weight(a) || size(b) - size(a));
  }
}
