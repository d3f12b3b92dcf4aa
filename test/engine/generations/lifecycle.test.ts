// The generation lifecycle's pure transitions: each allowed step, and each refused one with its reason.
import { describe, expect, it } from 'vitest';
import { DEFAULT_INDEX_CONFIG } from '../../../src/engine/context.js';
import { EngineError } from '../../../src/engine/errors.js';
import {
  createBuilding,
  createFirstActive,
  markForDeletion,
  promote,
  seal,
  tombstone,
  transitionProblem,
  withEmbeddingSpace,
  withFusionCalibration,
} from '../../../src/engine/generations/lifecycle.js';
import type { GenerationRecord } from '../../../src/engine/storage/catalog.js';
import type { FusionCalibration } from '../../../src/engine/types.js';

const space = { model: 'hash', dimension: 8 };
const fresh = (generation: number, now = 1_000) =>
  createBuilding({
    kb: 'kb',
    generation,
    now,
    embedding: null,
    metric: 'cosine',
    indexConfig: DEFAULT_INDEX_CONFIG,
  });
const calibration = { weights: { vector: 0.3, lexical: 0.7 } } as FusionCalibration;

function refused(run: () => unknown, text: string): void {
  let error: unknown;
  try {
    run();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(EngineError);
  expect((error as EngineError).code).toBe('INVALID_STATE');
  expect((error as EngineError).message).toContain(text);
}

describe('lifecycle transitions', () => {
  it('walks building → ready → active → archived → marked_for_deletion → deleted', () => {
    const building = withEmbeddingSpace(fresh(2), space, 1_000);
    expect(building).toMatchObject({
      status: 'building',
      tableName: expect.stringContaining('kb'),
      embedding: space,
    });
    // The same millisecond still moves updatedAt forward: it is the row's version.
    expect(building.updatedAt).toBe(1_001);
    const ready = seal(building, calibration, 1_001);
    expect(ready).toMatchObject({ status: 'ready', fusionCalibration: calibration, updatedAt: 1_002 });

    const first = createFirstActive({ ...fresh(1), embedding: space, now: 500 });
    expect(first).toMatchObject({ status: 'active', promotedEpoch: 0, promotedAt: 500 });
    const [active, archived] = promote(ready, first, 0, 2_000);
    expect(active).toMatchObject({ generation: 2, status: 'active', promotedEpoch: 1, archivedEpoch: null });
    expect(archived).toMatchObject({
      generation: 1,
      status: 'archived',
      archivedEpoch: 1,
      archivedAt: 2_000,
    });

    // Rollback: the archived generation becomes active again at the next epoch.
    const [back, again] = promote(archived!, active, 1, 3_000);
    expect(back).toMatchObject({ generation: 1, status: 'active', promotedEpoch: 2, archivedEpoch: null });
    expect(again).toMatchObject({ generation: 2, status: 'archived', archivedEpoch: 2 });

    const marked = markForDeletion(again!, 4_000);
    expect(marked.status).toBe('marked_for_deletion');
    expect(markForDeletion(marked, 4_000).status).toBe('marked_for_deletion'); // an interrupted GC resumes
    const gone = tombstone(marked, 5_000);
    expect(gone).toMatchObject({
      status: 'deleted',
      tableName: again!.tableName,
      createdAt: again!.createdAt,
    });
  });

  it('keeps a sealed calibration when the seal computed none, and stores a later one on any live status', () => {
    const ready = seal(withFusionCalibration(fresh(1), calibration, 1_100), null, 1_200);
    expect(ready.fusionCalibration).toEqual(calibration);
    expect(withFusionCalibration(ready, null, 1_300)).toMatchObject({
      status: 'ready',
      fusionCalibration: null,
    });
  });

  it('refuses steps the lifecycle does not have, saying where the generation could go', () => {
    const building = fresh(1);
    refused(() => promote(building, undefined, 0, 2_000), 'cannot go from building to active');
    refused(() => tombstone(building, 2_000), 'from building it can go to: ready, marked_for_deletion');
    const ready = seal({ ...building, embedding: space }, null, 2_000);
    refused(() => seal(ready, null, 3_000), 'only a building generation is sealed');
    const gone = tombstone(markForDeletion(fresh(3), 2_000), 3_000);
    refused(() => markForDeletion(gone, 4_000), 'it is final');
  });

  it('refuses GC-style deletion of a ready or active generation; only a whole-KB delete may', () => {
    const active = createFirstActive({ ...fresh(1), embedding: space, now: 1_000 });
    refused(() => markForDeletion(active, 2_000), 'only deleting its knowledge base removes it');
    expect(markForDeletion(active, 2_000, true).status).toBe('marked_for_deletion');
  });

  it('refuses a promotion that would break an invariant', () => {
    const active = createFirstActive({ ...fresh(1), embedding: space, now: 1_000 });
    const emptyReady = seal(fresh(2), null, 2_000);
    refused(() => promote(emptyReady, active, 0, 3_000), 'cannot be active without');
    refused(() => promote(active, undefined, 0, 3_000), 'already active');
    const ready = seal(withEmbeddingSpace(fresh(3), space, 1_500), null, 2_000);
    refused(() => promote(ready, ready, 0, 3_000), "must be its KB's active one");
  });
});

describe('transitionProblem (what Catalog.commit checks)', () => {
  const building: GenerationRecord = fresh(1);
  it('accepts a transition and states why others are refused', () => {
    expect(transitionProblem(undefined, building)).toBeUndefined();
    expect(transitionProblem(building, { ...building, status: 'ready', updatedAt: 1_001 })).toBeUndefined();
    expect(transitionProblem(building, { ...building, status: 'ready' })).toContain(
      'without a newer updatedAt',
    );
    expect(transitionProblem(building, { ...building, updatedAt: 2_000, createdAt: 5 })).toContain(
      'cannot change its createdAt',
    );
    expect(transitionProblem(undefined, { ...building, status: 'archived' })).toContain(
      'cannot go from none to archived',
    );
    expect(transitionProblem(undefined, { ...building, generation: 0 })).toContain('not positive');
  });
});
