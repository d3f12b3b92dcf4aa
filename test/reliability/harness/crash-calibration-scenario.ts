// Crash scenario for fusion calibration: a SIGKILL while weights are measured or stored leaves a whole, readable catalog.
import { connect } from '@lancedb/lancedb';
import { join } from 'node:path';
import { CATALOG_TABLE } from '../../../src/engine/storage/catalog.js';
import { openVerifier, verifyAfterCrash, type Violations } from './crash-checks.js';
import { generationChunks } from './crash-engine-scenarios.js';
import { copyTemplate, killDelay, runEngineChild, type CrashScenario } from './crash-trial.js';

/** Every stored fusion_calibration value, read with LanceDB itself (a torn JSON would parse as "none" in the engine). */
async function checkRawCalibrations(dataDir: string, v: Violations): Promise<void> {
  const db = await connect(dataDir);
  try {
    const table = await db.openTable(CATALOG_TABLE);
    const rows = (await table.query().toArray()) as Array<Record<string, unknown>>;
    for (const row of rows) {
      const raw = row.fusion_calibration;
      if (raw === null || raw === undefined) continue;
      let parsed: { weights?: { vector?: unknown; lexical?: unknown }; source?: unknown };
      try {
        parsed = JSON.parse(String(raw)) as typeof parsed;
      } catch {
        v.add(
          `${String(row.kb)} g${String(row.generation)}: fusion_calibration is not JSON: ${String(raw).slice(0, 80)}`,
        );
        continue;
      }
      const { vector, lexical } = parsed.weights ?? {};
      if (typeof vector !== 'number' || typeof lexical !== 'number' || Math.abs(vector + lexical - 1) > 1e-6)
        v.add(
          `${String(row.kb)} g${String(row.generation)}: calibration weights ${JSON.stringify(parsed.weights)}`,
        );
      if (parsed.source !== 'probes' && parsed.source !== 'golden')
        v.add(`${String(row.kb)} g${String(row.generation)}: calibration source ${String(parsed.source)}`);
    }
    table.close();
  } finally {
    db.close();
  }
}

export const calibrationScenario: CrashScenario = {
  name: 'fusion calibration',
  prepare: async (root) => {
    const engine = await openVerifier(join(root, 'data'));
    try {
      await engine.upsertChunks('kb', generationChunks(1, 60));
    } finally {
      await engine.close();
    }
  },
  async trial(root, workDir, random) {
    await copyTemplate(join(root, 'data'), workDir);
    const log = await runEngineChild('calibrate', workDir, 200 + killDelay(random, 3800));
    const violations = await verifyAfterCrash(workDir, { tagged: true }, async (engine, _actives, v) => {
      if (log.unexpectedExit) v.add(log.unexpectedExit);
      await checkRawCalibrations(workDir, v);
      for (const ack of log.acks) {
        if (ack.goldenRevision !== ack.revision)
          v.add(
            `write ${String(ack.i)} acknowledged a calibration of golden revision ${String(ack.goldenRevision)}, not ${String(ack.revision)}`,
          );
      }
      const calibration = (await engine.listGenerations('kb')).find(
        (g) => g.status === 'active',
      )?.fusionCalibration;
      const stored = (await engine.getGoldenQueries('kb'))?.revision ?? 0;
      const lastAcked = Number(log.acks.at(-1)?.goldenRevision ?? 0);
      // Durable once acknowledged, never ahead of the golden set it claims to have used.
      const revision = calibration?.goldenRevision ?? 0;
      if (revision < lastAcked)
        v.add(`calibration of golden revision ${revision} after revision ${lastAcked} was acknowledged`);
      if (revision > stored)
        v.add(`calibration claims golden revision ${revision}; the store holds ${stored}`);
    });
    return { violations, acked: log.acks.length, killedDuring: String(log.inFlight?.op ?? 'idle') };
  },
};
