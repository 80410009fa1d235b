import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PkiStore } from './pki.store';

let dataDir: string;
let first: PkiStore;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'emulator-pki-'));
  first = await PkiStore.open(dataDir, ['localhost']);
}, 60_000);
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const pki = (name: string) => path.join(dataDir, 'pki', name);

describe('PkiStore.open: what a restart reuses and what it issues again', () => {
  it('reuses every certificate, key and the demo PKCS#12 when nothing changed', async () => {
    const again = await PkiStore.open(dataDir, ['localhost']);
    expect(again.rootCertPem).toBe(first.rootCertPem);
    expect(again.intermediateCertPem).toBe(first.intermediateCertPem);
    expect(again.serverCertPem).toBe(first.serverCertPem);
    expect(again.rpsCertPem).toBe(first.rpsCertPem);
    expect(again.demo.certPem).toBe(first.demo.certPem);
    expect(again.demo.pfx.equals(first.demo.pfx)).toBe(true);
    expect(again.ticketKey.equals(first.ticketKey)).toBe(true);
  });

  it('issues a new server certificate, and only that, when the host names change', async () => {
    const renamed = await PkiStore.open(dataDir, ['crm.example.test']);
    expect(renamed.serverCertPem).not.toBe(first.serverCertPem);
    expect(renamed.rootCertPem).toBe(first.rootCertPem);
    expect(renamed.demo.certPem).toBe(first.demo.certPem);
    // the new names are remembered: the next start with them reuses the new certificate
    const reopened = await PkiStore.open(dataDir, ['crm.example.test']);
    expect(reopened.serverCertPem).toBe(renamed.serverCertPem);
  });

  it('treats an empty certificate file (a write cut short) as missing and issues the certificate again', async () => {
    const before = await PkiStore.open(dataDir, ['crm.example.test']);
    writeFileSync(pki('rps.crt.pem'), '');
    const after = await PkiStore.open(dataDir, ['crm.example.test']);
    expect(after.rpsCertPem).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(after.rpsCertPem).not.toBe(before.rpsCertPem);
    expect(after.rootCertPem).toBe(before.rootCertPem);
  });

  it('reissues everything the intermediate CA signed when its key is lost, with a new demo PKCS#12', async () => {
    const before = await PkiStore.open(dataDir, ['crm.example.test']);
    unlinkSync(pki('intermediate.key.pem'));
    const after = await PkiStore.open(dataDir, ['crm.example.test']);
    expect(after.intermediateCertPem).not.toBe(before.intermediateCertPem);
    expect(after.serverCertPem).not.toBe(before.serverCertPem);
    expect(after.demo.certPem).not.toBe(before.demo.certPem);
    expect(after.demo.pfx.equals(before.demo.pfx)).toBe(false);
    // the root signed neither: it and the RPS certificate stay
    expect(after.rootCertPem).toBe(before.rootCertPem);
    expect(after.rpsCertPem).toBe(before.rpsCertPem);
  }, 30_000);
});
