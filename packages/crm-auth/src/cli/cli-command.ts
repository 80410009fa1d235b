/**
 * What a `crm-auth` command is. Commands get their I/O injected, so tests run them in-process and
 * only the entry point (main.ts) touches the real process.
 */

/** The I/O a command may use. */
export interface CliIo {
  /** Writes to standard output, as is. */
  stdout(text: string): void;
  /** Writes to standard error, as is. */
  stderr(text: string): void;
  /** The environment, for commands that read configuration (only the CLI may read it). */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** One sub-command, e.g. `decode`. */
export interface CliCommand {
  /** The word after `crm-auth`. */
  readonly name: string;
  /** The argument synopsis for `--help`, e.g. `decode FILE`. */
  readonly synopsis: string;
  /** One line saying what the command does. */
  readonly summary: string;
  /**
   * The word that introduces a failure on stderr (`crm-auth: <failureLabel>: <message> (<code>)`),
   * e.g. `refused` for input the command will not accept.
   */
  readonly failureLabel: string;
  /** Runs with the arguments after the command name. Resolves to the exit code; throws to fail. */
  run(args: readonly string[], io: CliIo): Promise<number>;
}

/** Wrong usage of a command (missing argument, unknown option): exit code 2 and a usage line. */
export class CliUsageError extends Error {
  override readonly name = 'CliUsageError';

  /** @param code printed after the message when given, e.g. `ERR_PARSE_ARGS_UNKNOWN_OPTION`. */
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}
