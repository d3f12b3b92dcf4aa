// Crash scenarios driven through the real server: upsert_chunks and delete_chunks over MCP stdio, server SIGKILLed.
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { TOOLS } from '../../../src/tools/index.js';
import { connectBuiltServer } from '../../helpers/built-server.js';
import { callTool, textOf } from '../../helpers/mcp-client.js';
import { openVerifier, verifyAfterCrash, type StoredRow, type Violations } from './crash-checks.js';
import { copyTemplate, killDelay, type CrashScenario } from './crash-trial.js';

interface Drive {
  /** Calls the client saw answered successfully. */
  acked: number;
  /** Problems the client saw before the kill: an error result, a wrong count, an early exit. */
  problems: string[];
}

/**
 * Starts the built server over stdio on `dataDir`, lets `drive` call it, SIGKILLs the server `delayMs` after
 * the MCP handshake, and waits until the drive loop has noticed (its pending call rejects).
 */
async function driveAndKill(
  dataDir: string,
  delayMs: number,
  drive: (client: Client, alive: () => boolean, problems: string[]) => Promise<number>,
): Promise<Drive> {
  const { client, transport, stderr } = await connectBuiltServer(dataDir, {
    clientName: 'crash-test',
    keepStderr: 3000,
  });
  const closed = new Promise<void>((resolve) => (client.onclose = resolve));
  const pid = transport.pid!;
  let killed = false;
  const problems: string[] = [];
  const timer = setTimeout(() => {
    try {
      process.kill(pid, 0);
    } catch {
      problems.push(`the server died before the kill: ${stderr()}`);
    }
    killed = true;
    process.kill(pid, 'SIGKILL');
  }, delayMs);
  const acked = await drive(client, () => !killed, problems);
  if (!killed) problems.push('the drive loop stopped before the kill');
  clearTimeout(timer);
  if (!killed) process.kill(pid, 'SIGKILL');
  await closed;
  return { acked, problems };
}

/** Calls a tool; undefined when the server died under the call (the call is then "in flight"). */
async function tryCall(client: Client, name: string, args: Record<string, unknown>) {
  try {
    return await callTool(client, name, args);
  } catch {
    return undefined;
  }
}

// ---- upsert_chunks ------------------------------------------------------------------------------------------

const SEEDS = 60;
const NEW_PER_BATCH = 15;
const UPDATES_PER_BATCH = 5;

const seedContent = (i: number, version: number) => `alpha seed s${i} version ${version}`;
const newId = (batch: number, i: number) => `n${batch}-${i}`;
const newContent = (batch: number, i: number) =>
  `alpha new chunk ${batch}/${i} ${'payload '.repeat((batch + i) % 9)}`.trim();
const updatedSeeds = (batch: number) =>
  Array.from({ length: UPDATES_PER_BATCH }, (_, j) => (batch * UPDATES_PER_BATCH + j) % SEEDS);

function upsertBatch(batch: number, seeded: boolean) {
  const fresh = Array.from({ length: NEW_PER_BATCH }, (_, i) => ({
    chunk_id: newId(batch, i),
    document_id: `doc-${batch}`,
    content: newContent(batch, i),
    metadata: { gen: 1 },
  }));
  const updates = seeded
    ? updatedSeeds(batch).map((i) => ({
        chunk_id: `s${i}`,
        document_id: 'seeds',
        content: seedContent(i, batch),
        metadata: { gen: 1 },
      }))
    : [];
  return [...fresh, ...updates];
}

function checkUpserts(
  v: Violations,
  rows: Map<string, StoredRow>,
  seeded: boolean,
  acked: number,
  inFlight: number | undefined,
): void {
  // The batch in flight is one commit: either all of it landed or none.
  const present =
    inFlight === undefined
      ? 0
      : Array.from({ length: NEW_PER_BATCH }, (_, i) => newId(inFlight, i)).filter((id) => rows.has(id))
          .length;
  if (present !== 0 && present !== NEW_PER_BATCH)
    v.add(`batch ${inFlight} (in flight) is half written: ${present}/${NEW_PER_BATCH}`);
  const batches = acked + (present > 0 ? 1 : 0);
  const expected = new Map<string, string>();
  if (seeded) for (let i = 0; i < SEEDS; i++) expected.set(`s${i}`, seedContent(i, -1));
  for (let b = 0; b < batches; b++) {
    for (let i = 0; i < NEW_PER_BATCH; i++) expected.set(newId(b, i), newContent(b, i));
    if (seeded) for (const i of updatedSeeds(b)) expected.set(`s${i}`, seedContent(i, b));
  }
  for (const [id, content] of expected) {
    const row = rows.get(id);
    if (!row) v.add(`${id} is missing (acknowledged batches: ${acked})`);
    else if (row.content !== content)
      v.add(`${id} holds "${row.content.slice(0, 60)}", expected "${content.slice(0, 60)}"`);
  }
  for (const id of rows.keys()) if (!expected.has(id)) v.add(`unexpected chunk ${id}`);
}

export const upsertScenario: CrashScenario = {
  name: 'upsert_chunks (MCP stdio)',
  async prepare(root) {
    const engine = await openVerifier(join(root, 'seeded'));
    try {
      await engine.upsertChunks(
        'kb',
        Array.from({ length: SEEDS }, (_, i) => ({
          chunkId: `s${i}`,
          documentId: 'seeds',
          content: seedContent(i, -1),
          metadata: { gen: 1 },
        })),
      );
    } finally {
      await engine.close();
    }
  },
  async trial(root, workDir, random) {
    // Half the trials start empty, so the kill can land in the write that creates the knowledge base.
    const seeded = random() < 0.5;
    if (seeded) await copyTemplate(join(root, 'seeded'), workDir);
    let acked = 0;
    let inFlight: number | undefined;
    const drive = await driveAndKill(workDir, killDelay(random, 900), async (client, alive, problems) => {
      for (let batch = 0; alive(); batch++) {
        inFlight = batch;
        const result = await tryCall(client, 'upsert_chunks', {
          kb: 'kb',
          chunks: upsertBatch(batch, seeded),
        });
        if (!result) break;
        if (result.isError) {
          problems.push(`upsert ${batch} failed: ${textOf(result).slice(0, 300)}`);
          break;
        }
        const out = TOOLS.upsert_chunks.outputSchema.parse(result.structuredContent);
        if (out.upserted !== NEW_PER_BATCH + (seeded ? UPDATES_PER_BATCH : 0))
          problems.push(`upsert ${batch} reported ${out.upserted}`);
        acked += 1;
        inFlight = undefined;
      }
      return acked;
    });
    const violations = await verifyAfterCrash(workDir, { tagged: true }, async (_engine, actives, v) => {
      drive.problems.forEach((p) => v.add(p));
      const active = actives.get('kb');
      if (!active) {
        if (acked > 0) v.add(`knowledge base missing after ${acked} acknowledged upserts`);
        return;
      }
      checkUpserts(v, active.rows, seeded, acked, inFlight);
    });
    return {
      violations,
      acked,
      killedDuring: inFlight === undefined ? 'idle' : seeded || acked > 0 ? 'upsert' : 'first upsert',
    };
  },
};

// ---- delete_chunks ------------------------------------------------------------------------------------------

const DOCS = 80;
const PER_DOC = 10;

/** Step k: even steps delete 5 chunks of document k/2 by id, odd steps a whole document of the second half. */
function deleteStep(k: number): { args: Record<string, unknown>; ids: string[] } {
  if (k % 2 === 0) {
    const ids = Array.from({ length: 5 }, (_, i) => `d${k / 2}-c${i}`);
    return { args: { kb: 'kb', chunk_ids: ids }, ids };
  }
  const doc = DOCS / 2 + (k - 1) / 2;
  return {
    args: { kb: 'kb', document_ids: [`d${doc}`] },
    ids: Array.from({ length: PER_DOC }, (_, i) => `d${doc}-c${i}`),
  };
}
const DELETE_STEPS = DOCS;
const docContent = (d: number, i: number) => `alpha document ${d} chunk ${i}`;

export const deleteScenario: CrashScenario = {
  name: 'delete_chunks (MCP stdio)',
  async prepare(root) {
    const engine = await openVerifier(join(root, 'data'));
    try {
      const chunks = [];
      for (let d = 0; d < DOCS; d++) {
        for (let i = 0; i < PER_DOC; i++)
          chunks.push({
            chunkId: `d${d}-c${i}`,
            documentId: `d${d}`,
            content: docContent(d, i),
            metadata: { gen: 1 },
          });
      }
      await engine.upsertChunks('kb', chunks);
    } finally {
      await engine.close();
    }
  },
  async trial(root, workDir, random) {
    await copyTemplate(join(root, 'data'), workDir);
    let acked = 0;
    let inFlight: number | undefined;
    const drive = await driveAndKill(workDir, killDelay(random, 900), async (client, alive, problems) => {
      for (let k = 0; alive() && k < DELETE_STEPS; k++) {
        inFlight = k;
        const step = deleteStep(k);
        const result = await tryCall(client, 'delete_chunks', step.args);
        if (!result) return acked;
        if (result.isError) {
          problems.push(`delete ${k} failed: ${textOf(result).slice(0, 300)}`);
          return acked;
        }
        const out = TOOLS.delete_chunks.outputSchema.parse(result.structuredContent);
        if (out.deleted !== step.ids.length)
          problems.push(`delete ${k} reported ${out.deleted} deleted, expected ${step.ids.length}`);
        acked += 1;
        inFlight = undefined;
      }
      while (alive()) await new Promise((r) => setTimeout(r, 20));
      return acked;
    });
    const violations = await verifyAfterCrash(workDir, { tagged: true }, async (_engine, actives, v) => {
      drive.problems.forEach((p) => v.add(p));
      const rows = actives.get('kb')?.rows;
      if (!rows) return v.add('kb has no readable active generation');
      const gone = new Set<string>();
      for (let k = 0; k < acked; k++) deleteStep(k).ids.forEach((id) => gone.add(id));
      if (inFlight !== undefined) {
        const ids = deleteStep(inFlight).ids;
        const missing = ids.filter((id) => !rows.has(id)).length;
        if (missing !== 0 && missing !== ids.length)
          v.add(`delete ${inFlight} (in flight) is half applied: ${missing}/${ids.length}`);
        if (missing === ids.length) ids.forEach((id) => gone.add(id));
      }
      for (let d = 0; d < DOCS; d++) {
        for (let i = 0; i < PER_DOC; i++) {
          const id = `d${d}-c${i}`;
          const row = rows.get(id);
          if (gone.has(id) && row) v.add(`${id} was deleted (acknowledged) but is back`);
          if (!gone.has(id) && !row) v.add(`${id} was never deleted but is missing`);
          if (row && row.content !== docContent(d, i)) v.add(`${id} content changed`);
        }
      }
      if (rows.size !== DOCS * PER_DOC - gone.size)
        v.add(`kb holds ${rows.size} chunks, expected ${DOCS * PER_DOC - gone.size}`);
    });
    return { violations, acked, killedDuring: inFlight === undefined ? 'idle' : 'delete' };
  },
};
