// One check shared by the packaging tests: a server started from an installed copy answers a real MCP client.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { expect } from 'vitest';

/** Lists tools and prompts, writes a chunk and finds it again; returns the tool names the server offers. */
export async function expectWorkingServer(client: Client): Promise<string[]> {
  const { tools } = await client.listTools();
  const names = tools.map((t) => t.name).sort();
  expect(names).toContain('hybrid_search');
  expect(names).toContain('upsert_chunks');
  const { prompts } = await client.listPrompts();
  expect(prompts.map((p) => p.name)).toContain('answer_from_knowledge_base');

  const upsert = await client.callTool(
    {
      name: 'upsert_chunks',
      arguments: {
        kb: 'packaged',
        chunks: [
          { chunk_id: 'p1', document_id: 'guide', content: 'The packaged server stores otters in LanceDB.' },
          { chunk_id: 'p2', document_id: 'guide', content: 'Unrelated text about bicycles and rivers.' },
        ],
      },
    },
    CallToolResultSchema,
  );
  expect(upsert.isError ?? false).toBe(false);
  const search = await client.callTool(
    { name: 'hybrid_search', arguments: { kb: 'packaged', query: 'otters', mode: 'lexical' } },
    CallToolResultSchema,
  );
  expect(search.isError ?? false).toBe(false);
  const results = (search.structuredContent as { results: Array<{ chunk_id: string }> }).results;
  expect(results[0]?.chunk_id).toBe('p1');
  return names;
}
