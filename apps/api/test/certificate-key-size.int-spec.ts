import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createCertificate,
  generateRsaKeyPair,
  privateKeyToPem,
} from '@onbehalf/emulator/dist/pki/certificate-factory';
import { Logger } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConsoleClient, json, startTestApi, type TestApi } from './harness';

const DAY = 86_400_000;

interface Problem {
  code: string;
  severity: string;
  message: string;
}

/**
 * RSA keys under 2048 bits at upload (docs/protocol.md §7.6): refused with KEY_TOO_SHORT by default;
 * with ONBEHALF_ALLOW_LEGACY_RSA_KEYS=on stored, with the KEY_TOO_SHORT warning on the certificate.
 */
describe('certificate upload: RSA key size and the legacy setting', () => {
  let dir: string;
  let strict: TestApi;
  let legacy: TestApi;
  let strictAdmin: ConsoleClient;
  let legacyAdmin: ConsoleClient;
  let shortUpload: Record<string, string>;

  const signIn = async (t: TestApi): Promise<ConsoleClient> => {
    const admin = new ConsoleClient(t.url);
    expect((await admin.login(t.adminEmail, t.adminPassword)).status).toBe(200);
    return admin;
  };
  const rowCount = async (t: TestApi): Promise<number> =>
    Number((await t.api.dataSource.query('SELECT count(*)::int AS n FROM certificates'))[0].n);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'onbehalf-keysize-'));
    const now = Date.now();
    const rootKey = await generateRsaKeyPair();
    const rootPem = createCertificate({
      commonName: 'Key Size Test Root',
      publicKey: rootKey.publicKey,
      signingKey: rootKey.privateKey,
      notBefore: new Date(now - DAY),
      notAfter: new Date(now + 3650 * DAY),
      ca: {},
    });
    const leafKey = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const leafPem = createCertificate({
      commonName: 'Legacy ERP',
      publicKey: leafKey.publicKey,
      signingKey: rootKey.privateKey,
      issuer: { certPem: rootPem },
      notBefore: new Date(now - DAY),
      notAfter: new Date(now + 365 * DAY),
      extendedKeyUsage: ['clientAuth'],
    });
    writeFileSync(join(dir, 'root.pem'), rootPem);
    shortUpload = {
      serviceAccountLiveId: 'legacy_erp@contoso-isv.example',
      format: 'pem',
      certificatePem: leafPem,
      privateKeyPem: privateKeyToPem(leafKey.privateKey),
    };
    const roots = { ONBEHALF_SUPPORTED_ROOT_FILES: join(dir, 'root.pem') };
    strict = await startTestApi(roots);
    legacy = await startTestApi({ ...roots, ONBEHALF_ALLOW_LEGACY_RSA_KEYS: 'on' });
    strictAdmin = await signIn(strict);
    legacyAdmin = await signIn(legacy);
  });
  afterAll(async () => {
    await strict?.close();
    await legacy?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('by default refuses a 1024-bit RSA certificate: 422 CERTIFICATE_INVALID with a KEY_TOO_SHORT error, nothing stored', async () => {
    const res = await strictAdmin.post('/api/certificates', shortUpload);
    expect(res.status).toBe(422);
    const body = await json<{ code: string; details: { problems: Problem[] } }>(res);
    expect(body.code).toBe('CERTIFICATE_INVALID');
    expect(body.details.problems).toEqual([
      {
        code: 'KEY_TOO_SHORT',
        severity: 'error',
        message: '"Legacy ERP" has a 1024-bit RSA key (2048 or more required)',
      },
    ]);
    expect(await rowCount(strict)).toBe(0);
  });

  it('with ONBEHALF_ALLOW_LEGACY_RSA_KEYS=on, stores it as usable with the KEY_TOO_SHORT warning, on upload and when read back', async () => {
    const warn = vi.spyOn(Logger.prototype, 'warn');
    let logged: string[];
    const res = await legacyAdmin.post('/api/certificates', shortUpload).finally(() => {
      logged = warn.mock.calls.map((c) => String(c[0])).filter((line) => line.startsWith('certificate '));
      warn.mockRestore();
    });
    expect(res.status).toBe(201);
    const created = await json<{
      id: string;
      status: string;
      thumbprintSha1Hex: string;
      problems: Problem[];
    }>(res);
    const warning = {
      code: 'KEY_TOO_SHORT',
      severity: 'warning',
      message:
        '"Legacy ERP" has a 1024-bit RSA key, accepted only because legacy RSA keys are allowed (2048 or more required otherwise)',
    };
    expect(created.status).toBe('valid');
    expect(created.problems).toEqual([warning]);
    // The operator-facing record of the exception: the log names the certificate, its account and key size …
    expect(logged!).toEqual([
      `certificate ${created.id} (service account legacy_erp@contoso-isv.example, thumbprint ${created.thumbprintSha1Hex}) ` +
        `accepted under ONBEHALF_ALLOW_LEGACY_RSA_KEYS: ${warning.message}`,
    ]);
    // … and the admin audit entry of the upload keeps it.
    const [entry] = await legacy.api.dataSource.query(
      `SELECT diff FROM admin_audit_log WHERE action = 'certificate.upload' AND target = $1`,
      [created.id],
    );
    expect(entry.diff).toMatchObject({ legacyRsaKeys: [warning.message] });
    const read = await json<{ problems: Problem[] }>(
      await legacyAdmin.get(`/api/certificates/${created.id}`),
    );
    expect(read.problems).toEqual([warning]);
    expect(await rowCount(legacy)).toBe(1);
  });
});
