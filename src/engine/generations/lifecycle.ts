// The generation lifecycle as pure transitions: every catalog record is built here, and each states its rule.
import { EngineError } from '../errors.js';
import type { CatalogStatus, GenerationRecord } from '../storage/catalog.js';
import { generationTableName } from '../storage/generation-tables.js';
import type { EmbeddingSpace, FusionCalibration, IndexConfig, Metric } from '../types.js';

/**
 * The lifecycle, one generation at a time:
 *
 *   (none) → building → ready → active ⇄ archived → marked_for_deletion → deleted (a tombstone, never reused)
 *   (none) → active              the first write into a new KB
 *   building → marked_for_deletion    GC of an abandoned build
 *   ready | active → marked_for_deletion  only when the whole KB is deleted
 *
 * Invariants every record leaving this module holds:
 * - kb, generation, tableName and createdAt never change after creation;
 * - updatedAt strictly increases with every transition, so it doubles as the row's version (see Catalog.commit);
 * - an active record has an embedding space and a promotion epoch; an archived one has an archive epoch.
 * The catalog adds the cross-record ones: one active generation per KB, and every change a transition below.
 */
export const TRANSITIONS: Readonly<Record<CatalogStatus | 'none', readonly CatalogStatus[]>> = {
  none: ['building', 'active'],
  building: ['building', 'ready', 'marked_for_deletion'],
  ready: ['ready', 'active', 'marked_for_deletion'],
  active: ['active', 'archived', 'marked_for_deletion'],
  archived: ['archived', 'active', 'marked_for_deletion'],
  marked_for_deletion: ['marked_for_deletion', 'deleted'],
  deleted: [],
};

const label = (r: Pick<GenerationRecord, 'kb' | 'generation'>) => `generation ${r.generation} of "${r.kb}"`;

/** Why `before → after` is not a lifecycle transition, or undefined when it is one. */
export function transitionProblem(
  before: GenerationRecord | undefined,
  after: GenerationRecord,
): string | undefined {
  const from = before?.status ?? 'none';
  if (!TRANSITIONS[from].includes(after.status)) {
    const allowed = TRANSITIONS[from].filter((s) => s !== from);
    return (
      `${label(after)} cannot go from ${from} to ${after.status} ` +
      `(from ${from} it can go to: ${allowed.length ? allowed.join(', ') : 'nothing, it is final'})`
    );
  }
  if (before) {
    for (const key of ['kb', 'generation', 'tableName', 'createdAt'] as const) {
      if (before[key] !== after[key]) return `${label(after)} cannot change its ${key}`;
    }
    if (after.updatedAt <= before.updatedAt) {
      return `${label(after)} changed without a newer updatedAt (${after.updatedAt} ≤ ${before.updatedAt})`;
    }
  }
  return recordProblem(after);
}

/** Why a record breaks a per-status invariant, or undefined. */
function recordProblem(r: GenerationRecord): string | undefined {
  if (!Number.isInteger(r.generation) || r.generation < 1)
    return `generation ${r.generation} is not positive`;
  if (r.status === 'active' && (r.promotedEpoch === null || r.embedding === null)) {
    return `${label(r)} cannot be active without a promotion epoch and an embedding space`;
  }
  if (r.status === 'archived' && r.archivedEpoch === null) {
    return `${label(r)} cannot be archived without an archive epoch`;
  }
  return undefined;
}

/**
 * The record as committed: a same-status change that kept the updatedAt it read (a metadata-only write such
 * as `{ ...record, fusionCalibration }`) gets the next version, so the row's version still moves.
 */
export function advanceVersion(
  before: GenerationRecord | undefined,
  after: GenerationRecord,
): GenerationRecord {
  if (!before || before.status !== after.status || after.updatedAt > before.updatedAt) return after;
  return { ...after, updatedAt: before.updatedAt + 1 };
}

/** Applies a transition after checking it; a refused one is INVALID_STATE (a bug or a stale caller). */
function transition(before: GenerationRecord | undefined, after: GenerationRecord): GenerationRecord {
  const problem = transitionProblem(before, after);
  if (problem) throw new EngineError('INVALID_STATE', `refused generation change: ${problem}`);
  return after;
}

/** A later time than the record's last change, even within the same millisecond. */
const later = (before: GenerationRecord, now: number) => Math.max(now, before.updatedAt + 1);

export interface NewGeneration {
  kb: string;
  generation: number;
  now: number;
  embedding: EmbeddingSpace | null;
  metric: Metric;
  indexConfig: IndexConfig;
}

function created(g: NewGeneration): GenerationRecord {
  return {
    kb: g.kb,
    generation: g.generation,
    status: 'building',
    tableName: generationTableName(g.kb, g.generation),
    createdAt: g.now,
    updatedAt: g.now,
    promotedAt: null,
    archivedAt: null,
    promotedEpoch: null,
    archivedEpoch: null,
    embedding: g.embedding,
    metric: g.metric,
    indexConfig: g.indexConfig,
    fusionCalibration: null,
  };
}

/** (none) → building: a new generation, written into before it is sealed and promoted. */
export function createBuilding(g: NewGeneration): GenerationRecord {
  return transition(undefined, created(g));
}

/**
 * (none) → active: a KB's first generation, made by its first write. The first activation is not a promotion:
 * the epoch stays 0 until the first promote.
 */
export function createFirstActive(g: NewGeneration & { embedding: EmbeddingSpace }): GenerationRecord {
  return transition(undefined, { ...created(g), status: 'active', promotedAt: g.now, promotedEpoch: 0 });
}

/** Same status: the generation learns its embedding space from its first write. */
export function withEmbeddingSpace(
  before: GenerationRecord,
  space: EmbeddingSpace,
  now: number,
): GenerationRecord {
  return transition(before, { ...before, embedding: space, updatedAt: later(before, now) });
}

/** Same status: fusion weights estimated for the generation (at seal time, or later for one not sealed). */
export function withFusionCalibration(
  before: GenerationRecord,
  fusionCalibration: FusionCalibration | null,
  now: number,
): GenerationRecord {
  return transition(before, { ...before, fusionCalibration, updatedAt: later(before, now) });
}

/** building → ready, storing the calibration the seal computed (null keeps what the record had). */
export function seal(
  before: GenerationRecord,
  fusionCalibration: FusionCalibration | null,
  now: number,
): GenerationRecord {
  if (before.status !== 'building') {
    throw new EngineError(
      'INVALID_STATE',
      `refused generation change: ${label(before)} is ${before.status}; only a building generation is sealed`,
    );
  }
  return transition(before, {
    ...before,
    status: 'ready',
    updatedAt: later(before, now),
    fusionCalibration: fusionCalibration ?? before.fusionCalibration,
  });
}

/**
 * ready | archived → active, and the previous active → archived, at epoch `epoch + 1` (an archived target is a
 * rollback). Returns the records of one commit: both change together or not at all.
 */
export function promote(
  target: GenerationRecord,
  previous: GenerationRecord | undefined,
  epoch: number,
  now: number,
): GenerationRecord[] {
  if (target.status === 'active') {
    throw new EngineError('INVALID_STATE', `refused generation change: ${label(target)} is already active`);
  }
  if (previous && (previous.status !== 'active' || previous.kb !== target.kb)) {
    throw new EngineError(
      'INVALID_STATE',
      `refused generation change: the generation archived by promoting ${label(target)} must be its KB's active one`,
    );
  }
  const nextEpoch = epoch + 1;
  const changes = [
    transition(target, {
      ...target,
      status: 'active',
      promotedAt: now,
      promotedEpoch: nextEpoch,
      archivedAt: null,
      archivedEpoch: null,
      updatedAt: later(target, now),
    }),
  ];
  if (previous) {
    changes.push(
      transition(previous, {
        ...previous,
        status: 'archived',
        archivedAt: now,
        archivedEpoch: nextEpoch,
        updatedAt: later(previous, now),
      }),
    );
  }
  return changes;
}

/**
 * → marked_for_deletion: the point of no return (searches stop resolving it). GC marks abandoned builds and
 * archived generations; only deleting the whole KB (`wholeKb`) may mark a ready or active one.
 */
export function markForDeletion(before: GenerationRecord, now: number, wholeKb = false): GenerationRecord {
  if (!wholeKb && (before.status === 'ready' || before.status === 'active')) {
    throw new EngineError(
      'INVALID_STATE',
      `refused generation change: ${label(before)} is ${before.status}; only deleting its knowledge base removes it`,
    );
  }
  return transition(before, { ...before, status: 'marked_for_deletion', updatedAt: later(before, now) });
}

/** marked_for_deletion → deleted: its table is gone; the tombstone keeps the number from being reused. */
export function tombstone(before: GenerationRecord, now: number): GenerationRecord {
  return transition(before, { ...before, status: 'deleted', updatedAt: later(before, now) });
}
