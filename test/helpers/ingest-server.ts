// A per-test data dir, a folder of documents and an in-memory MCP server over them, for the ingest_documents tests.
import { pathToFileURL } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { ElicitRequestSchema, ListRootsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, beforeEach } from 'vitest';
import { engineOptionsFrom, parseCommandLine } from '../../src/config/config.js';
import { createEmbedder } from '../../src/engine/embedding/index.js';
import { openEngine } from '../../src/engine/index.js';
import type { KnowledgeBaseEngine } from '../../src/engine/types.js';
import { createLogger } from '../../src/log/logger.js';
import { createServer } from '../../src/server/create-server.js';
import { docsFolder, writeFiles } from './document-files.js';
import { makeTempDir, type TempDir } from './temp-dir.js';

export interface IngestClientOptions {
  /** Folders the client reports from roots/list; undefined = no roots capability. */
  roots?: string[];
  /** Answer to elicitation/create; undefined = no elicitation capability. */
  elicit?: () => { action: 'accept' | 'decline'; content?: Record<string, unknown> };
  /** --ingest-roots of the server. */
  serverRoots?: string;
  readOnly?: boolean;
}

export interface IngestFixture {
  /** The data dir of the current test. */
  readonly data: TempDir;
  /** The current test's documents (docsFolder() written at the start of each test). */
  readonly docs: TempDir;
  /** The engine all of the current test's servers share (opened by the first connect). */
  readonly engine: KnowledgeBaseEngine | undefined;
  /** A new server on the shared engine and an SDK client connected to it; both close after the test. */
  connect(options?: IngestClientOptions): Promise<Client>;
  /** Runs `close` after the test, before the engine closes (newest first). */
  closeAfter(close: () => Promise<void>): void;
}

/** Registers beforeEach/afterEach that make and remove the dirs, servers and engine of each test. */
export function useIngestFixture(name: string): IngestFixture {
  let data: TempDir | undefined;
  let docs: TempDir | undefined;
  let engine: KnowledgeBaseEngine | undefined;
  let closers: Array<() => Promise<void>> = [];
  beforeEach(async () => {
    data = await makeTempDir(`rag-studio-${name}-`);
    docs = await makeTempDir(`rag-studio-${name}-docs-`);
    await writeFiles(docs.path, await docsFolder());
    closers = [];
  });
  afterEach(async () => {
    for (const close of closers.reverse()) await close();
    await engine?.close();
    engine = undefined;
    await data?.remove();
    await docs?.remove();
  });

  async function connect(options: IngestClientOptions = {}): Promise<Client> {
    const command = parseCommandLine(
      [
        '--data-dir',
        data!.path,
        '--embedding-model',
        'hash',
        '--gc-interval',
        '0',
        ...(options.serverRoots ? ['--ingest-roots', options.serverRoots] : []),
        ...(options.readOnly ? ['--read-only'] : []),
      ],
      { env: {} },
    );
    if (command.action !== 'serve') throw new Error('unexpected CLI action');
    const logger = createLogger({ level: 'error', stream: { write: () => true } });
    const embedder = createEmbedder(command.config.embedding);
    engine ??= await openEngine({ ...engineOptionsFrom(command.config), embedder, log: logger.log });
    const server = createServer({ engine, embedder, logger, config: command.config });
    const capabilities = {
      ...(options.roots ? { roots: { listChanged: true } } : {}),
      ...(options.elicit ? { elicitation: {} } : {}),
    };
    const client = new Client({ name: `${name}-test`, version: '0.0.0' }, { capabilities });
    if (options.roots) {
      const roots = options.roots;
      client.setRequestHandler(ListRootsRequestSchema, () => ({
        roots: roots.map((r) => ({ uri: pathToFileURL(r).href })),
      }));
    }
    if (options.elicit) {
      const elicit = options.elicit;
      client.setRequestHandler(ElicitRequestSchema, () => elicit());
    }
    const [a, b] = InMemoryTransport.createLinkedPair();
    await Promise.all([server.connect(b), client.connect(a)]);
    closers.push(async () => {
      await client.close();
      await server.close();
    });
    return client;
  }

  return {
    get data() {
      return data!;
    },
    get docs() {
      return docs!;
    },
    get engine() {
      return engine;
    },
    connect,
    closeAfter: (close) => closers.push(close),
  };
}
