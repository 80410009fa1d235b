import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES_DIR } from '../../test/fixtures-helpers';
import { CrmAuthError } from '../errors';
import type { CliCommand, CliIo } from './cli-command';
import { runCli, usage } from './run-cli';

async function run(argv: string[], commands?: readonly CliCommand[]) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: {} };
  const code = await runCli(argv, io, commands);
  return { code, stdout, stderr };
}

const decodable = ['crm', 'discovery', 'wlid'].flatMap((service) =>
  readdirSync(path.join(FIXTURES_DIR, service))
    .filter((f) => f.endsWith('.xml'))
    .map((f) => path.join(service, f.slice(0, -4))),
);
const hostile = readdirSync(path.join(FIXTURES_DIR, 'hostile')).filter((f) => f.endsWith('.xml'));

describe('crm-auth CLI', () => {
  it.each(decodable)('decode %s.xml prints exactly %s.json and exits 0', async (name) => {
    const r = await run(['decode', path.join(FIXTURES_DIR, `${name}.xml`)]);
    expect(r).toEqual({
      code: 0,
      stdout: readFileSync(path.join(FIXTURES_DIR, `${name}.json`), 'utf8'),
      stderr: '',
    });
  });

  it.each(hostile)(
    'decode hostile/%s prints nothing, one stderr line naming the code, exits 1',
    async (file) => {
      const r = await run(['decode', path.join(FIXTURES_DIR, 'hostile', file)]);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^crm-auth: refused: [^\n]+ \(ERR_[A-Z_]+\)\n$/);
    },
  );

  it('names the problem in the line, e.g. a DOCTYPE', async () => {
    const r = await run(['decode', path.join(FIXTURES_DIR, 'hostile', 'doctype-internal-entity.xml')]);
    expect(r.stderr).toBe('crm-auth: refused: DOCTYPE is not allowed in SOAP (ERR_XML_FORBIDDEN)\n');
  });

  it('refuses a file over the size cap without reading it into a string', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'crm-auth-cli-'));
    const big = path.join(dir, 'big.xml');
    writeFileSync(big, `<a>${'x'.repeat(6 * 1024 * 1024)}</a>`);
    const r = await run(['decode', big]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/\(ERR_XML_TOO_LARGE\)\n$/);
  });

  it('reports a missing file in one line', async () => {
    const r = await run(['decode', '/nonexistent/file.xml']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^crm-auth: decode failed: ENOENT[^\n]*\n$/);
  });

  it('prints usage for --help (exit 0), and for no or wrong arguments (exit 2)', async () => {
    expect(await run(['--help'])).toEqual({ code: 0, stdout: usage(), stderr: '' });
    expect(usage()).toContain('crm-auth decode FILE');
    expect((await run([])).code).toBe(2);
    const unknown = await run(['frobnicate']);
    expect(unknown).toMatchObject({ code: 2, stdout: '' });
    expect(unknown.stderr).toBe('crm-auth: unknown command "frobnicate" (try crm-auth --help)\n');
    const noFile = await run(['decode']);
    expect(noFile.code).toBe(2);
    expect(noFile.stderr).toMatch(/^crm-auth: decode takes exactly one FILE\n/);
  });

  it('dispatches to registered commands and formats their CrmAuthErrors with the command label', async () => {
    const fake: CliCommand = {
      name: 'whoami',
      synopsis: 'whoami --org NAME',
      summary: 'run the flow',
      failureLabel: 'failed',
      run: (args) => {
        if (args[0] === 'boom') throw new CrmAuthError('ERR_TIMEOUT', 'discovery did not answer\nin 30 s');
        return Promise.resolve(0);
      },
    };
    expect((await run(['whoami'], [fake])).code).toBe(0);
    expect(await run(['whoami', 'boom'], [fake])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'crm-auth: failed: discovery did not answer in 30 s (ERR_TIMEOUT)\n',
    });
    expect((await run(['--help'], [fake])).stdout).toContain('crm-auth whoami --org NAME  run the flow');
  });

  const built = path.resolve(__dirname, '../../dist/cli/main.js');
  it.skipIf(!existsSync(built))(
    'runs as a process from dist/cli/main.js (after build)',
    () => {
      const ok = spawnSync(
        process.execPath,
        [built, 'decode', path.join(FIXTURES_DIR, 'crm', 'whoami-response.xml')],
        {
          encoding: 'utf8',
        },
      );
      expect(ok.status).toBe(0);
      expect(JSON.parse(ok.stdout)).toMatchObject({ operation: 'WhoAmI', kind: 'response' });
      const bad = spawnSync(
        process.execPath,
        [built, 'decode', path.join(FIXTURES_DIR, 'hostile', 'billion-laughs.xml')],
        {
          encoding: 'utf8',
        },
      );
      expect(bad.status).toBe(1);
      expect(bad.stdout).toBe('');
      expect(bad.stderr).toBe('crm-auth: refused: DOCTYPE is not allowed in SOAP (ERR_XML_FORBIDDEN)\n');
      // Two Node process starts: seconds each on a loaded 2-core machine.
    },
    30_000,
  );
});
