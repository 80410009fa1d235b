import { DEMO_IDS } from '@onbehalf/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run-cli';
import { startTestEmulator, type EmulatorHarness } from '../helpers/emulator-harness';

let h: EmulatorHarness;

beforeAll(async () => {
  h = await startTestEmulator();
}, 60_000);

afterAll(async () => {
  await h?.close();
});

async function cli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env });
  return { code, stdout, stderr };
}

function base(): string[] {
  return [
    'whoami',
    '--discovery',
    h.emulator.discoveryUrl,
    '--sts',
    h.emulator.stsUrl,
    '--org',
    'Contoso Ltd',
    '--ca',
    h.emulator.caCertPath,
  ];
}

describe('crm-auth whoami against the emulator', { timeout: 30_000 }, () => {
  it('runs the flow with the demo PFX and shows who the account is and acts for', async () => {
    const { code, stdout, stderr } = await cli([
      ...base(),
      '--pfx',
      h.emulator.demo.pfxPath,
      '--password',
      h.emulator.demo.pfxPassword,
      '--as',
      '0003bffd8f3a5b21',
    ]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    for (const step of [
      'certificate',
      'RetrievePolicy',
      'RequestSecurityToken',
      'RetrieveOrganizations',
      'RetrieveCrmTicket',
      'WhoAmI',
      'RetrieveCrmUserIdByExternalId',
      'Retrieve systemuser \\(impersonated\\)',
    ]) {
      expect(stdout).toMatch(new RegExp(`^ok +${step} +\\d+ ms`, 'm'));
    }
    expect(stdout).toContain(`Service account: ERP_Integration (${DEMO_IDS.erpInContoso})`);
    expect(stdout).toContain(`Acts for:        Jon Wilson (${DEMO_IDS.jonWilson}, PUID 0003BFFD8F3A5B21)`);
    // The service account's name from WhoAmI, the user's from a Retrieve run as that user.
    expect(stdout).toContain('Calls run as:    ERP_Integration, acting for Jon Wilson');
    expect(stdout).not.toContain('WhoAmI (impersonated)');
    expect(stdout).not.toContain(h.emulator.demo.pfxPassword);
    expect(stdout).not.toMatch(/t=|PRIVATE KEY/);
  });

  it('takes PEM files and the password from the environment', async () => {
    const { code, stdout } = await cli([
      ...base(),
      '--cert',
      h.emulator.demo.certPath,
      '--key',
      h.emulator.demo.keyPath,
      '--chain',
      h.emulator.demo.chainPath,
    ]);
    expect(code).toBe(0);
    expect(stdout).toContain('Acts for:        (nobody');
    const viaEnv = await cli([...base(), '--pfx', h.emulator.demo.pfxPath], {
      CRM_AUTH_PASSWORD: h.emulator.demo.pfxPassword,
    });
    expect(viaEnv.code).toBe(0);
  });

  it('fails with one line and exit 1 on a wrong password', async () => {
    const { code, stdout, stderr } = await cli([
      ...base(),
      '--pfx',
      h.emulator.demo.pfxPath,
      '--password',
      'Wr0ng-Guess',
    ]);
    expect(code).toBe(1);
    expect(stderr).toBe('crm-auth: failed: the PKCS#12 password is wrong (ERR_CERT_BAD_PASSWORD)\n');
    expect(stdout + stderr).not.toContain('Wr0ng-Guess');
  });

  it('fails with one line for an unknown org', async () => {
    const args = base();
    args[args.indexOf('Contoso Ltd')] = 'Northwind';
    const { code, stderr } = await cli([
      ...args,
      '--pfx',
      h.emulator.demo.pfxPath,
      '--password',
      h.emulator.demo.pfxPassword,
    ]);
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain('(ERR_ORG_NOT_FOUND)');
  });

  it('answers wrong usage with exit 2', async () => {
    expect((await cli(['whoami', '--org', 'x'])).code).toBe(2);
    expect((await cli([...base(), '--pfx', 'a.pfx', '--cert', 'c.pem', '--key', 'k.pem'])).code).toBe(2);
    expect((await cli([...base(), '--pfx', 'a.pfx', '--as', 'jon'])).code).toBe(2);
    expect((await cli([...base(), '--bogus', '1'])).code).toBe(2);
  });
});
