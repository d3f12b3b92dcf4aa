// Two writers on one store: one whose catalog view went stale (a process that stalled past its lease) cannot
// overwrite what the other committed meanwhile; its change fails with CONFLICT and the store keeps the newer state.
import { connect } from '@lancedb/lancedb';
import { afterEach, describe, expect, it } from 'vitest';
import { openEngine, type KnowledgeBaseEngine } from '../../../src/engine/index.js';
import { markForDeletion, promote } from '../../../src/engine/generations/lifecycle.js';
import { Catalog } from '../../../src/engine/storage/catalog.js';
import { animalCorpus, expectCode, openTestEngine, type TestEngine } from '../../helpers/engine.js';
import { KeywordEmbedder } from '../../helpers/keyword-embedder.js';

let t: TestEngine;
let other: KnowledgeBaseEngine | undefined;
afterEach(async () => {
  await other?.close();
  other = undefined;
  await t?.close();
});

describe('a stale writer on a shared store', () => {
  it('is refused with CONFLICT instead of overwriting a promotion another engine committed', async () => {
    t = await openTestEngine({ stalenessMs: 0 });
    await t.engine.upsertChunks('kb', animalCorpus());
    await t.engine.createGeneration('kb', { copyFromActive: true });
    await t.engine.sealGeneration('kb', 2);

    // The stale writer read the catalog now: generation 1 active, 2 ready.
    const db = await connect(t.dir.path);
    const stale = await Catalog.open(db, false, 60_000);
    const staleToo = await Catalog.open(db, false, 60_000);
    expect(stale.active('kb')?.generation).toBe(1);

    // A second engine on the same store promotes generation 2 (under its lease).
    other = await openEngine({ dataDir: t.dir.path, embedder: new KeywordEmbedder() });
    await other.promoteGeneration('kb', 2);

    // Without expected versions, this commit (computed from the old view) would leave generation 2, now the
    // active one, marked for deletion, or make 1 active again next to it.
    const ready = stale.get('kb', 2)!;
    const error = await expectCode(
      stale.commit(promote(ready, stale.active('kb'), stale.epoch('kb'), Date.now())),
      'CONFLICT',
    );
    expect(error.message).toContain('read it as ready');
    expect(error.message).toContain('another process wrote it meanwhile');
    // The other stale view would delete the whole KB from under the new active generation.
    const all = staleToo.generations('kb').map((g) => markForDeletion(g, Date.now(), true));
    await expectCode(staleToo.commit(all), 'CONFLICT');

    const generations = await t.engine.listGenerations('kb');
    expect(generations.map((g) => [g.generation, g.status])).toEqual([
      [1, 'archived'],
      [2, 'active'],
    ]);
    expect((await other.search({ kb: 'kb', mode: 'lexical', text: 'cat', limit: 1 })).generation).toBe(2);
    db.close();
  });
});
