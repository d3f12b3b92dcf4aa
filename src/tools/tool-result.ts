// Engine outcomes → MCP tool results: structured JSON plus the same JSON as text; EngineError → isError.
import { engineErrorText } from '../config/engine-error-text.js';
import type { CallToolResult, ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import { isEngineError, type EngineError } from '../engine/errors.js';
import type { KnowledgeBaseEngine } from '../engine/types.js';
import { describeError, type Logger } from '../log/logger.js';

export type ToolExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** What every tool handler needs. */
export interface ToolDeps {
  engine: KnowledgeBaseEngine;
  logger: Logger;
  /** Folders ingest_documents may read besides the client's MCP roots (RAG_STUDIO_INGEST_ROOTS). */
  ingestRoots?: readonly string[];
}

/**
 * Clients without structured-output support read the text block: the same JSON, or, for tools that pass
 * `render`, a compact readable rendering (search results would otherwise be sent twice in full).
 */
export function structuredResult<T extends Record<string, unknown>>(
  value: T,
  render?: (value: T) => string,
): CallToolResult {
  return {
    structuredContent: value,
    content: [{ type: 'text', text: render ? render(value) : JSON.stringify(value) }],
  };
}

/** The text starts with the stable code so a model (or a script) can branch on it. */
export function engineErrorResult(error: EngineError): CallToolResult {
  const content: CallToolResult['content'] = [{ type: 'text', text: engineErrorText(error) }];
  if (error.details !== undefined) {
    const details = JSON.stringify(error.details);
    content.push({
      type: 'text',
      text: `details: ${details.length > 8000 ? `${details.slice(0, 8000)}…` : details}`,
    });
  }
  return { isError: true, content };
}

/**
 * Runs a tool body: engine errors become isError results the model can act on; anything else is a bug,
 * so it is logged with its stack and rethrown (the SDK then reports it as a tool error).
 */
export async function runTool<T extends Record<string, unknown>>(
  name: string,
  deps: ToolDeps,
  body: () => Promise<T>,
  render?: (value: T) => string,
): Promise<CallToolResult> {
  try {
    return structuredResult(await body(), render);
  } catch (error) {
    if (isEngineError(error)) {
      // The message was trimmed for the client; the log keeps the storage layer's own words.
      if (error.code === 'STORAGE')
        deps.logger.log('error', `tool ${name}: ${error.message}`, describeError(error.cause ?? error));
      return engineErrorResult(error);
    }
    deps.logger.log('error', `tool ${name} failed unexpectedly`, describeError(error));
    throw error;
  }
}

/** Drops null/undefined fields so results stay short for a model's context window. */
export function withoutNulls<T extends Record<string, unknown>>(
  value: T,
): { [K in keyof T]?: NonNullable<T[K]> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null && v !== undefined)) as {
    [K in keyof T]?: NonNullable<T[K]>;
  };
}
