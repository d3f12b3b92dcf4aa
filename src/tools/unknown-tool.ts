// A call to a tool that does not exist gets a short answer: the SDK echoed the whole name (16 MiB of it, if sent).
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

/** Characters of an unknown tool name quoted back. */
const SHOWN_NAME_LENGTH = 64;

type RawHandler = (request: { params?: { name?: unknown } }, extra: unknown) => Promise<unknown>;

/**
 * Wraps the SDK's tools/call handler: a name that is not one of `known` is answered here, quoted at most 64
 * characters long and with the list of tools. The SDK looks names up on a plain object, so `constructor`
 * or `valueOf` also stop here instead of reading as "disabled". (The SDK has no public hook for this; if its
 * internals change, the wrapper is skipped and the SDK's own answer stands.)
 */
export function answerUnknownToolsBriefly(server: McpServer, known: readonly string[]): void {
  const handlers = (server.server as unknown as { _requestHandlers?: Map<string, RawHandler> })
    ._requestHandlers;
  const original = handlers?.get('tools/call');
  if (handlers === undefined || original === undefined) return;
  const names = new Set(known);
  handlers.set('tools/call', (request, extra) => {
    const name = request.params?.name;
    if (typeof name !== 'string' || names.has(name)) return original(request, extra);
    const shown =
      name.length > SHOWN_NAME_LENGTH
        ? `${JSON.stringify(name.slice(0, SHOWN_NAME_LENGTH))}… (${name.length} characters)`
        : JSON.stringify(name);
    const result: CallToolResult = {
      isError: true,
      content: [
        {
          type: 'text',
          text: `MCP error -32602: Tool ${shown} not found; available tools: ${known.join(', ')}`,
        },
      ],
    };
    return Promise.resolve(result);
  });
}
