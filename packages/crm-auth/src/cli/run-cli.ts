/**
 * The `crm-auth` dispatcher: picks the command, runs it, and turns every failure into one line on
 * stderr with an exit code. Never prints a stack trace, a ticket or a partial result.
 */
import { CrmAuthError } from '../errors';
import { type CliCommand, type CliIo, CliUsageError } from './cli-command';
import { COMMANDS } from './commands';

/** Usage text for `--help`. */
export function usage(commands: readonly CliCommand[] = COMMANDS): string {
  const rows = [
    ...commands.map((c) => [c.synopsis, c.summary] as const),
    ['--help', 'show this help'] as const,
  ];
  const width = Math.max(...rows.map(([s]) => s.length));
  return ['Usage:', ...rows.map(([s, summary]) => `  crm-auth ${s.padEnd(width)}  ${summary}`), ''].join(
    '\n',
  );
}

/**
 * Runs `argv` (the arguments after the program name) against `commands`. Resolves to the exit
 * code: 0 success, 1 failure (refused input, failed call), 2 wrong usage.
 */
export async function runCli(
  argv: readonly string[],
  io: CliIo,
  commands: readonly CliCommand[] = COMMANDS,
): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined) {
    io.stderr(usage(commands));
    return 2;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    io.stdout(usage(commands));
    return 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io.stderr(`crm-auth: unknown command "${oneLine(name)}" (try crm-auth --help)\n`);
    return 2;
  }
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout(usage([command]));
    return 0;
  }
  try {
    return await command.run(args, io);
  } catch (err) {
    if (err instanceof CliUsageError) {
      const code = err.code ? ` (${err.code})` : '';
      io.stderr(`crm-auth: ${oneLine(err.message)}${code}\n${usage([command])}`);
      return 2;
    }
    if (err instanceof CrmAuthError) {
      io.stderr(`crm-auth: ${command.failureLabel}: ${oneLine(err.message)} (${err.code})\n`);
      return 1;
    }
    const code = (err as { code?: unknown } | null)?.code;
    const detail = err instanceof Error ? err.message : String(err);
    io.stderr(
      `crm-auth: ${name} failed: ${oneLine(detail)}${typeof code === 'string' ? ` (${code})` : ''}\n`,
    );
    return 1;
  }
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}
