// Registers every tool; in read-only mode only the ones that cannot write.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import * as compareGenerations from './compare-generations.js';
import * as createGeneration from './create-generation.js';
import * as deleteChunks from './delete-chunks.js';
import * as deleteKnowledgeBase from './delete-knowledge-base.js';
import * as hybridSearch from './hybrid-search.js';
import * as ingestDocuments from './ingest-documents.js';
import { serveIngestTasks, type IngestTaskStore } from './ingest-tasks.js';
import * as promoteGeneration from './promote-generation.js';
import * as readChunks from './read-chunks.js';
import * as readDocument from './read-document.js';
import * as runGc from './run-gc.js';
import * as setGoldenQueries from './set-golden-queries.js';
import type { ToolDeps } from './tool-result.js';
import { answerUnknownToolsBriefly } from './unknown-tool.js';
import * as upsertChunks from './upsert-chunks.js';

export type { ToolDeps } from './tool-result.js';
export { createIngestTaskStore, TASKS_CAPABILITY, type IngestTaskStore } from './ingest-tasks.js';
export {
  compareGenerations,
  createGeneration,
  deleteChunks,
  deleteKnowledgeBase,
  hybridSearch,
  ingestDocuments,
  promoteGeneration,
  readChunks,
  readDocument,
  runGc,
  setGoldenQueries,
  upsertChunks,
};

/** Every tool module, by MCP tool name; tests parse structuredContent with `TOOLS[name].outputSchema`. */
export const TOOLS = {
  [hybridSearch.name]: hybridSearch,
  [readChunks.name]: readChunks,
  [readDocument.name]: readDocument,
  [compareGenerations.name]: compareGenerations,
  [upsertChunks.name]: upsertChunks,
  [deleteChunks.name]: deleteChunks,
  [createGeneration.name]: createGeneration,
  [promoteGeneration.name]: promoteGeneration,
  [runGc.name]: runGc,
  [ingestDocuments.name]: ingestDocuments,
  [deleteKnowledgeBase.name]: deleteKnowledgeBase,
  [setGoldenQueries.name]: setGoldenQueries,
} as const;

/** The names a read-only server answers to; an unknown name gets the short answer of unknown-tool.ts. */
const READ_TOOL_NAMES = [
  hybridSearch.name,
  readChunks.name,
  readDocument.name,
  compareGenerations.name,
] as const;
const WRITE_TOOL_NAMES = [
  upsertChunks.name,
  deleteChunks.name,
  createGeneration.name,
  promoteGeneration.name,
  runGc.name,
  ingestDocuments.name,
  deleteKnowledgeBase.name,
  setGoldenQueries.name,
] as const;

/**
 * Write tools are not registered at all in read-only mode (rather than failing when called), so a model
 * never sees — or plans with — a tool it cannot use.
 */
export function registerTools(
  server: McpServer,
  deps: ToolDeps,
  options: {
    readOnly: boolean;
    /** The McpServer's task store (write mode): ingest_documents then also runs as an MCP task. */
    taskStore?: IngestTaskStore | undefined;
  },
): void {
  hybridSearch.registerHybridSearch(server, deps);
  readChunks.registerReadChunks(server, deps);
  readDocument.registerReadDocument(server, deps);
  compareGenerations.registerCompareGenerations(server, deps);
  if (!options.readOnly) {
    upsertChunks.registerUpsertChunks(server, deps);
    deleteChunks.registerDeleteChunks(server, deps);
    createGeneration.registerCreateGeneration(server, deps);
    promoteGeneration.registerPromoteGeneration(server, deps);
    runGc.registerRunGc(server, deps);
    ingestDocuments.registerIngestDocuments(server, deps);
    deleteKnowledgeBase.registerDeleteKnowledgeBase(server, deps);
    setGoldenQueries.registerSetGoldenQueries(server, deps);
  }
  answerUnknownToolsBriefly(
    server,
    options.readOnly ? READ_TOOL_NAMES : [...READ_TOOL_NAMES, ...WRITE_TOOL_NAMES],
  );
  if (!options.readOnly && options.taskStore) serveIngestTasks(server, deps, options.taskStore);
}
