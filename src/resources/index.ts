// Registers every resource and turns engine events into notifications/resources/list_changed.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { registerDocumentsResource } from './documents.js';
import { registerGenerationsResource } from './generations.js';
import { registerGoldenQueriesResource } from './golden-queries.js';
import { registerJobsResource } from './jobs.js';
import { registerKnowledgeBaseResources } from './knowledge-bases.js';
import type { ResourceDeps } from './resource-json.js';
import { registerStatusResource } from './status.js';

export type { ResourceDeps } from './resource-json.js';
export {
  KNOWLEDGE_BASES_URI,
  RESOURCE_NOT_FOUND,
  STATUS_URI,
  generationsUri,
  kbUri,
} from './resource-json.js';

/**
 * Registers the resources and subscribes to the engine; returns the unsubscribe function. A new KB adds a
 * resource and a generation change alters the listed ones, so both make clients re-list.
 */
export function registerResources(server: McpServer, deps: ResourceDeps): () => void {
  registerKnowledgeBaseResources(server, deps);
  registerGenerationsResource(server, deps);
  registerGoldenQueriesResource(server, deps);
  registerStatusResource(server, deps);
  registerDocumentsResource(server, deps);
  registerJobsResource(server, deps);
  return deps.engine.onEvent((event) => {
    if (event.type === 'kb_created' || event.type === 'generation_changed') server.sendResourceListChanged();
  });
}
