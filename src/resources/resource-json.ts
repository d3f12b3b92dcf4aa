// Shared plumbing for JSON resources: the contents envelope, URIs, and engine errors → MCP protocol errors.
import { engineErrorText } from '../config/engine-error-text.js';
import { McpError, ErrorCode, type ReadResourceResult } from '@modelcontextprotocol/sdk/types.js';
import { isEngineError } from '../engine/errors.js';
import type { Embedder, KnowledgeBaseEngine } from '../engine/types.js';
import type { ServerConfig } from '../config/config.js';
import { describeError, type Logger } from '../log/logger.js';

/** The MCP spec's code for "Resource not found" (server/resources, Error Handling); the SDK has no constant. */
export const RESOURCE_NOT_FOUND = -32002;

export const MIME_JSON = 'application/json';
export const KNOWLEDGE_BASES_URI = 'rag-studio://knowledge-bases';
export const STATUS_URI = 'rag-studio://status';

export interface ResourceDeps {
  engine: KnowledgeBaseEngine;
  embedder: Embedder | undefined;
  config: ServerConfig;
  logger: Logger;
  version: string;
  /** Date.now() at server start, for uptime. */
  startedAt: number;
}

export function kbUri(kb: string): string {
  return `${KNOWLEDGE_BASES_URI}/${kb}`;
}

export function generationsUri(kb: string): string {
  return `${KNOWLEDGE_BASES_URI}/${kb}/generations`;
}

export function jsonContents(uri: URL, value: unknown): ReadResourceResult {
  return { contents: [{ uri: uri.href, mimeType: MIME_JSON, text: JSON.stringify(value, null, 2) }] };
}

/** A template variable as one decoded string (the SDK hands over string | string[]). */
export function variable(value: string | string[] | undefined): string {
  const raw = Array.isArray(value) ? value.join(',') : (value ?? '');
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/**
 * A protocol error whose wire message is exactly `CODE: message`. McpError's constructor prefixes
 * `MCP error <code>: ` to its message and the SDK sends that message as is, so a client (which prefixes
 * again) would show the prefix twice.
 */
export class ResourceReadError extends McpError {
  constructor(code: number, message: string, data?: unknown) {
    super(code, message, data);
    this.message = message;
  }
}

/**
 * Runs a read; a missing KB/generation becomes "resource not found", bad input InvalidParams, other engine
 * errors InternalError with their code; non-engine errors are bugs: logged, rethrown.
 */
export async function readOrThrow<T>(deps: ResourceDeps, uri: URL, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (!isEngineError(error)) {
      deps.logger.log('error', `reading ${uri.href} failed unexpectedly`, describeError(error));
      throw error;
    }
    const message = engineErrorText(error);
    const data = { code: error.code, uri: uri.href };
    if (error.code === 'KB_NOT_FOUND' || error.code === 'GENERATION_NOT_FOUND') {
      throw new ResourceReadError(RESOURCE_NOT_FOUND, message, data);
    }
    if (error.code === 'INVALID_INPUT' || error.code === 'LIMIT_EXCEEDED') {
      throw new ResourceReadError(ErrorCode.InvalidParams, message, data);
    }
    throw new ResourceReadError(ErrorCode.InternalError, message, data);
  }
}

/** Completion of `{kb}`: existing names starting with what was typed. Never throws — completion is a hint. */
/**
 * The SDK looks a completion argument up by name on this object, so it must have no prototype: on a plain
 * object `constructor`, `valueOf` or `__proto__` would find Object's own functions and call them.
 */
export function completers<T extends Record<string, (value: string) => Promise<string[]>>>(callbacks: T): T {
  return Object.assign(Object.create(null) as T, callbacks);
}

export async function completeKbName(deps: ResourceDeps, prefix: string): Promise<string[]> {
  try {
    const kbs = await deps.engine.listKnowledgeBases();
    return kbs.map((kb) => kb.name).filter((name) => name.startsWith(prefix.toLowerCase()));
  } catch (error) {
    deps.logger.log('warning', 'completing a knowledge base name failed', describeError(error));
    return [];
  }
}

/** `{ bruteForceThreshold: 1 }` → `{ brute_force_threshold: 1 }`: the MCP surface is snake_case throughout. */
export function snakeKeys(value: object): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(value).map(([key, v]) => [key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), v]),
  );
}
