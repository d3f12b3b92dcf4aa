// SIGKILL an engine process during garbage collection: nothing retained is lost, the next run finishes the work.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { connect } from '@lancedb/lancedb';
import { describe, expect, it } from 'vitest';
import { generationTableName } from '../../src/engine/storage/generation-tables.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { openVerifier } from './harness/crash-checks.js';
import { gcScenario, generationChunks } from './harness/crash-engine-scenarios.js';
import { crashTest } from './harness/crash-suite.js';

describe('crash safety of garbage collection', () => {
  crashTest(gcScenario, 240_000);

  // The state a SIGKILL in the middle of dropping a victim's table leaves (seen in about 2% of the kills of
  // `npm run torture -- --ops gc`): the record marked_for_deletion, the table directory partly removed.
  it('finishes a deletion that a crash cut short, and lists the KB meanwhile', async () => {
    const dir = await makeTempDir();
    try {
      let engine = await openVerifier(dir.path);
      await engine.upsertChunks('kb', generationChunks(1, 20));
      for (const generation of [2, 3]) {
        await engine.createGeneration('kb');
        await engine.upsertChunks('kb', generationChunks(generation, 20), { generation });
        await engine.promoteGeneration('kb', generation);
      }
      await engine.close();
      const db = await connect(dir.path);
      const catalog = await db.openTable('_catalog');
      await catalog.update({
        where: "kb = 'kb' AND generation = 1",
        values: { status: 'marked_for_deletion' },
      });
      catalog.close();
      db.close();
      await rm(join(dir.path, `${generationTableName('kb', 1)}.lance`, '_indices'), {
        recursive: true,
        force: true,
      });

      engine = await openVerifier(dir.path);
      try {
        const listed = await engine.listGenerations('kb').then(
          (gens) => gens.map((g) => `${g.generation}:${g.status}`),
          (e: Error) => e.message.slice(0, 200),
        );
        expect(listed).toEqual(['1:marked_for_deletion', '2:archived', '3:active']);
        const report = await engine.gc({ retentionEpochs: 2, minAgeSeconds: 0 }).then(
          (r) => r.deleted.map((d) => d.generation),
          (e: Error) => e.message.slice(0, 200),
        );
        expect(report).toEqual([1]);
        expect((await engine.listGenerations('kb')).map((g) => `${g.generation}:${g.status}`)).toEqual([
          '2:archived',
          '3:active',
        ]);
        expect(
          (await engine.search({ kb: 'kb', mode: 'lexical', text: 'alpha', limit: 50 })).results,
        ).toHaveLength(20);
      } finally {
        await engine.close();
      }
    } finally {
      await dir.remove();
    }
  });
});
