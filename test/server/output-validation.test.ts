// Tool output validation: on by default (tests), off where the server binary asks (validateOutput: false).
import { afterEach, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { RegisteredTool } from '@modelcontextprotocol/sdk/server/mcp.js';
import { createServer } from '../../src/server/create-server.js';
import { startTestServer, type TestServer } from '../helpers/mcp-client.js';

let base: TestServer | undefined;
afterEach(async () => {
  await base?.close();
  base = undefined;
});

/** Calls a tool of a createServer server whose output breaks the tool's own output schema. */
async function callMisshapenTool(validateOutput: boolean | undefined) {
  base = await startTestServer();
  const server = createServer({
    engine: base.engine,
    embedder: undefined,
    logger: base.logger,
    config: base.config,
    ...(validateOutput === undefined ? {} : { validateOutput }),
  });
  // createServer answers only its own tool names, so one of them gets a handler whose output breaks its schema.
  const tools = (server as unknown as { _registeredTools: Record<string, RegisteredTool> })._registeredTools;
  tools.hybrid_search!.update({
    callback: () => ({ structuredContent: { kb: 42 }, content: [{ type: 'text', text: 'x' }] }),
  });
  const client = new Client({ name: 'output-validation-test', version: '0.0.0' });
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  await Promise.all([server.connect(serverTransport), client.connect(clientTransport)]);
  try {
    // The client would validate too once it has listed tools; this checks what the server sends.
    return await client.callTool({ name: 'hybrid_search', arguments: { kb: 'any', query: 'x' } });
  } finally {
    await client.close();
    await server.close();
  }
}

describe('tool output validation', () => {
  it('is on by default: a structuredContent that breaks the output schema becomes an error', async () => {
    const result = await callMisshapenTool(undefined);
    expect(result.isError).toBe(true);
    expect(JSON.stringify(result.content)).toMatch(/Output validation error/);
  });

  it('is skipped with validateOutput: false (the server binary), sending the output as built', async () => {
    const result = await callMisshapenTool(false);
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toEqual({ kb: 42 });
  });
});
