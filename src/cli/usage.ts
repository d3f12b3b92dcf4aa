// The prologue every subcommand shares: parse its flags, or print the usage (exit 2 on a mistake, 0 on --help).
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/**
 * Parses `argv` with `parse`; returns the options, or the exit code when there is nothing left to run:
 * 2 after a UsageError (its one line, then the usage, on stderr), 0 after --help (the usage on stdout).
 * @example const options = parseOrExit('eval', argv, parseEvalArgs, EVAL_USAGE, io); if (typeof options === 'number') return options;
 */
export function parseOrExit<T extends { help: boolean }>(
  name: string,
  argv: readonly string[],
  parse: (argv: readonly string[]) => T,
  usage: string,
  io: CliIo,
): T | number {
  let options: T;
  try {
    options = parse(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`${name}: ${error.message}\n\n${usage}`);
    return 2;
  }
  if (options.help) {
    io.stdout(usage);
    return 0;
  }
  return options;
}
