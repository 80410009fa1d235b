import { parseArgs } from 'node:util';
import { CliUsageError } from './cli-command';

/** A command's arguments: each option given (by name, without dashes) and the positionals. */
export interface ParsedOptions<N extends string> {
  values: Partial<Record<N, string>>;
  positionals: string[];
}

/**
 * Reads a command's arguments with `node:util`'s parseArgs: `--name value`, `--name=value`, and `--`
 * before a positional that starts with a dash. Every option takes one value (which may start with a
 * dash, e.g. a password) and may be given once. Anything else is wrong usage (exit 2), with
 * parseArgs' own error codes where it has one.
 *
 * @throws CliUsageError
 */
export function parseOptions<N extends string>(
  argv: readonly string[],
  names: readonly N[],
  options: { positionals?: boolean } = {},
): ParsedOptions<N> {
  const known = new Set<string>(names);
  // Not strict: parseArgs splits the tokens, and the checks below word the refusals for this CLI.
  const { tokens } = parseArgs({
    args: [...argv],
    options: Object.fromEntries(names.map((n) => [n, { type: 'string' as const }])),
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const values: Partial<Record<N, string>> = {};
  const positionals: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'option-terminator') continue;
    if (token.kind === 'positional') {
      if (!options.positionals)
        throw new CliUsageError(
          `unexpected argument ${quote(token.value)}`,
          'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL',
        );
      positionals.push(token.value);
      continue;
    }
    if (!known.has(token.name))
      throw new CliUsageError(`unknown option ${quote(token.rawName)}`, 'ERR_PARSE_ARGS_UNKNOWN_OPTION');
    const name = token.name as N;
    if (token.value === undefined)
      throw new CliUsageError(`${token.rawName} needs a value`, 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE');
    if (values[name] !== undefined) throw new CliUsageError(`${token.rawName} given twice`);
    values[name] = token.value;
  }
  return { values, positionals };
}

/** A user's word in a message: quoted, escaped, at most 40 characters. */
function quote(text: string): string {
  return JSON.stringify(text.slice(0, 40));
}
