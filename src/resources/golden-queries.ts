// Resource template rag-studio://knowledge-bases/{kb}/golden-queries: the queries that gate a KB's promotions.
import { ResourceTemplate, type McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { toGoldenSetJson } from '../tools/eval-query-schema.js';
import {
  completeKbName,
  completers,
  jsonContents,
  MIME_JSON,
  readOrThrow,
  variable,
  type ResourceDeps,
} from './resource-json.js';

export function registerGoldenQueriesResource(server: McpServer, deps: ResourceDeps): void {
  server.registerResource(
    'knowledge-base-golden-queries',
    new ResourceTemplate('rag-studio://knowledge-bases/{kb}/golden-queries', {
      list: undefined,
      complete: completers({ kb: (value) => completeKbName(deps, value) }),
    }),
    {
      title: 'Golden queries of a knowledge base',
      description:
        'The queries (with the documents that answer them) that gate promote_generation for this knowledge base, with k, the recall tolerance and the revision to pass to set_golden_queries.',
      mimeType: MIME_JSON,
    },
    async (uri, variables) => {
      const kb = variable(variables.kb);
      const set = await readOrThrow(deps, uri, () => deps.engine.getGoldenQueries(kb));
      return jsonContents(uri, toGoldenSetJson(kb, set));
    },
  );
}
