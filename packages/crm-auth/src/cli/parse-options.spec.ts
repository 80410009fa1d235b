import { describe, expect, it } from 'vitest';
import { CliUsageError, type CliIo } from './cli-command';
import { parseOptions } from './parse-options';
import { runCli } from './run-cli';

const NAMES = ['org', 'password'] as const;

function refusal(fn: () => unknown): { message: string; code: string | undefined } {
  try {
    fn();
  } catch (err) {
    if (err instanceof CliUsageError) return { message: err.message, code: err.code };
    throw err;
  }
  throw new Error('expected a CliUsageError');
}

describe('parseOptions (node:util parseArgs under the CLI)', () => {
  it('reads --name value and --name=value, and a value that starts with a dash', () => {
    expect(parseOptions(['--org', 'Contoso Ltd', '--password=a=b'], NAMES).values).toEqual({
      org: 'Contoso Ltd',
      password: 'a=b',
    });
    expect(parseOptions(['--password', '-secret'], NAMES).values).toEqual({ password: '-secret' });
    expect(parseOptions(['--org='], NAMES).values).toEqual({ org: '' });
  });

  it('refuses an unknown option with its name and ERR_PARSE_ARGS_UNKNOWN_OPTION', () => {
    expect(refusal(() => parseOptions(['--bogus', '1'], NAMES))).toEqual({
      message: 'unknown option "--bogus"',
      code: 'ERR_PARSE_ARGS_UNKNOWN_OPTION',
    });
    expect(refusal(() => parseOptions(['--bogus=1'], NAMES)).message).toBe('unknown option "--bogus"');
    expect(refusal(() => parseOptions(['-x'], NAMES)).message).toBe('unknown option "-x"');
    expect(refusal(() => parseOptions([`--${'a'.repeat(100)}`], NAMES)).message).toBe(
      `unknown option "--${'a'.repeat(38)}"`,
    );
  });

  it('refuses an option without a value, one given twice, and a stray positional', () => {
    expect(refusal(() => parseOptions(['--org'], NAMES))).toEqual({
      message: '--org needs a value',
      code: 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE',
    });
    expect(refusal(() => parseOptions(['--org', 'a', '--org=b'], NAMES)).message).toBe('--org given twice');
    expect(refusal(() => parseOptions(['--org', 'a', 'stray'], NAMES))).toEqual({
      message: 'unexpected argument "stray"',
      code: 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL',
    });
  });

  it('takes positionals when allowed, a dashed one after --', () => {
    expect(parseOptions(['a.xml', '--', '-b.xml'], [], { positionals: true }).positionals).toEqual([
      'a.xml',
      '-b.xml',
    ]);
    expect(refusal(() => parseOptions(['--verbose', 'a.xml'], [], { positionals: true })).code).toBe(
      'ERR_PARSE_ARGS_UNKNOWN_OPTION',
    );
  });
});

describe('crm-auth usage errors from the parser', () => {
  async function run(argv: string[]) {
    let stdout = '';
    let stderr = '';
    const io: CliIo = { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: {} };
    return { code: await runCli(argv, io), stdout, stderr };
  }

  it('prints an unknown whoami option with its code and the usage, exit 2', async () => {
    const r = await run(['whoami', '--discovery', 'https://x', '--org', 'o', '--bogus', '1']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /^crm-auth: unknown option "--bogus" \(ERR_PARSE_ARGS_UNKNOWN_OPTION\)\nUsage:\n {2}crm-auth whoami /,
    );
  });

  it('keeps the whoami checks after parsing (required options, one certificate source, the PUID shape)', async () => {
    expect((await run(['whoami', '--org', 'x'])).stderr).toMatch(
      /^crm-auth: --discovery and --org are required\n/,
    );
    const both = await run([
      'whoami',
      '--discovery',
      'https://x',
      '--org',
      'o',
      '--pfx',
      'a',
      '--cert',
      'c',
      '--key',
      'k',
    ]);
    expect(both.stderr).toMatch(/^crm-auth: give either --pfx FILE, or --cert FILE and --key FILE\n/);
    const as = await run(['whoami', '--discovery', 'https://x', '--org', 'o', '--pfx', 'a', '--as', 'jon']);
    expect(as.stderr).toMatch(/^crm-auth: --as takes a HexPUID \(16 hex digits\)\n/);
  });

  it('refuses an option to decode instead of reading it as a file name', async () => {
    const r = await run(['decode', '--verbose']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^crm-auth: unknown option "--verbose" \(ERR_PARSE_ARGS_UNKNOWN_OPTION\)\n/);
  });
});
