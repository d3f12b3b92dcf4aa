// Crash scenario for ingestion: SIGKILL during a folder sync; every document stays wholly one version, a re-run heals.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
import { ingestDocuments } from '../../../src/ingest/index.js';
import { chunkDocument } from '../../../src/ingest/chunker.js';
import { toChunkInputs } from '../../../src/ingest/chunk-records.js';
import { contentHash } from '../../../src/ingest/read-file.js';
import { readMarkdown } from '../../../src/ingest/readers/markdown.js';
import type { KnowledgeBaseEngine } from '../../../src/engine/index.js';
import { openVerifier, scanGeneration, verifyAfterCrash, Violations } from './crash-checks.js';
import { killDelay, type ChildLog, type CrashScenario } from './crash-trial.js';

const CHILD = fileURLToPath(new URL('../../fixtures/crash-ingest-child.mjs', import.meta.url));
const CHUNKING = { maxTokens: 60, overlapTokens: 10 };

/** Same as docContent() in test/fixtures/crash-ingest-child.mjs. */
function docContent(j: number, v: number): string {
  const paragraphs = Array.from(
    { length: 4 + ((j + v) % 4) },
    (_, k) => `Paragraph ${k} of doc ${j} version ${v}. ${'lorem ipsum dolor sit '.repeat(6)}`,
  );
  return `# Doc ${j}\n\n${paragraphs.join('\n\n')}\n`;
}

/** The chunk ids ingestion gives a file with this content. */
function expectedIds(relPath: string, content: string, docsDir: string): string[] {
  const outcome = readMarkdown({ bytes: Buffer.from(content), fileName: relPath, extension: 'md' });
  if ('skipped' in outcome) return [];
  const drafts = chunkDocument(outcome.document, CHUNKING);
  const identity = {
    documentId: relPath,
    sourcePath: join(docsDir, relPath),
    version: contentHash(Buffer.from(content)),
  };
  return toChunkInputs(outcome.document, drafts, identity)
    .map((c) => c.chunkId)
    .sort();
}

function runIngestChild(
  dataDir: string,
  docsDir: string,
  firstVersion: number,
  delayMs: number,
): Promise<ChildLog> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, dataDir, docsDir, String(firstVersion)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const log: ChildLog = { acks: [], inFlight: undefined };
    let buffer = '';
    let stderr = '';
    let killTimer: NodeJS.Timeout | undefined;
    const watchdog = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stdout.on('data', (d: Buffer) => {
      buffer += d.toString();
      for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        const [kind, json] = [line.split(' ', 1)[0], line.slice(line.indexOf(' ') + 1)];
        if (kind === 'ready') killTimer = setTimeout(() => child.kill('SIGKILL'), delayMs);
        else if (kind === 'start') log.inFlight = JSON.parse(json) as Record<string, unknown>;
        else if (kind === 'ack') {
          log.acks.push(JSON.parse(json) as Record<string, unknown>);
          log.inFlight = undefined;
        }
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(watchdog);
      clearTimeout(killTimer);
      if (signal !== 'SIGKILL')
        log.unexpectedExit = `child exited with code ${code} / ${signal}: ${stderr.slice(-1500)}`;
      resolve(log);
    });
  });
}

/** Stored documents → their chunk ids (sorted) and their version(s), read straight from the active table. */
async function storedDocuments(engine: KnowledgeBaseEngine, dataDir: string) {
  const exists = (await engine.listKnowledgeBases()).some((k) => k.name === 'kb');
  if (!exists) return { docs: new Map<string, string[]>(), versions: new Map<string, string | null>() };
  const generation = (await engine.listGenerations('kb')).find((g) => g.status === 'active')!.generation;
  const rows = await scanGeneration(dataDir, 'kb', generation);
  const docs = new Map<string, string[]>();
  for (const row of rows.values())
    docs.set(row.documentId, [...(docs.get(row.documentId) ?? []), row.chunkId]);
  for (const ids of docs.values()) ids.sort();
  const versions = new Map(
    (await engine.listDocuments('kb')).documents.map((d) => [d.documentId, d.version]),
  );
  return { docs, versions };
}

async function checkIngest(
  engine: KnowledgeBaseEngine,
  dataDir: string,
  docsDir: string,
  log: ChildLog,
  v: Violations,
) {
  if (log.unexpectedExit) v.add(log.unexpectedExit);
  const started = Number(log.inFlight?.version ?? log.acks.at(-1)?.version ?? 0);
  // Before any repair: each document holds exactly the chunks of one version of its file, no mix, no orphan.
  const { docs } = await storedDocuments(engine, dataDir);
  for (const [documentId, ids] of docs) {
    const j = Number(/doc-(\d+)\.md/.exec(documentId)?.[1] ?? -1);
    const onDisk = await readFile(join(docsDir, documentId), 'utf8').catch(() => '');
    const candidates = [...Array.from({ length: started + 2 }, (_, k) => docContent(j, k)), onDisk];
    const matches = candidates.some((content) => {
      const want = expectedIds(documentId, content, docsDir);
      return want.length === ids.length && want.every((id, i) => id === ids[i]);
    });
    if (!matches)
      v.add(
        `${documentId}: its ${ids.length} chunks are not exactly one version of the file (a torn document)`,
      );
  }
}

/** Re-running the same sync finishes the job: the KB equals the folder, with no duplicates or orphans. */
async function checkRerun(dataDir: string, docsDir: string): Promise<string[]> {
  const v = new Violations();
  const engine = await v.guard('opening the data dir for the re-run', () => openVerifier(dataDir));
  if (!engine) return v.list;
  try {
    await v.guard('re-run', async () => {
      const report = await ingestDocuments(engine, {
        kb: 'kb',
        paths: [docsDir],
        chunkTokens: 60,
        overlapTokens: 10,
      });
      if (report.failed.length > 0) v.add(`the re-run failed files: ${JSON.stringify(report.failed)}`);
      const after = await storedDocuments(engine, dataDir);
      after.docs.delete('probe'); // the generic checks' write-after-crash probe
      // A kill between a file's truncation and its write leaves it empty: skipped, so not in the KB.
      const files: Array<[string, string]> = [];
      for (const file of (await readdir(docsDir)).filter((f) => f.endsWith('.md')).sort()) {
        const content = await readFile(join(docsDir, file), 'utf8');
        if (content !== '') files.push([file, content]);
      }
      const names = files.map(([file]) => file);
      if (JSON.stringify([...after.docs.keys()].sort()) !== JSON.stringify(names)) {
        v.add(
          `after the re-run the KB holds ${[...after.docs.keys()].sort().join(',')} but the folder ${names.join(',')}`,
        );
      }
      for (const [file, content] of files) {
        const want = expectedIds(file, content, docsDir);
        const got = after.docs.get(file) ?? [];
        if (want.join() !== got.join())
          v.add(`after the re-run ${file} holds ${got.length} chunks, expected ${want.length}`);
        if (after.versions.get(file) !== contentHash(Buffer.from(content)))
          v.add(`after the re-run ${file} has a stale version`);
      }
    });
  } finally {
    await v.guard('closing the engine', () => engine.close());
  }
  return v.list;
}

export const ingestScenario: CrashScenario = {
  name: 'ingest (folder sync)',
  // Each trial starts empty (source paths are absolute, so a copied template would point elsewhere): within the
  // kill window the child makes the first ingest, then updates, deletions and re-additions.
  prepare: async () => undefined,
  async trial(_templateRoot, workDir, random) {
    const dataDir = join(workDir, 'data');
    const docsDir = join(workDir, 'docs');
    const log = await runIngestChild(dataDir, docsDir, 0, killDelay(random, 3000));
    const violations = await verifyAfterCrash(dataDir, { tagged: false }, (engine, _actives, v) =>
      checkIngest(engine, dataDir, docsDir, log, v),
    );
    violations.push(...(await checkRerun(dataDir, docsDir)));
    return { violations, acked: log.acks.length, killedDuring: String(log.inFlight?.op ?? 'writing files') };
  },
};
