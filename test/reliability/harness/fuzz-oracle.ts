// Judging one fuzzed tool call: a valid result (parsed with the tool's output schema) or a clear isError, nothing else.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { ERROR_CODES } from '../../../src/engine/errors.js';
import { TOOLS } from '../../../src/tools/index.js';
import { textOf } from '../../helpers/mcp-client.js';
import type { ToolCall } from './fuzz-calls.js';

export type Verdict =
  { ok: true; output: Record<string, unknown> } | { ok: false; error: string } | { violation: string };

const INPUT_ERROR = (tool: string) =>
  `MCP error -32602: Input validation error: Invalid arguments for tool ${tool}: `;

function inputKeys(tool: string): string[] {
  const schema = TOOLS[tool as keyof typeof TOOLS]?.inputSchema as unknown as
    { shape?: Record<string, unknown> } | undefined;
  return Object.keys(schema?.shape ?? {});
}

/**
 * An error is clear when it starts with a stable engine code and says something (STORAGE is not acceptable for
 * bad input: it means the input got past validation and broke the storage layer), or when it is the SDK's input
 * validation error whose every line names the argument at fault (`… at chunks[0].content`).
 */
export function judge(call: ToolCall, result: CallToolResult): Verdict {
  const text = textOf(result);
  if (!result.isError) {
    const tool = Object.hasOwn(TOOLS, call.tool) ? TOOLS[call.tool as keyof typeof TOOLS] : undefined;
    if (!tool) return { violation: `unknown tool ${call.tool} answered without error` };
    const parsed = tool.outputSchema.safeParse(result.structuredContent);
    if (!parsed.success)
      return {
        violation: `${call.tool} output does not match its outputSchema: ${parsed.error.message.slice(0, 300)}`,
      };
    return { ok: true, output: parsed.data as Record<string, unknown> };
  }
  const code = /^([A-Z_]+): (.*)/s.exec(text);
  if (code) {
    if (!(ERROR_CODES as readonly string[]).includes(code[1]!))
      return { violation: `unknown error code in "${text.slice(0, 200)}"` };
    if (code[1] === 'STORAGE') return { violation: `bad input reached storage: ${text.slice(0, 400)}` };
    if (code[2]!.trim().length < 15) return { violation: `terse error "${text}"` };
    return { ok: false, error: text };
  }
  // Unknown names (`valueOf` and `constructor` included) are quoted back at most 64 characters long.
  if (
    !Object.hasOwn(TOOLS, call.tool) &&
    text.startsWith(`MCP error -32602: Tool ${JSON.stringify(call.tool.slice(0, 64))}`) &&
    text.includes(' not found; available tools: ') &&
    text.length < 400
  ) {
    return { ok: false, error: text };
  }
  const prefix = INPUT_ERROR(call.tool);
  if (text.startsWith(prefix)) {
    const keys = inputKeys(call.tool);
    for (const line of text.slice(prefix.length).split('\n')) {
      // An unknown top-level argument has no path: the line names it and lists the valid ones instead.
      if (/^unknown arguments? "/.test(line) && line.includes(`; valid arguments: ${keys.join(', ')}`))
        continue;
      // Paths can hold any filter key, spaces included: the path is whatever follows the last " at ".
      const at = line.lastIndexOf(' at ');
      const first = at < 0 ? undefined : line.slice(at + 4).split(/[.[]/)[0];
      if (!first || !keys.includes(first))
        return { violation: `validation error that names no argument: "${line.slice(0, 200)}"` };
    }
    return { ok: false, error: text };
  }
  return { violation: `unclear error from ${call.tool}: ${text.slice(0, 400)}` };
}

/** For a successful search: results respect the requested limit, generation and (for simple filters) the filter. */
export function checkSearchOutput(
  args: Record<string, unknown>,
  output: Record<string, unknown>,
): string | undefined {
  const results = output.results as Array<Record<string, unknown>>;
  const limit = typeof args.limit === 'number' ? args.limit : 10;
  if (results.length > limit) return `search returned ${results.length} results for limit ${limit}`;
  if (typeof args.generation === 'number' && output.generation !== args.generation) {
    return `search of generation ${args.generation} answered from ${String(output.generation)}`;
  }
  return undefined;
}

/** The value a result holds for a filter field (citation fields live under `citation`). */
export function fieldOf(hit: Record<string, unknown>, field: string): unknown {
  if (field === 'chunk_id' || field === 'document_id') return hit[field];
  if (field.startsWith('metadata.'))
    return (hit.metadata as Record<string, unknown>)[field.slice('metadata.'.length)];
  return (hit.citation as Record<string, unknown>)[field];
}
