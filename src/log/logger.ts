// Logging fan-out: every message goes to stderr (stdout belongs to MCP) and to MCP sessions that asked for logs.
import type { EngineLog, EngineLogLevel } from '../engine/types.js';

export type LogSink = (level: EngineLogLevel, message: string, data?: Record<string, unknown>) => void;

export interface Logger {
  /** Hand this to the engine and embedder; it writes to stderr and every attached sink. */
  readonly log: EngineLog;
  /** Adds a destination (one MCP session); returns the function that removes it. */
  attach(sink: LogSink): () => void;
}

export const LOG_SEVERITY: Record<EngineLogLevel, number> = { debug: 0, info: 1, warning: 2, error: 3 };

export interface LoggerOptions {
  /** Least severe level written to the stream. Sinks filter for themselves. */
  level: EngineLogLevel;
  /** Defaults to process.stderr. */
  stream?: { write(text: string): unknown };
}

export function createLogger({ level, stream = process.stderr }: LoggerOptions): Logger {
  const sinks = new Set<LogSink>();
  const log: EngineLog = (messageLevel, message, data) => {
    if (LOG_SEVERITY[messageLevel] >= LOG_SEVERITY[level]) {
      const suffix = data === undefined ? '' : ` ${safeJson(data)}`;
      stream.write(`${new Date().toISOString()} rag-studio ${messageLevel}: ${message}${suffix}\n`);
    }
    for (const sink of sinks) {
      // A failing client connection must never break the caller that logged.
      try {
        sink(messageLevel, message, data);
      } catch {
        /* ignored on purpose */
      }
    }
  };
  return {
    log,
    attach(sink) {
      sinks.add(sink);
      return () => sinks.delete(sink);
    },
  };
}

/** Error → plain fields a log line can carry (Errors stringify to `{}`). */
export function describeError(error: unknown): Record<string, unknown> {
  if (error instanceof Error) return { name: error.name, message: error.message, stack: error.stack };
  return { message: String(error) };
}

function safeJson(data: Record<string, unknown>): string {
  try {
    return JSON.stringify(data);
  } catch {
    return '[unserializable data]';
  }
}
