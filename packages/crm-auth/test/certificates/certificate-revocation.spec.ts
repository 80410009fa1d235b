import { describe, expect, it } from 'vitest';
import { CertificateBundle } from '../../src/certificates/certificate-bundle';
import { parseCrl } from '../../src/certificates/parse-crl';
import { supportedRootFromPem } from '../../src/certificates/supported-roots';
import { DAY, issue, makeCrl, standardHierarchy, testKey, toPem } from '../helpers/test-pki';

const { root, intermediate, leaf } = standardHierarchy();
const roots = [supportedRootFromPem('Onbehalf Test Root', root.pem)];
const bundle = CertificateBundle.fromPem({
  certificatePem: leaf.pem,
  privateKeyPem: leaf.key.privateKeyPem,
  chainPem: intermediate.pem,
});

function codes(crls: Array<Buffer | string>, requireCrl = false): string[] {
  return bundle.validate({ roots, crls, requireCrl }).problems.map((p) => p.code);
}

describe('CertificateBundle.validate: revocation by CRL', () => {
  it('reports a leaf whose serial the intermediate CRL lists', () => {
    const crl = makeCrl({ issuer: intermediate, revoked: [leaf] });
    expect(codes([crl])).toEqual(['REVOKED']);
    expect(codes([toPem(crl, 'X509 CRL')])).toEqual(['REVOKED']);
  });

  it('reports a revoked intermediate from the root CRL', () => {
    expect(codes([makeCrl({ issuer: root, revoked: [intermediate] })])).toEqual(['REVOKED']);
  });

  it('accepts current CRLs that do not list the chain', () => {
    const other = issue({ commonName: 'Someone Else', key: testKey('someone'), issuer: intermediate });
    const crls = [makeCrl({ issuer: intermediate, revoked: [other] }), makeCrl({ issuer: root })];
    expect(codes(crls, true)).toEqual([]);
  });

  it('fails closed on a stale CRL (past nextUpdate)', () => {
    const stale = makeCrl({
      issuer: intermediate,
      thisUpdate: new Date(Date.now() - 20 * DAY),
      nextUpdate: new Date(Date.now() - DAY),
    });
    expect(codes([stale])).toEqual(['CRL_STALE']);
    const staleRevoking = makeCrl({
      issuer: intermediate,
      revoked: [leaf],
      thisUpdate: new Date(Date.now() - 20 * DAY),
      nextUpdate: new Date(Date.now() - DAY),
    });
    expect(codes([staleRevoking]).sort()).toEqual(['CRL_STALE', 'REVOKED']);
  });

  it('refuses a CRL signed by another key (it could hide a revocation)', () => {
    const forged = makeCrl({ issuer: intermediate, signingKey: testKey('rogue') });
    expect(codes([forged])).toEqual(['CRL_INVALID']);
    const forgedRevoking = makeCrl({ issuer: intermediate, revoked: [leaf], signingKey: testKey('rogue') });
    expect(codes([forgedRevoking])).toEqual(['CRL_INVALID']);
  });

  it('refuses an unreadable CRL without throwing', () => {
    expect(codes([Buffer.from('garbage')])).toEqual(['CRL_INVALID']);
    const crl = makeCrl({ issuer: intermediate });
    expect(codes([crl.subarray(0, crl.length - 5)])).toEqual(['CRL_INVALID']);
  });

  it('reports a missing CRL for each link when CRLs are required', () => {
    expect(codes([], true)).toEqual(['CRL_MISSING', 'CRL_MISSING']);
    expect(codes([makeCrl({ issuer: intermediate })], true)).toEqual(['CRL_MISSING']);
  });

  it('warns about a CRL from an issuer outside the chain', () => {
    const stranger = issue({ commonName: 'Stranger CA', key: testKey('stranger-ca'), ca: true });
    const report = bundle.validate({ roots, crls: [makeCrl({ issuer: stranger })] });
    expect(report.ok).toBe(true);
    expect(report.problems).toEqual([expect.objectContaining({ code: 'CRL_UNUSED', severity: 'warning' })]);
  });

  it('reads thisUpdate, nextUpdate and serials from DER', () => {
    const thisUpdate = new Date(Math.floor(Date.now() / 1000) * 1000 - DAY);
    const nextUpdate = new Date(thisUpdate.getTime() + 3 * DAY);
    const parsed = parseCrl(makeCrl({ issuer: intermediate, revoked: [leaf], thisUpdate, nextUpdate }));
    expect(parsed.thisUpdate.toISOString()).toBe(thisUpdate.toISOString());
    expect(parsed.nextUpdate?.toISOString()).toBe(nextUpdate.toISOString());
    expect([...parsed.revokedSerials]).toEqual([leaf.x509.serialNumber.replace(/^0+/, '')]);
  });
});
