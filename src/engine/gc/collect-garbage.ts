// Epoch-based GC: drop archived generations past retention, abandoned builds and orphans; compact the active.
import { underKbLock } from '../concurrency.js';
import { kbNotFound, requireWritable, type EngineContext } from '../context.js';
import { EngineError, isEngineError, storageError } from '../errors.js';
import type { GenerationRecord } from '../storage/catalog.js';
import { tableStats } from '../storage/generation-tables.js';
import type { GcOptions, GcReport } from '../types.js';
import { validateKbName } from '../validation.js';
import { markForDeletion, tombstone } from '../generations/lifecycle.js';

interface GcSettings {
  dryRun: boolean;
  retentionEpochs: number;
  minAgeMs: number;
  buildingTtlMs: number;
  now: number;
}

interface KbPlan {
  victims: Array<{ record: GenerationRecord; reason: string }>;
  kept: Array<{ record: GenerationRecord; reason: string }>;
}

/** How long a real run waits for searches (here or in other processes) that pinned a victim before it was marked. */
const PIN_WAIT_MS = 10_000;

export async function collectGarbage(ctx: EngineContext, options: GcOptions = {}): Promise<GcReport> {
  const started = performance.now();
  const settings = checkOptions(ctx, options);
  if (!settings.dryRun) requireWritable(ctx);
  let kbs: string[];
  if (options.kb !== undefined) {
    const kb = validateKbName(options.kb);
    if (ctx.catalog.generations(kb).length === 0) throw kbNotFound(ctx, kb);
    kbs = [kb];
  } else kbs = ctx.catalog.knowledgeBases();

  const report: GcReport = {
    dryRun: settings.dryRun,
    deleted: [],
    kept: [],
    compacted: [],
    reclaimedBytes: 0,
    reclaimedBytesByKb: {},
    tookMs: 0,
  };
  try {
    for (const kb of kbs) {
      await underKbLock(ctx, kb, true, () => collectKb(ctx, kb, settings, report));
    }
    if (!settings.dryRun && options.kb === undefined) {
      await ctx.catalog.compact(new Date(settings.now - settings.minAgeMs));
      // Pin sets of processes long gone, and the lease table's old versions on object storage.
      await ctx.coordination
        .tidy()
        .catch((error: unknown) => ctx.log('warning', `tidying leases failed: ${String(error)}`));
    }
  } catch (error) {
    if (isEngineError(error)) throw error;
    throw new EngineError(
      'GC_FAILED',
      `garbage collection failed: ${(error as Error).message}. Nothing half-deleted is visible: generations ` +
        'being removed stay marked_for_deletion and the next run finishes them.',
      { cause: error },
    );
  }
  report.reclaimedBytes = Object.values(report.reclaimedBytesByKb).reduce((a, b) => a + b, 0);
  report.tookMs = Math.round(performance.now() - started);
  return report;
}

function checkOptions(ctx: EngineContext, options: GcOptions): GcSettings {
  const intOption = (name: string, value: number | undefined, fallback: number) => {
    const v = value ?? fallback;
    if (!Number.isInteger(v) || v < 0)
      throw new EngineError('INVALID_INPUT', `${name} must be a non-negative integer; got ${String(v)}`);
    return v;
  };
  return {
    dryRun: options.dryRun ?? false,
    retentionEpochs: intOption('retention (epochs)', options.retentionEpochs, ctx.settings.retentionEpochs),
    minAgeMs: 1000 * intOption('minimum age (seconds)', options.minAgeSeconds, ctx.settings.minAgeSeconds),
    buildingTtlMs:
      1000 * intOption('building TTL (seconds)', options.buildingTtlSeconds, ctx.settings.buildingTtlSeconds),
    now: Date.now(),
  };
}

/** Pure decision over the catalog snapshot: the same for a dry run and a real one. */
export function planKb(ctx: EngineContext, kb: string, s: GcSettings): KbPlan {
  const plan: KbPlan = { victims: [], kept: [] };
  const epoch = ctx.catalog.epoch(kb);
  for (const record of ctx.catalog.generations(kb)) {
    const verdict = judge(record, epoch, s);
    if (verdict.delete) {
      const pins = ctx.coordination.pinCount(kb, record.generation);
      if (pins > 0)
        plan.kept.push({ record, reason: `pinned by ${pins} in-flight search(es); retried next run` });
      else plan.victims.push({ record, reason: verdict.reason });
    } else plan.kept.push({ record, reason: verdict.reason });
  }
  return plan;
}

function judge(record: GenerationRecord, epoch: number, s: GcSettings): { delete: boolean; reason: string } {
  const ageS = (from: number) => Math.round((s.now - from) / 1000);
  switch (record.status) {
    case 'active':
      return { delete: false, reason: 'active' };
    case 'ready':
      return { delete: false, reason: 'ready, not yet promoted' };
    case 'building':
      return s.now - record.updatedAt > s.buildingTtlMs
        ? { delete: true, reason: `abandoned: building and untouched for ${ageS(record.updatedAt)} s` }
        : { delete: false, reason: 'building' };
    case 'marked_for_deletion':
      return { delete: true, reason: 'finishing an interrupted deletion' };
    case 'archived': {
      // Archived at the promotion that made the epoch `archivedEpoch`: that promotion is 1 behind.
      const behind = epoch - (record.archivedEpoch ?? epoch) + 1;
      if (behind <= s.retentionEpochs) {
        return {
          delete: false,
          reason: `retained: ${behind} promotion(s) behind, retention ${s.retentionEpochs} epoch(s)`,
        };
      }
      const archivedAt = record.archivedAt ?? record.updatedAt;
      if (s.now - archivedAt < s.minAgeMs) {
        return { delete: false, reason: `archived ${ageS(archivedAt)} s ago, younger than the minimum age` };
      }
      return { delete: true, reason: `archived ${behind} promotions behind` };
    }
    default:
      return { delete: false, reason: record.status };
  }
}

async function collectKb(ctx: EngineContext, kb: string, s: GcSettings, report: GcReport): Promise<void> {
  const plan = planKb(ctx, kb, s);
  let reclaimed = 0;
  for (const { record, reason } of plan.kept) report.kept.push({ kb, generation: record.generation, reason });

  const sized = await Promise.all(
    plan.victims.map(async (v) => ({ ...v, bytes: await victimBytes(ctx, v.record) })),
  );
  const marked = new Map<number, GenerationRecord>();
  if (!s.dryRun && sized.length > 0) {
    // Mark first (one commit): searches stop resolving these, and a crash leaves work the next run finishes.
    const now = Date.now();
    const records = sized.map((v) => markForDeletion(v.record, now));
    await ctx.catalog.commit(records);
    for (const r of records) marked.set(r.generation, r);
  }
  for (const victim of sized) {
    if (!s.dryRun) {
      if (!(await waitForUnpinned(ctx, kb, victim.record.generation))) {
        report.kept.push({
          kb,
          generation: victim.record.generation,
          reason: 'pinned by a search that outlived the wait; retried next run',
        });
        continue;
      }
      await ctx.tables.drop(victim.record.tableName);
      await ctx.catalog.commit([tombstone(marked.get(victim.record.generation)!, Date.now())]);
      ctx.emit({ type: 'generation_changed', kb, generation: victim.record.generation, status: 'deleted' });
    }
    report.deleted.push({
      kb,
      generation: victim.record.generation,
      bytes: victim.bytes,
      reason: victim.reason,
    });
    reclaimed += victim.bytes;
  }
  reclaimed += await dropOrphanTables(ctx, kb, s, report);
  reclaimed += await compactActive(ctx, kb, s, report);
  report.reclaimedBytesByKb[kb] = reclaimed;
}

/** Size of a generation about to go; a table a crash left half-deleted cannot be measured and counts 0. */
async function victimBytes(ctx: EngineContext, record: GenerationRecord): Promise<number> {
  try {
    return (await tableStats(await ctx.tables.open(record.tableName))).bytes;
  } catch {
    return 0;
  }
}

/** Waits (up to PIN_WAIT_MS) until no search in any process reads the generation; false when time ran out. */
export async function waitForUnpinned(ctx: EngineContext, kb: string, generation: number): Promise<boolean> {
  const deadline = Date.now() + PIN_WAIT_MS;
  // Searches in this process (counted) and in others (published pin sets that have not expired).
  while (
    ctx.coordination.pinCount(kb, generation) > 0 ||
    (await ctx.coordination.pinnedElsewhere(kb, generation))
  ) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}

/** Tables of this KB that no live catalog record owns (left by a crash between drop and tombstone). */
async function dropOrphanTables(
  ctx: EngineContext,
  kb: string,
  s: GcSettings,
  report: GcReport,
): Promise<number> {
  const owned = new Set(ctx.catalog.generations(kb).map((g) => g.tableName));
  const pattern = new RegExp(`^kb-${kb.replace(/[-]/g, '\\-')}-g(\\d+)$`);
  let reclaimed = 0;
  for (const name of await ctx.tables.tableNames()) {
    const match = pattern.exec(name);
    if (!match || owned.has(name)) continue;
    const bytes = await tableStats(await ctx.tables.open(name)).then(
      (t) => t.bytes,
      () => 0,
    );
    if (!s.dryRun) await ctx.tables.drop(name);
    report.deleted.push({
      kb,
      generation: Number(match[1]),
      bytes,
      reason: 'orphan table with no catalog record',
    });
    reclaimed += bytes;
  }
  return reclaimed;
}

/** optimize(): merges small fragments and drops table versions older than min_age_seconds. */
async function compactActive(
  ctx: EngineContext,
  kb: string,
  s: GcSettings,
  report: GcReport,
): Promise<number> {
  const active = ctx.catalog.active(kb);
  const table = active ? await ctx.tables.open(active.tableName) : undefined;
  if (!active || !table) return 0;
  const cutoff = new Date(s.now - s.minAgeMs);
  if (s.dryRun) {
    const versions = await table.listVersions();
    const old = versions.filter((v) => v.timestamp < cutoff).length;
    // The newest version always stays, even when it is older than the cutoff.
    const removable = Math.max(0, Math.min(old, versions.length - 1));
    report.compacted.push({ kb, generation: active.generation, bytesRemoved: 0, versionsRemoved: removable });
    return 0;
  }
  const stats = await table.optimize({ cleanupOlderThan: cutoff }).catch((error: unknown) => {
    throw storageError(`compacting generation ${active.generation} of "${kb}"`, error);
  });
  const bytes = Number(stats.prune.bytesRemoved ?? 0);
  report.compacted.push({
    kb,
    generation: active.generation,
    bytesRemoved: bytes,
    versionsRemoved: Number(stats.prune.oldVersionsRemoved ?? 0),
  });
  return bytes;
}
