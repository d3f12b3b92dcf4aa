// 16 clients over Streamable HTTP on the built server: searches, writes, promotions and GC on the same KBs at once.
import { describe, expect, it } from 'vitest';
import { requireBuild } from '../helpers/built-server.js';
import { runConcurrency } from './harness/concurrency-run.js';

/** Shorter than the 60 s of `npm run torture`; the invariants are the same. */
const SECONDS = Number(process.env.RAG_STUDIO_CONCURRENCY_SECONDS ?? 12);

describe('16 concurrent HTTP clients', () => {
  it(`lose nothing and only meet documented conflicts in ${SECONDS} s of mixed load`, async () => {
    requireBuild();
    const report = await runConcurrency({ clients: 16, seconds: SECONDS });
    expect(report.violations).toEqual([]);
    // Every kind of call really ran, and the final check covered more than the seed data.
    for (const op of [
      'hybrid_search',
      'upsert_chunks',
      'delete_chunks',
      'create_generation',
      'promote_generation',
      'run_gc',
    ]) {
      expect(report.perOp[op]?.calls ?? 0, op).toBeGreaterThan(0);
    }
    expect(report.checkedGenerations).toBeGreaterThan(2);
  }, 120_000);
});
