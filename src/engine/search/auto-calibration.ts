// When a generation's fusion weights are (re)measured, and the background job that does it off the request path.
import type { EngineContext } from '../context.js';
import type { GenerationRecord } from '../storage/catalog.js';
import { withFusionCalibration } from '../generations/lifecycle.js';
import type { CalibrationReason, FusionCalibration } from '../types.js';
import { calibrateFusion, canCalibrate, round3 } from './calibration.js';
import { measureOnGolden, usableGoldenRevision } from './golden-calibration.js';

/**
 * Rows a generation needs before it is calibrated in the background. Below it probes are few and repeat, and
 * every write would change the answer; a seal still calibrates any generation with MIN_PROBES usable chunks.
 */
export const CALIBRATION_MIN_ROWS = 50;
/** A generation that grew to this many times its rows at the last calibration is calibrated again. */
export const RECALIBRATION_GROWTH = 2;
/** A hybrid search on an uncalibrated generation checks it again at most this often (cheap, but not free). */
const SEARCH_NUDGE_INTERVAL_MS = 30_000;
/** Generations calibrated in the background: sealed or written-to ones that can serve (not building, not archived). */
const SERVING = new Set(['ready', 'active']);

/**
 * Why `calibration` should be measured again now, or null. `rows` is the generation's row count now and
 * `goldenRevision` the usable golden set's revision (usableGoldenRevision).
 */
export function calibrationDue(
  calibration: FusionCalibration | null,
  rows: number,
  goldenRevision: number,
): CalibrationReason | null {
  if (!calibration) return rows >= CALIBRATION_MIN_ROWS ? 'uncalibrated' : null;
  if ((calibration.goldenRevision ?? 0) !== goldenRevision) return 'golden';
  if (byOlderMethod(calibration) && rows >= CALIBRATION_MIN_ROWS) return 'method';
  if (rows >= CALIBRATION_MIN_ROWS && rows >= RECALIBRATION_GROWTH * Math.max(1, calibration.chunkCount))
    return 'growth';
  return null;
}

/**
 * True for probe weights measured before held-out probes existed (no probeKind): verbatim probes could not see
 * a weak model's value (BENCHMARKS.md), so such a calibration is measured once more.
 */
export function byOlderMethod(calibration: FusionCalibration | null | undefined): boolean {
  return calibration?.source === 'probes' && calibration.probeKind === undefined;
}

/**
 * Measures the fusion weights of `record`: probe queries cut from its chunks (calibration.ts), overridden by
 * the KB's golden queries when it has at least MIN_GOLDEN_QUERIES of them (the weight that ranks their
 * expected documents best; near-ties go to the probes' weight). Null when neither can be measured.
 */
export async function measureFusion(
  ctx: EngineContext,
  record: GenerationRecord,
  reason: CalibrationReason,
  signal?: AbortSignal,
): Promise<FusionCalibration | null> {
  if (!canCalibrate(ctx, record)) return null;
  const started = performance.now();
  const set = await ctx.goldenQueries.get(record.kb).catch(() => undefined);
  const goldenRevision = usableGoldenRevision(set);
  const probes = await calibrateFusion(ctx, record, reason, signal);
  const golden =
    goldenRevision > 0 && !signal?.aborted
      ? await measureOnGolden(ctx, record, set!, probes?.weights.vector ?? 0.5, signal)
      : null;
  if (signal?.aborted) return null;
  if (!golden) return probes && { ...probes, goldenRevision };
  const table = await ctx.tables.open(record.tableName);
  const base = probes ?? {
    probes: 0,
    probeMrr: { vector: 0, lexical: 0, fused: 0 },
    seed: 0,
    chunkCount: table ? await table.countRows() : 0,
    embeddingModel: record.embedding!.model,
  };
  return {
    ...base,
    weights: { vector: round3(golden.vectorWeight), lexical: round3(1 - golden.vectorWeight) },
    source: 'golden',
    reason,
    goldenRevision,
    golden: golden.golden,
    typicalMargin: golden.typicalMargin,
    tookMs: Math.round(performance.now() - started),
    calibratedAt: new Date().toISOString(),
  };
}

/**
 * Calibrates generations that were never sealed, grew, or whose golden queries changed, in the background.
 *
 * Triggers: the index maintenance's idle refresh (writes to the table paused), a hybrid search that ran
 * uncalibrated, and set_golden_queries. Jobs run one at a time per process, after the request that asked.
 * Invariants across processes sharing a store: (1) one process at a time measures a KB (the `calibrate-<kb>`
 * lease; another process finding it held skips, the holder will write); (2) the result is written by one
 * catalog commit under the KB's writer lease, to a record re-read under it, and only if nobody stored a newer
 * calibration meanwhile — a SIGKILL leaves the old record or the new one. Read-only engines never calibrate:
 * they serve what a writer stored (equal priors until then), since recomputing in each reader costs seconds
 * of CPU per generation and per start.
 */
export class FusionCalibrator {
  private chain: Promise<void> = Promise.resolve();
  private readonly queued = new Set<string>();
  private readonly nudgedAt = new Map<string, number>();
  private readonly abort = new AbortController();

  constructor(private readonly ctx: EngineContext) {}

  /** Queues a check of `kb`/`generation`; `fromSearch` checks are rate-limited per generation. */
  schedule(kb: string, generation: number, fromSearch = false): void {
    if (this.ctx.readOnly || this.abort.signal.aborted) return;
    const key = `${kb}/${generation}`;
    if (this.queued.has(key)) return;
    if (fromSearch) {
      if (Date.now() - (this.nudgedAt.get(key) ?? -Infinity) < SEARCH_NUDGE_INTERVAL_MS) return;
      this.nudgedAt.set(key, Date.now());
    }
    this.queued.add(key);
    this.chain = this.chain.then(async () => {
      this.queued.delete(key);
      if (this.abort.signal.aborted) return;
      try {
        await this.calibrateIfDue(kb, generation);
      } catch (error) {
        // Search stays correct with the old (or equal) weights; the next trigger retries.
        this.ctx.log('warning', `background fusion calibration of "${kb}" failed: ${String(error)}`);
      }
    });
  }

  /** Queues every serving generation of `kb` (its golden queries changed). */
  scheduleKb(kb: string): void {
    for (const g of this.ctx.catalog.generations(kb))
      if (SERVING.has(g.status)) this.schedule(kb, g.generation);
  }

  /** Resolves when the jobs queued so far are done (including any they queue for the same generation). */
  async settled(): Promise<void> {
    let seen: Promise<void> | undefined;
    while (seen !== this.chain) {
      seen = this.chain;
      await seen;
    }
  }

  /** Stops a calibration under way (nothing is stored) and waits for it: engine close. */
  async close(): Promise<void> {
    this.abort.abort();
    await this.chain;
  }

  private async calibrateIfDue(kb: string, generation: number): Promise<void> {
    const ctx = this.ctx;
    await ctx.catalog.follow();
    const record = ctx.catalog.get(kb, generation);
    if (!record || !SERVING.has(record.status) || !canCalibrate(ctx, record)) return;
    const table = await ctx.tables.open(record.tableName);
    if (!table) return;
    const rows = await table.countRows();
    const goldenRevision = usableGoldenRevision(await ctx.goldenQueries.get(kb));
    const reason = calibrationDue(record.fusionCalibration, rows, goldenRevision);
    if (!reason) return;
    await ctx.coordination.tryHold(`calibrate-${kb}`, async () => {
      const calibration = await measureFusion(ctx, record, reason, this.abort.signal);
      if (!calibration) return;
      const stored = await ctx.kbLocks.run(kb, async () => {
        const current = ctx.catalog.get(kb, generation);
        if (!current || !SERVING.has(current.status)) return undefined;
        if (current.embedding?.model !== calibration.embeddingModel) return undefined;
        // Another process (or a seal) stored one since this job read the record: it is at least as new.
        if (current.fusionCalibration?.calibratedAt !== record.fusionCalibration?.calibratedAt)
          return undefined;
        await ctx.catalog.commit([withFusionCalibration(current, calibration, Date.now())]);
        return current.status;
      });
      if (!stored) return;
      ctx.log(
        'info',
        `calibrated hybrid fusion of "${kb}" generation ${generation} (${reason}, ${calibration.source}): ` +
          `vector ${calibration.weights.vector}, lexical ${calibration.weights.lexical} in ${calibration.tookMs} ms`,
      );
      ctx.emit({ type: 'generation_changed', kb, generation, status: stored });
    });
  }
}
