// N clients over Streamable HTTP against the built server, mixing searches, writes, promotions and GC on shared KBs.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUILT_MAIN, serverEnv } from '../../helpers/built-server.js';
import { seededRandom } from '../../helpers/clustered-vectors.js';
import { connectHttpClient, TEST_HTTP_TOKEN } from '../../helpers/http-server.js';
import { BASE_CHUNKS, baseChunk, type ExpectedStore } from './concurrency-model.js';
import {
  builder,
  collector,
  KBS,
  reader,
  ROLES,
  RunState,
  searcher,
  sleep,
  writer,
  type Role,
} from './concurrency-roles.js';
import { openVerifier } from './crash-checks.js';

export interface ConcurrencyOptions {
  clients: number;
  seconds: number;
  seed?: number;
}

export interface OpStats {
  calls: number;
  conflicts: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
}

export interface ConcurrencyReport {
  clients: number;
  seconds: number;
  calls: number;
  /** Completed calls per second over the whole run. */
  throughput: number;
  p50Ms: number;
  p95Ms: number;
  perOp: Record<string, OpStats>;
  /** Documented conflicts seen, by `tool CODE`. */
  conflicts: Record<string, number>;
  violations: string[];
  checkedGenerations: number;
  checkedChunks: number;
}
function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! * 10) / 10;
}

async function startServer(
  dataDir: string,
): Promise<{ child: ChildProcess; url: string; stderr: () => string }> {
  const child = spawn(
    process.execPath,
    [BUILT_MAIN, '--transport', 'http', '--host', '127.0.0.1', '--port', '0'],
    {
      env: serverEnv(dataDir, { RAG_STUDIO_AUTH_TOKEN: TEST_HTTP_TOKEN }),
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server logged no URL: ${stderr}`)), 30_000);
    const poll = setInterval(() => {
      const match = /serving Streamable HTTP at (\S+)/.exec(stderr);
      if (match) {
        clearInterval(poll);
        clearTimeout(timer);
        resolve(match[1]!);
      }
    }, 20);
  });
  return { child, url, stderr: () => stderr };
}

async function seed(dataDir: string, store: ExpectedStore): Promise<void> {
  const engine = await openVerifier(dataDir);
  try {
    for (const kb of KBS) {
      const chunks = Array.from({ length: BASE_CHUNKS }, (_, i) => baseChunk(1, i));
      await engine.upsertChunks(
        kb,
        chunks.map((c) => ({
          chunkId: c.chunk_id,
          documentId: c.document_id,
          content: c.content,
          metadata: c.metadata,
        })),
      );
      store.addGeneration(kb, 1);
      store.upserted(kb, 1, chunks);
      store.activeHint.set(kb, 1);
    }
  } finally {
    await engine.close();
  }
}

/** Runs the mixed workload, stops the server with SIGTERM, then checks the data dir against the acknowledged writes. */
export async function runConcurrency(options: ConcurrencyOptions): Promise<ConcurrencyReport> {
  const dir = await mkdtemp(join(tmpdir(), 'rag-studio-concurrency-'));
  const s = new RunState(seededRandom(options.seed ?? Date.now() >>> 0));
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  try {
    await seed(dir, s.store);
    server = await startServer(dir);
    const url = server.url;
    const clients = await Promise.all(
      Array.from({ length: options.clients }, () => connectHttpClient(url, { name: 'concurrency' })),
    );
    const roles: Role[] = clients.map((_, i) => ROLES[i % ROLES.length]!);
    const started = performance.now();
    const loops = clients.map((client, i) => {
      const role = roles[i]!;
      const loop =
        role === 'search'
          ? searcher(s, client)
          : role === 'write'
            ? writer(s, client, i)
            : role === 'build'
              ? builder(s, client)
              : role === 'gc'
                ? collector(s, client)
                : reader(s, client);
      return loop.catch((error: unknown) =>
        s.violation(`client ${i} (${role}) stopped: ${String(error).slice(0, 500)}`),
      );
    });
    await sleep(options.seconds * 1000);
    s.running = false;
    await Promise.all(loops);
    const elapsed = (performance.now() - started) / 1000;
    const died = !isRunning(server.child);
    if (died) s.violation(`the server died: ${server.stderr().slice(-2000)}`);
    await Promise.allSettled(clients.map((c) => c.close()));
    if (!died) {
      const code = await stop(server.child);
      if (code !== 0) s.violation(`the server exited with ${code} after SIGTERM`);
    }
    const logged = server
      .stderr()
      .split('\n')
      .filter((line) => / (error|warning): /.test(line));
    if (logged.length > 0) s.violation(`the server logged: ${logged.slice(0, 5).join(' | ').slice(0, 1500)}`);

    const engine = await openVerifier(dir);
    let checked = { violations: [] as string[], generations: 0, chunks: 0 };
    try {
      checked = await s.store.verify(engine, dir);
    } finally {
      await engine.close();
    }
    checked.violations.forEach((v) => s.violation(v));
    return summarize(s, options, elapsed, checked);
  } finally {
    // Whatever failed above, never leave the server running.
    if (server && isRunning(server.child)) server.child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
}

const isRunning = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;

/** SIGTERM, then the exit code once it has exited. */
function stop(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  child.kill('SIGTERM');
  return exited;
}

function summarize(
  s: RunState,
  options: ConcurrencyOptions,
  elapsed: number,
  checked: { generations: number; chunks: number },
): ConcurrencyReport {
  const perOp: Record<string, OpStats> = {};
  const all: number[] = [];
  for (const [op, list] of s.latencies) {
    const sorted = [...list].sort((a, b) => a - b);
    all.push(...sorted);
    const conflicts = [...s.conflicts]
      .filter(([key]) => key.startsWith(`${op} `))
      .reduce((sum, [, n]) => sum + n, 0);
    perOp[op] = {
      calls: sorted.length,
      conflicts,
      p50Ms: percentile(sorted, 50),
      p95Ms: percentile(sorted, 95),
      maxMs: percentile(sorted, 100),
    };
  }
  all.sort((a, b) => a - b);
  return {
    clients: options.clients,
    seconds: Math.round(elapsed * 10) / 10,
    calls: all.length,
    throughput: Math.round((all.length / elapsed) * 10) / 10,
    p50Ms: percentile(all, 50),
    p95Ms: percentile(all, 95),
    perOp,
    conflicts: Object.fromEntries(s.conflicts),
    violations: s.violations,
    checkedGenerations: checked.generations,
    checkedChunks: checked.chunks,
  };
}
