// The promotion gate: a KB's golden queries run on the candidate and the active generation; a recall drop refuses it.
import { requireGeneration, type EngineContext } from '../context.js';
import { EngineError } from '../errors.js';
import { arg, op } from '../terms.js';
import { sealGeneration } from '../generations/promote.js';
import { checkTolerance } from './golden-queries.js';
import { validateKbName } from '../validation.js';
import { meanOf, rankQueries } from './rank-queries.js';

export interface PromoteOptions {
  /**
   * Run the KB's golden queries first and refuse the promotion on a recall drop. Default: true when the KB has
   * golden queries, else false. true without golden queries is INVALID_STATE.
   */
  gate?: boolean;
  /** Overrides the stored tolerance (largest accepted drop of mean recall@k, 0..1) for this call. */
  tolerance?: number;
}

export interface GateReport {
  passed: boolean;
  /** The generation compared against (the active one); null when there was none, so nothing could regress. */
  baseGeneration: number | null;
  candidateGeneration: number;
  k: number;
  tolerance: number;
  /** Revision of the golden set used. */
  goldenRevision: number;
  baseRecall: number | null;
  candidateRecall: number;
  /** baseRecall − candidateRecall (negative: the candidate is better). */
  drop: number;
  /** Queries whose recall fell, worst first. */
  regressions: Array<{ query: string; baseRecall: number; candidateRecall: number; missing: string[] }>;
  /** True when the candidate had to be sealed (indexed) before its queries could run. */
  sealed: boolean;
}

/** Regressed queries a refusal message names; the full list is in the error's details. */
const NAMED_REGRESSIONS = 5;

/**
 * Runs the gate for promoting `generation` of `kb`, or returns null when no gate applies. Throws GATE_FAILED
 * with the report (message and details) when mean recall@k drops by more than the tolerance. The candidate is
 * sealed first, so its queries run on the indexes it will serve with.
 */
export async function runPromotionGate(
  ctx: EngineContext,
  kbInput: string,
  generation: number,
  options: PromoteOptions,
): Promise<GateReport | null> {
  // The promotion's own checks, first: a bad name or number must not reach the golden-query read.
  const kb = validateKbName(kbInput);
  if (typeof generation !== 'number' || !Number.isInteger(generation) || generation < 1) {
    throw new EngineError(
      'INVALID_INPUT',
      `generation must be a positive integer; got ${String(generation)}`,
    );
  }
  if (options.gate !== undefined && typeof options.gate !== 'boolean') {
    throw new EngineError('INVALID_INPUT', `gate must be true or false; got ${String(options.gate)}`);
  }
  const golden = options.gate === false ? undefined : await ctx.goldenQueries.get(kb);
  const hasGolden = golden !== undefined && golden.queries.length > 0;
  if (!(options.gate ?? hasGolden)) return null;
  if (!golden || !hasGolden) {
    throw new EngineError(
      'INVALID_STATE',
      `gate: true, but "${kb}" has no golden queries to gate with; store some with ${op('setGoldenQueries')} (queries with ${arg('expected')}), or promote without gate`,
    );
  }
  const tolerance = checkTolerance(options.tolerance ?? golden.tolerance);
  let target = requireGeneration(ctx, kb, generation);
  let sealed = false;
  if (target.status === 'building' && target.embedding) {
    target = await sealGeneration(ctx, kb, generation);
    sealed = true;
  }
  const active = ctx.catalog.active(kb);
  const candidate = await rankQueries(ctx, kb, generation, golden.queries, golden.k, 'hybrid');
  const candidateRecall = meanOf(candidate.map((r) => r.recall)) ?? 0;
  const report: GateReport = {
    passed: true,
    baseGeneration: null,
    candidateGeneration: generation,
    k: golden.k,
    tolerance,
    goldenRevision: golden.revision,
    baseRecall: null,
    candidateRecall,
    drop: 0,
    regressions: [],
    sealed,
  };
  if (!active || active.generation === generation) return report;
  const base = await rankQueries(ctx, kb, active.generation, golden.queries, golden.k, 'hybrid');
  const baseRecall = meanOf(base.map((r) => r.recall)) ?? 0;
  report.baseGeneration = active.generation;
  report.baseRecall = baseRecall;
  report.drop = baseRecall - candidateRecall;
  report.regressions = golden.queries
    .map((query, i) => ({
      query: query.text,
      baseRecall: base[i]!.recall ?? 0,
      candidateRecall: candidate[i]!.recall ?? 0,
      missing: (query.expected ?? []).filter(
        (id) => base[i]!.documentIds.includes(id) && !candidate[i]!.documentIds.includes(id),
      ),
    }))
    .filter((q) => q.candidateRecall < q.baseRecall)
    .sort((a, b) => b.baseRecall - b.candidateRecall - (a.baseRecall - a.candidateRecall));
  // A hair of slack: means of fractions are not exact in binary, and 0.1 − 0.05 must pass a 0.05 tolerance.
  report.passed = report.drop <= tolerance + 1e-9;
  if (!report.passed) throw gateFailed(kb, report);
  return report;
}

function gateFailed(kb: string, report: GateReport): EngineError {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const named = report.regressions
    .slice(0, NAMED_REGRESSIONS)
    .map(
      (q) =>
        `"${q.query.slice(0, 80)}" ${pct(q.baseRecall)} → ${pct(q.candidateRecall)}` +
        (q.missing.length > 0 ? ` (lost ${q.missing.slice(0, 3).join(', ')})` : ''),
    )
    .join('; ');
  const more =
    report.regressions.length > NAMED_REGRESSIONS
      ? `; and ${report.regressions.length - NAMED_REGRESSIONS} more`
      : '';
  return new EngineError(
    'GATE_FAILED',
    `promotion of generation ${report.candidateGeneration} of "${kb}" refused: mean recall@${report.k} over the golden queries (revision ${report.goldenRevision}) drops from ${pct(report.baseRecall ?? 0)} (active generation ${report.baseGeneration}) to ${pct(report.candidateRecall)}, a drop of ${pct(report.drop)} > tolerance ${pct(report.tolerance)}. Regressed: ${named}${more}. Nothing changed; generation ${report.candidateGeneration} stays unpromoted. Inspect with ${op('compareGenerations')}, fix and rebuild, or promote with a larger tolerance or gate: false if the drop is intended.`,
    { details: report },
  );
}
