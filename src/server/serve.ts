// The server process, and the only module with side effects: config → runtime (engine + embedder) → MCP → transport.
import { engineErrorText } from '../config/engine-error-text.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { DEFAULT_LIMITS, isEngineError } from '../engine/index.js';
import { helpText } from '../config/config-settings.js';
import { ConfigError, parseCommandLine, type ServerConfig } from '../config/config.js';
import { openRuntime, type Runtime } from '../runtime/open-runtime.js';
import { createServer } from './create-server.js';
import { startHttpServer } from './http.js';
import { connectionUrl, resolveHttpToken } from './http-token.js';
import { createLogger, describeError } from '../log/logger.js';
import { SERVER_NAME, SERVER_VERSION } from './version.js';

/** Upper bound on a graceful shutdown; past it the process exits anyway (each write commit is atomic). */
const SHUTDOWN_TIMEOUT_MS = 30_000;

export interface ServeOptions {
  /** `rag-studio-mcp studio`: also print the studio's URL (token in the fragment) on stdout. */
  studio?: boolean;
}

/**
 * Runs the server until a signal or (stdio) the client goes away: parses `argv` as server settings, opens
 * the runtime and serves it over stdio or Streamable HTTP. Bad settings exit 1 with one line on stderr.
 */
export async function serve(argv: readonly string[], options: ServeOptions = {}): Promise<void> {
  let config: ServerConfig;
  let startupWarnings: string[];
  try {
    const command = parseCommandLine(argv);
    if (command.action === 'help') return void process.stdout.write(`${helpText(DEFAULT_LIMITS)}\n`);
    if (command.action === 'version') return void process.stdout.write(`${SERVER_VERSION}\n`);
    config = command.config;
    startupWarnings = command.warnings;
  } catch (error) {
    return exitWithError(error);
  }

  const logger = createLogger({ level: config.logLevel });
  for (const warning of startupWarnings) logger.log('warning', warning);
  const startedAt = Date.now();
  let runtime: Runtime;
  try {
    // prewarm: loads (or downloads) the model in the background so the first tool call does not pay for it.
    runtime = await openRuntime(config, { log: logger.log, prewarm: true });
  } catch (error) {
    return exitWithError(error);
  }
  const { engine, embedder } = runtime;

  let closeTransport: () => Promise<void> = async () => undefined;
  let shuttingDown = false;
  const shutdown = async (reason: string): Promise<void> => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.log('info', `shutting down (${reason}); letting in-flight writes finish`);
    setTimeout(() => {
      logger.log('error', `shutdown took over ${SHUTDOWN_TIMEOUT_MS} ms; exiting anyway`);
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS).unref();
    let code = 0;
    // Transport first (no new calls), then the engine (waits for in-flight writes), then the model worker.
    const steps: Array<[string, () => Promise<unknown>]> = [
      ['transport', closeTransport],
      ['engine and embedder', () => runtime.close()],
    ];
    for (const [what, step] of steps) {
      try {
        await step();
      } catch (error) {
        code = 1;
        logger.log('error', `closing the ${what} failed`, describeError(error));
      }
    }
    process.exit(code);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      // A second signal means "now": the user gave up waiting.
      if (shuttingDown) process.exit(130);
      void shutdown(signal);
    });
  }

  const makeServer = () =>
    createServer({ engine, embedder, logger, config, startedAt, startupWarnings, validateOutput: false });
  if (config.transport === 'http') {
    try {
      // Never open to every local process: without a configured token, one is generated and stored.
      const auth = await resolveHttpToken(config.http.authToken, engine.dataDir);
      const http = await startHttpServer({
        config: { ...config.http, authToken: auth.token },
        createSessionServer: makeServer,
        logger,
      });
      closeTransport = () => http.close();
      logger.log('info', `${SERVER_NAME} ${SERVER_VERSION} serving Streamable HTTP at ${http.url}`, {
        dataDir: engine.dataDir,
        auth: auth.source === 'configured' ? 'bearer token (configured)' : `bearer token (${auth.source})`,
        ...(auth.file === undefined ? {} : { tokenFile: auth.file }),
      });
      if (auth.source !== 'configured') {
        // As notebook servers do: the one line a user needs to connect, token included (stderr only).
        process.stderr.write(
          `${SERVER_NAME}: connect with ${connectionUrl(http.url, auth.token)}\n` +
            `${SERVER_NAME}: or send "Authorization: Bearer ${auth.token}" to ${http.url}` +
            `${auth.file === undefined ? '' : ` (token kept in ${auth.file}; delete it to rotate)`}\n`,
        );
      }
      // The fragment never reaches the server or its logs; the page moves it to sessionStorage at once.
      if (options.studio === true)
        process.stdout.write(
          `${SERVER_NAME} studio: ${http.studioUrl}#token=${encodeURIComponent(auth.token)}\n`,
        );
    } catch (error) {
      await runtime.close().catch(() => undefined);
      return exitWithError(error);
    }
  } else {
    const server = makeServer();
    closeTransport = () => server.close();
    // The client closing our stdin is how a stdio session ends; a vanished client shows up as EPIPE on stdout.
    process.stdin.once('end', () => void shutdown('stdin closed'));
    process.stdout.on('error', () => void shutdown('stdout closed'));
    await server.connect(new StdioServerTransport());
    logger.log('info', `${SERVER_NAME} ${SERVER_VERSION} serving stdio`, { dataDir: engine.dataDir });
  }
}

/** One line on stderr and exit 1: bad config or storage that cannot open is for the user to fix, not a stack trace. */
function exitWithError(error: unknown): never {
  const message =
    error instanceof ConfigError
      ? `configuration error: ${error.message}`
      : isEngineError(error)
        ? engineErrorText(error)
        : error instanceof Error && 'code' in error && typeof error.code === 'string'
          ? `${error.code}: ${error.message}`
          : `failed to start: ${error instanceof Error ? error.message : String(error)}`;
  // stderr is synchronous for files and pipes on POSIX, so exiting right after loses nothing.
  process.stderr.write(`${SERVER_NAME}: ${message.replace(/\s*\n\s*/g, ' ')}\n`);
  process.exit(1);
}
