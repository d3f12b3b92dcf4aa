#!/usr/bin/env node
// The `rag-studio-mcp` command: `serve` (the default: the MCP server), `ingest`, `eval` and `studio`.
import { serve } from '../server/serve.js';
import { studioServerArgs } from './studio/options.js';
import { SERVER_NAME } from '../server/version.js';
import { describeError } from '../log/logger.js';

const io = {
  stdout: (text: string) => void process.stdout.write(text),
  stderr: (text: string) => void process.stderr.write(text),
};

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'eval': {
      // A one-shot retrieval evaluation, loaded only when asked for.
      const { runEvalCommand } = await import('./eval/index.js');
      process.exitCode = await runEvalCommand(rest, io);
      return;
    }
    case 'ingest': {
      const { runIngestCommand } = await import('./ingest/index.js');
      const stop = new AbortController();
      for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => stop.abort());
      const tty = process.stderr.isTTY === true;
      process.exitCode = await runIngestCommand(rest, { ...io, isTty: tty, signal: stop.signal });
      return;
    }
    case 'studio': {
      const args = studioServerArgs(rest, io);
      if (typeof args === 'number') {
        process.exitCode = args;
        return;
      }
      return serve(args, { studio: true });
    }
    case 'serve':
      return serve(rest);
    default:
      // No subcommand: the server, as MCP clients start it (`rag-studio-mcp --transport http …` too).
      return serve(argv);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`${SERVER_NAME}: fatal: ${JSON.stringify(describeError(error))}\n`);
  process.exit(1);
});
