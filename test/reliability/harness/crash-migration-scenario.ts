// Crash scenario: SIGKILL an engine whose first writes move a two-field BM25 table to the search_text layout.
import { join } from 'node:path';
import { tableLayout, rewriteAsTwoFieldLayout } from '../../helpers/old-layout.js';
import { openVerifier, verifyAfterCrash } from './crash-checks.js';
import { generationChunks } from './crash-engine-scenarios.js';
import { copyTemplate, killDelay, runEngineChild, type CrashScenario } from './crash-trial.js';

const ROWS = 1500;
/** Chunks whose title alone holds "zebra": found only if the lexical side searches titles in every state. */
const TITLED = 20;
const TABLE = 'kb-kb-g1';

/** The state a table is in, from its manifest: which commits of the migration landed. */
function migrationState(layout: { columns: string[]; indexed: string[] }): string {
  const indexed = new Set(layout.indexed);
  if (!layout.columns.includes('search_text')) return 'two fields';
  if (!indexed.has('search_text')) return 'column added';
  if (indexed.has('content') || indexed.has('title')) return 'old indexes not dropped';
  return 'migrated';
}

export const migrationScenario: CrashScenario = {
  name: 'search_text migration of a two-field table',
  async prepare(root) {
    const dir = join(root, 'data');
    const engine = await openVerifier(dir);
    try {
      await engine.upsertChunks('kb', generationChunks(1, ROWS));
      await engine.upsertChunks(
        'kb',
        Array.from({ length: TITLED }, (_, i) => ({
          chunkId: `titled-${i}`,
          documentId: `titled-${i % 3}`,
          title: `Zebra note ${i}`,
          content: `plain words number ${i}`,
          metadata: { gen: 1, i },
        })),
      );
    } finally {
      await engine.close();
    }
    await rewriteAsTwoFieldLayout(dir, TABLE, 384);
  },
  async trial(root, workDir, random) {
    await copyTemplate(join(root, 'data'), workDir);
    const log = await runEngineChild('migrate-layout', workDir, killDelay(random, 1500));
    const state = migrationState(await tableLayout(workDir, TABLE));
    const violations = await verifyAfterCrash(workDir, { tagged: true }, async (engine, actives, v) => {
      if (log.unexpectedExit) v.add(log.unexpectedExit);
      const rows = actives.get('kb')?.rows;
      for (const ack of log.acks) {
        if (!rows?.has(String(ack.chunkId))) v.add(`acknowledged ${String(ack.chunkId)} is missing`);
      }
      const zebras = async (label: string) => {
        const found = await engine.search({ kb: 'kb', mode: 'lexical', text: 'zebra', limit: 100 });
        if (found.results.length !== TITLED)
          v.add(`${label}: "zebra" found ${found.results.length} chunks by title, expected ${TITLED}`);
      };
      await zebras(`killed at "${state}"`);
    });
    // verifyAfterCrash wrote into the KB (checkWriteAfterCrash): that write finished the migration, whatever
    // commit the kill stopped it after.
    const after = migrationState(await tableLayout(workDir, TABLE));
    if (after !== 'migrated') violations.push(`the write after the crash left the table at "${after}"`);
    const engine = await openVerifier(workDir);
    try {
      const found = await engine.search({ kb: 'kb', mode: 'lexical', text: 'zebra', limit: 100 });
      if (found.results.length !== TITLED)
        violations.push(`after migrating: "zebra" found ${found.results.length} chunks, expected ${TITLED}`);
    } finally {
      await engine.close();
    }
    return { violations, acked: log.acks.length, killedDuring: state };
  },
};
