// The folders ingest_documents may read: the client's MCP roots (roots/list) plus RAG_STUDIO_INGEST_ROOTS.
import { fileURLToPath } from 'node:url';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ListRootsResultSchema } from '@modelcontextprotocol/sdk/types.js';
import type { ToolExtra } from './tool-result.js';

/** Asked per call, on the calling request, so a client that changed its roots is heard at once. */
export async function allowedIngestRoots(
  server: McpServer,
  extra: ToolExtra,
  configured: readonly string[],
): Promise<string[]> {
  const roots = [...configured];
  if (server.server.getClientCapabilities()?.roots) {
    try {
      const listed = await extra.sendRequest({ method: 'roots/list' }, ListRootsResultSchema, {
        timeout: 10_000,
      });
      for (const root of listed.roots) {
        if (root.uri.startsWith('file://')) roots.push(fileURLToPath(root.uri));
      }
    } catch {
      // A client that declares roots but fails to list them grants nothing beyond the configured folders.
    }
  }
  return roots;
}

export const HOW_TO_ADD_ROOTS =
  "add the folder to your MCP client's roots (e.g. open it as the workspace), or start the server with " +
  'RAG_STUDIO_INGEST_ROOTS=/path/to/folder (several separated by ":")';
