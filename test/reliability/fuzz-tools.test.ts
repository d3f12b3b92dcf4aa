// Property-based fuzzing of the six tools through a real MCP client: >10,000 hostile calls, no crash, no data change.
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOOLS } from '../../src/tools/index.js';
import {
  callTool,
  sampleChunks,
  startTestServer,
  structured,
  type TestServer,
} from '../helpers/mcp-client.js';
import { makeTempDir, type TempDir } from '../helpers/temp-dir.js';
import { dataChecksum, dataSnapshot, listTree, snapshotDiff } from './harness/data-checksum.js';
import {
  FUZZ_SERVER_ARGS,
  injectionDelete,
  injectionSearch,
  searchCall,
  type ToolCall,
} from './harness/fuzz-calls.js';
import { invalidWriteCall } from './harness/fuzz-writes.js';
import { checkSearchOutput, fieldOf, judge } from './harness/fuzz-oracle.js';
import { hostileString, PATH_LIKE_NAMES, wrongValue } from './harness/fuzz-values.js';

/** Runs per property; the total must stay at or above 10,000 calls. */
const RUNS = {
  invalidWrites: 4000,
  searches: 4000,
  injectionSearches: 1000,
  injectionDeletes: 700,
  garbage: 500,
};
const SEED = Number(process.env.RAG_STUDIO_FUZZ_SEED ?? Date.now() % 1_000_000);

let sandbox: TempDir;
let t: TestServer;
let calls = 0;
let before: {
  snapshot: Map<string, string[]>;
  checksum: Awaited<ReturnType<typeof dataChecksum>>;
  sandbox: string[];
  data: string[];
  cwd: string[];
  tmp: string[];
};

/** Table-like entries a KB name escaping the data dir would leave in the temp dir or the working dir. */
const strayTables = async (dir: string) =>
  (await readdir(dir)).filter((name) => /\.lance$|^kb-|^_catalog/.test(name)).sort();

/** Outcomes by tool: `ok`, an engine code, or `schema` (the SDK's input validation). */
const tally = new Map<string, number>();

async function send(call: ToolCall) {
  calls += 1;
  const result = await callTool(t.client, call.tool, call.args);
  const verdict = judge(call, result);
  const outcome =
    'violation' in verdict
      ? 'VIOLATION'
      : verdict.ok
        ? 'ok'
        : (/^([A-Z_]+):/.exec(verdict.error)?.[1] ??
          (/not found|disabled/.test(verdict.error) ? 'unknown tool' : 'schema'));
  const key = `${Object.hasOwn(TOOLS, call.tool) ? call.tool : '(unknown tool)'} ${outcome}`;
  tally.set(key, (tally.get(key) ?? 0) + 1);
  if ('violation' in verdict)
    throw new Error(`${verdict.violation}\n  call: ${JSON.stringify(call).slice(0, 600)}`);
  return verdict;
}

beforeAll(async () => {
  sandbox = await makeTempDir('rag-studio-fuzz-');
  t = await startTestServer({ dataDir: join(sandbox.path, 'data'), args: FUZZ_SERVER_ARGS });
  const ok = (result: Awaited<ReturnType<typeof callTool>>) =>
    structured(result, TOOLS.upsert_chunks.outputSchema.passthrough());
  ok(await callTool(t.client, 'upsert_chunks', { kb: 'docs', chunks: sampleChunks() }));
  await callTool(t.client, 'create_generation', { kb: 'docs', copy_from_active: true });
  await callTool(t.client, 'promote_generation', { kb: 'docs', generation: 2 });
  await callTool(t.client, 'create_generation', { kb: 'docs' });
  ok(
    await callTool(t.client, 'upsert_chunks', {
      kb: 'notes',
      chunks: [
        {
          chunk_id: 'note-chunk-0',
          document_id: 'note-doc',
          content: 'alpha notes about 東京 and مرحبا',
          metadata: { lang: 'en', a: { b: 1 } },
        },
        {
          chunk_id: 'note-chunk-1',
          document_id: 'note-doc',
          content: 'alpha second note 🚀',
          metadata: { lang: 'de', tags: ['x', 'y'] },
        },
      ],
    }),
  );
  ok(
    await callTool(t.client, 'upsert_chunks', {
      kb: 'vectors',
      chunks: Array.from({ length: 5 }, (_, i) => ({
        chunk_id: `vec-chunk-${i}`,
        document_id: 'vec-doc',
        content: `alpha vector ${i}`,
        embedding: Array.from({ length: 8 }, (_, d) => (d === i ? 1 : 0.1)),
      })),
    }),
  );
  before = {
    snapshot: await dataSnapshot(t.dataDir),
    checksum: await dataChecksum(t.dataDir),
    sandbox: await listTree(sandbox.path, 1),
    data: await listTree(t.dataDir, 1),
    cwd: await strayTables(process.cwd()),
    tmp: await strayTables(tmpdir()),
  };
  expect(before.checksum.rows).toBeGreaterThan(10);
});

afterAll(async () => {
  // RAG_STUDIO_FUZZ_REPORT=1 prints what the fuzzer reached (docs/RELIABILITY.md quotes it).
  if (process.env.RAG_STUDIO_FUZZ_REPORT) {
    process.stderr.write(
      `fuzz: ${calls} calls, seed ${SEED}\n${[...tally]
        .sort()
        .map(([k, n]) => `  ${k}: ${n}`)
        .join('\n')}\n`,
    );
  }
  await t?.close();
  await sandbox?.remove();
});

const params = (numRuns: number) => ({ numRuns, seed: SEED, endOnFailure: true });

describe(`hostile tool calls (fast-check seed ${SEED})`, () => {
  it('refuses every path-like knowledge-base name in every tool', async () => {
    const argsFor = (kb: string): Array<[string, Record<string, unknown>]> => [
      ['upsert_chunks', { kb, chunks: [{ chunk_id: 'a', document_id: 'd', content: 'alpha' }] }],
      ['delete_chunks', { kb, chunk_ids: ['a'] }],
      ['create_generation', { kb, copy_from_active: false }],
      ['promote_generation', { kb, generation: 1 }],
      ['run_gc', { kb, dry_run: false, retention_epochs: 0, min_age_seconds: 0 }],
      ['hybrid_search', { kb, query: 'alpha' }],
    ];
    for (const kb of PATH_LIKE_NAMES) {
      for (const [tool, args] of argsFor(kb)) {
        const verdict = await send({ tool, args });
        expect('ok' in verdict && verdict.ok, `${tool} accepted kb ${JSON.stringify(kb)}`).toBe(false);
      }
    }
  });

  it('refuses every invalid write with a clear error', async () => {
    await fc.assert(
      fc.asyncProperty(invalidWriteCall, async (call) => {
        const verdict = await send(call);
        if ('ok' in verdict && verdict.ok)
          throw new Error(`an invalid write was accepted: ${JSON.stringify(call).slice(0, 600)}`);
      }),
      params(RUNS.invalidWrites),
    );
  }, 240_000);

  it('answers every search with a valid result or a clear error', async () => {
    await fc.assert(
      fc.asyncProperty(searchCall, async (call) => {
        const verdict = await send(call);
        if ('ok' in verdict && verdict.ok) {
          const problem = checkSearchOutput(call.args, verdict.output);
          if (problem) throw new Error(`${problem}: ${JSON.stringify(call).slice(0, 600)}`);
        }
      }),
      params(RUNS.searches),
    );
  }, 240_000);

  it('never lets a filter value inject a predicate', async () => {
    await fc.assert(
      fc.asyncProperty(injectionSearch, async ({ field, op, value, kb }) => {
        const condition = op === '$eq' ? value : op === '$in' ? { $in: [value, 'zz-none'] } : { [op]: value };
        const call = {
          tool: 'hybrid_search',
          args: { kb, query: 'alpha install the', limit: 100, filter: { [field]: condition } },
        };
        const verdict = await send(call);
        if (!('ok' in verdict) || !verdict.ok) return;
        for (const hit of verdict.output.results as Array<Record<string, unknown>>) {
          const got = fieldOf(hit, field);
          const matches = Array.isArray(got) ? got.includes(value) : got === value;
          const wrong = op === '$eq' || op === '$in' ? !matches : op === '$ne' ? matches : false;
          if (wrong)
            throw new Error(
              `filter ${JSON.stringify(call.args.filter)} returned ${String(hit.chunk_id)} with ${field} = ${JSON.stringify(got)}`,
            );
        }
      }),
      params(RUNS.injectionSearches),
    );
  }, 240_000);

  it('deletes nothing for ids that merely look like SQL', async () => {
    await fc.assert(
      fc.asyncProperty(injectionDelete, async (args) => {
        const verdict = await send({
          tool: 'delete_chunks',
          args: Object.fromEntries(Object.entries(args).filter(([, v]) => v !== undefined)),
        });
        if ('ok' in verdict && verdict.ok && verdict.output.deleted !== 0)
          throw new Error(`deleted ${String(verdict.output.deleted)} chunks for ${JSON.stringify(args)}`);
      }),
      params(RUNS.injectionDeletes),
    );
  }, 240_000);

  it('answers unknown tools and garbage arguments with clear errors', async () => {
    const garbage = fc.record({
      tool: fc.oneof(
        fc.constantFrom('hybrid_search', 'upsert_chunks', 'delete_chunks', 'promote_generation'),
        hostileString,
      ),
      args: fc.dictionary(
        fc.oneof(hostileString, fc.constantFrom('chunks', 'query', 'generation', 'filter')),
        wrongValue,
        { maxKeys: 4 },
      ),
    });
    await fc.assert(
      fc.asyncProperty(garbage, async (call) => {
        const verdict = await send(call);
        if ('ok' in verdict && verdict.ok && call.tool !== 'hybrid_search')
          throw new Error(`garbage was accepted: ${JSON.stringify(call).slice(0, 400)}`);
      }),
      params(RUNS.garbage),
    );
  }, 120_000);

  it('changed no data, created nothing outside the data dir, and still serves', async () => {
    expect(calls).toBeGreaterThanOrEqual(10_000);
    // Valid searches, engine-level refusals and schema-level refusals were all reached.
    expect(tally.get('hybrid_search ok') ?? 0).toBeGreaterThan(500);
    for (const key of [
      'upsert_chunks INVALID_INPUT',
      'upsert_chunks LIMIT_EXCEEDED',
      'upsert_chunks DIMENSION_MISMATCH',
      'upsert_chunks schema',
      'hybrid_search INVALID_INPUT',
      'hybrid_search LIMIT_EXCEEDED',
      'delete_chunks LIMIT_EXCEEDED',
    ]) {
      expect(tally.get(key) ?? 0, key).toBeGreaterThan(0);
    }
    expect(snapshotDiff(before.snapshot, await dataSnapshot(t.dataDir))).toEqual([]);
    expect(await dataChecksum(t.dataDir)).toEqual(before.checksum);
    expect(await listTree(sandbox.path, 1)).toEqual(before.sandbox);
    expect(await listTree(t.dataDir, 1)).toEqual(before.data);
    expect(await strayTables(process.cwd())).toEqual(before.cwd);
    expect(await strayTables(tmpdir())).toEqual(before.tmp);
    const found = structured(
      await callTool(t.client, 'hybrid_search', { kb: 'docs', query: 'install the server' }),
      TOOLS.hybrid_search.outputSchema,
    );
    expect(found.results[0]?.chunk_id).toBe('install-1');
    expect(t.stderr.join('')).not.toMatch(/failed unexpectedly/);
  });
});
