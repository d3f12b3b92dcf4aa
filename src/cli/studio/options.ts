// `rag-studio-mcp studio [--port n] [server settings]`: the HTTP server on loopback, printing the studio's URL.
import { parseOrExit, UsageError, type CliIo } from '../usage.js';

export const STUDIO_USAGE = `Usage: rag-studio-mcp studio [--port <n>] [server settings]

Starts the Streamable HTTP server on 127.0.0.1 and prints the URL of RAG Studio, the browser view of your
knowledge bases, searches and generations (the access token rides in the URL fragment, which browsers never
send). The same server answers MCP clients at /mcp.

  --port <n>      port to listen on (default 3333; 0 picks a free one)
  -h, --help      this text

Server settings (--data-dir, --read-only, --embedding-model…, and their RAG_STUDIO_* variables) work as for
the server; see rag-studio-mcp --help. --transport is always http here.
`;

interface StudioOptions {
  help: boolean;
  serverArgs: string[];
}

function parseStudioArgs(argv: readonly string[]): StudioOptions {
  const help = argv.includes('--help') || argv.includes('-h');
  const transport = argv.findIndex((arg) => arg === '--transport' || arg.startsWith('--transport='));
  if (transport >= 0) {
    const value = argv[transport]!.includes('=') ? argv[transport]!.split('=')[1] : argv[transport + 1];
    if (value !== 'http')
      throw new UsageError(`the studio is served over HTTP; drop --transport ${value ?? ''}`);
  }
  // The server's own parser checks every other flag (and names a mistyped one).
  return {
    help,
    serverArgs: ['--transport', 'http', ...argv.filter((arg) => arg !== '--help' && arg !== '-h')],
  };
}

/** The server arguments for `studio`, or an exit code (2 bad usage, 0 after --help). */
export function studioServerArgs(argv: readonly string[], io: CliIo): string[] | number {
  const options = parseOrExit('studio', argv, parseStudioArgs, STUDIO_USAGE, io);
  return typeof options === 'number' ? options : options.serverArgs;
}
