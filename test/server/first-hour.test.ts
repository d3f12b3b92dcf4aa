// What a new user meets in the first hour, through the built server as a client spawns it: settings typos,
// a bad model value or data dir, `--help`, and the `none` model.
import { LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as hybridSearch from '../../src/tools/hybrid-search.js';
import { BUILT_MAIN, connectBuiltServer, requireBuild, run, serverEnv } from '../helpers/built-server.js';
import { callTool, sampleChunks, structured, textOf } from '../helpers/mcp-client.js';
import { makeTempDir, type TempDir } from '../helpers/temp-dir.js';

let dir: TempDir;
beforeAll(async () => {
  requireBuild();
  dir = await makeTempDir('rag-studio-first-hour-');
});
afterAll(async () => dir.remove());

/** Runs the server with stdin closed at once: it either refuses to start or exits when stdin ends. */
const start = (env: Record<string, string>, args: string[] = []) =>
  run(process.execPath, [BUILT_MAIN, ...args], {
    env: serverEnv(dir.path, env),
    input: '',
    timeoutMs: 20_000,
  });

describe('settings checked at start', () => {
  it('warns on stderr and in the MCP log about a misspelled RAG_STUDIO_ variable, naming the right one', async () => {
    const server = await connectBuiltServer(dir.path, {
      env: { RAG_STUDIO_EMBEDING_MODEL: 'Xenova/bge-small-en-v1.5', RAG_STUDIO_NOT_A_THING: '1' },
    });
    try {
      const messages: unknown[] = [];
      server.client.setNotificationHandler(
        LoggingMessageNotificationSchema,
        (n) => void messages.push(n.params.data),
      );
      await server.client.setLoggingLevel('warning');
      await expect.poll(() => messages.length).toBeGreaterThanOrEqual(2);
      const expected =
        'unknown setting RAG_STUDIO_EMBEDING_MODEL is ignored; did you mean RAG_STUDIO_EMBEDDING_MODEL? ' +
        '(--help lists every setting)';
      expect(messages).toContainEqual({ message: expected });
      expect(messages).toContainEqual({
        message: 'unknown setting RAG_STUDIO_NOT_A_THING is ignored; run with --help for the settings',
      });
      expect(server.stderr()).toContain(`rag-studio warning: ${expected}`);
    } finally {
      await server.client.close();
    }
  });

  it.each([
    ['hsah', /did you mean "hash"\?/],
    ['bge-small', /got "bge-small"/],
    ['/no/such/model/dir', /the model directory "\/no\/such\/model\/dir" does not exist/],
  ])(
    'refuses RAG_STUDIO_EMBEDDING_MODEL=%s with one line listing the accepted forms',
    async (model, detail) => {
      const result = await start({ RAG_STUDIO_EMBEDDING_MODEL: model });
      expect(result.code).toBe(1);
      const lines = result.stderr.trim().split('\n');
      expect(lines, result.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(/^rag-studio-mcp: configuration error: RAG_STUDIO_EMBEDDING_MODEL/);
      expect(lines[0]).toMatch(/Hugging Face model id like Xenova\/bge-small-en-v1\.5.*"hash".*"none"/);
      expect(lines[0]).toMatch(detail);
    },
  );

  // /proc, where Node's recursive mkdir spun forever, is Linux's.
  it.skipIf(process.platform !== 'linux')(
    'fails at once with one line when the data dir cannot be created (no recursive mkdir spin under /proc)',
    async () => {
      // The 20 s kill in `start` is only a hang guard: before the fix the process spun at full CPU until killed.
      const result = await start({ RAG_STUDIO_DATA_DIR: '/proc/nope/data' });
      expect(result.signal).toBeNull();
      expect(result.code).toBe(1);
      expect(result.stderr.trim().split('\n')).toEqual([
        'rag-studio-mcp: STORAGE: cannot create the data directory /proc/nope/data: creating /proc/nope failed ' +
          'with ENOENT (this filesystem does not allow new directories there). Set the data directory to a ' +
          'writable one (RAG_STUDIO_DATA_DIR).',
      ]);
    },
  );

  it('--help says hash is for tests only and what none does', async () => {
    const result = await start({}, ['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/`?hash`? \(non-semantic, for tests only\)/);
    expect(result.stdout).toMatch(/none`? \(no model: text chunks stored without vectors, lexical search\)/);
  });
});

describe('RAG_STUDIO_EMBEDDING_MODEL=none', () => {
  it('stores text chunks and answers hybrid searches lexically, with a warning', async () => {
    const server = await connectBuiltServer(dir.path, { env: { RAG_STUDIO_EMBEDDING_MODEL: 'none' } });
    try {
      const upsert = await callTool(server.client, 'upsert_chunks', {
        kb: 'offline',
        chunks: sampleChunks(),
      });
      expect(upsert.isError, textOf(upsert)).toBeFalsy();
      const out = structured(
        await callTool(server.client, 'hybrid_search', { kb: 'offline', query: 'npm install' }),
        hybridSearch.outputSchema,
      );
      expect(out.mode).toBe('lexical');
      expect(out.results[0]?.chunk_id).toBe('install-1');
      expect(out.warnings.join(' ')).toContain('lexical-only');
    } finally {
      await server.client.close();
    }
  });
});
