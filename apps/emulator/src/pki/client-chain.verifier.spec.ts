import { X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCertificate, generateRsaKeyPair, type KeyPair } from './certificate-factory';
import { verifyClientChain, type ChainCheckInput } from './client-chain.verifier';

const DAY = 86_400_000;
const now = Date.now();
const during = (days: number): { notBefore: Date; notAfter: Date } => ({
  notBefore: new Date(now - DAY),
  notAfter: new Date(now + days * DAY),
});

describe('verifyClientChain', () => {
  let root: X509Certificate;
  let otherRoot: X509Certificate;
  let intermediate: X509Certificate;
  let rootPem: string;
  let intermediatePem: string;
  let keys: KeyPair[];

  const leaf = (
    opts: {
      notBefore?: Date;
      notAfter?: Date;
      eku?: Array<'clientAuth' | 'serverAuth'>;
      issuerPem?: string;
      issuerKey?: KeyPair;
    } = {},
  ) =>
    new X509Certificate(
      createCertificate({
        commonName: 'leaf',
        publicKey: keys[3]!.publicKey,
        signingKey: (opts.issuerKey ?? keys[1]!).privateKey,
        issuer: { certPem: opts.issuerPem ?? intermediatePem },
        notBefore: opts.notBefore ?? new Date(now - DAY),
        notAfter: opts.notAfter ?? new Date(now + DAY),
        extendedKeyUsage: opts.eku ?? ['clientAuth'],
      }),
    );

  const check = (overrides: Partial<ChainCheckInput>) =>
    verifyClientChain({
      leaf: leaf(),
      presented: [intermediate],
      knownIntermediates: [],
      roots: [root],
      now: new Date(now),
      isRevoked: () => false,
      ...overrides,
    });

  beforeAll(async () => {
    keys = await Promise.all([
      generateRsaKeyPair(),
      generateRsaKeyPair(),
      generateRsaKeyPair(),
      generateRsaKeyPair(),
    ]);
    rootPem = createCertificate({
      commonName: 'root',
      publicKey: keys[0]!.publicKey,
      signingKey: keys[0]!.privateKey,
      ...during(10),
      ca: {},
    });
    intermediatePem = createCertificate({
      commonName: 'intermediate',
      publicKey: keys[1]!.publicKey,
      signingKey: keys[0]!.privateKey,
      issuer: { certPem: rootPem },
      ...during(5),
      ca: { pathLength: 0 },
    });
    root = new X509Certificate(rootPem);
    intermediate = new X509Certificate(intermediatePem);
    otherRoot = new X509Certificate(
      createCertificate({
        commonName: 'root',
        publicKey: keys[2]!.publicKey,
        signingKey: keys[2]!.privateKey,
        ...during(10),
        ca: {},
      }),
    );
  });

  it('accepts leaf → intermediate → pinned root', () => {
    const result = check({});
    expect(result.ok).toBe(true);
    if (result.ok)
      expect(result.chain.map((c) => c.subject)).toEqual(['CN=leaf', 'CN=intermediate', 'CN=root']);
  });

  it('completes the chain from known intermediates when only the leaf is sent', () => {
    expect(check({ presented: [], knownIntermediates: [intermediate] }).ok).toBe(true);
    expect(check({ presented: [] })).toMatchObject({ ok: false, problem: 'untrusted-chain' });
  });

  it('refuses a leaf with an empty subject and no known issuer as untrusted, naming it by its empty name', () => {
    // Node gives an empty subject as undefined; the refusal must still be an answer, not a TypeError.
    const cert = forge.pki.createCertificate();
    const pem = keys[3]!.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    cert.publicKey = forge.pki.publicKeyFromPem(pem);
    cert.serialNumber = '01';
    cert.validity.notBefore = new Date(now - DAY);
    cert.validity.notAfter = new Date(now + DAY);
    cert.setSubject([]);
    cert.setIssuer([{ shortName: 'CN', value: 'nobody we know' }]);
    const signer = keys[2]!.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    cert.sign(forge.pki.privateKeyFromPem(signer), forge.md.sha256.create());
    const anonymous = new X509Certificate(forge.pki.certificateToPem(cert));
    expect(check({ leaf: anonymous, presented: [] })).toEqual({
      ok: false,
      problem: 'untrusted-chain',
      detail: 'No trusted issuer was found for "".',
    });
  });

  it('refuses a root with the same name but another key', () => {
    expect(check({ roots: [otherRoot] })).toMatchObject({ ok: false, problem: 'untrusted-chain' });
  });

  it('refuses expired and not-yet-valid leaves', () => {
    expect(
      check({ leaf: leaf({ notBefore: new Date(now - 3 * DAY), notAfter: new Date(now - DAY) }) }),
    ).toMatchObject({ problem: 'expired' });
    expect(
      check({ leaf: leaf({ notBefore: new Date(now + DAY), notAfter: new Date(now + 3 * DAY) }) }),
    ).toMatchObject({
      problem: 'not-yet-valid',
    });
  });

  it('refuses a leaf issued by a non-CA certificate', () => {
    const rogueIssuerPem = createCertificate({
      commonName: 'rogue',
      publicKey: keys[2]!.publicKey,
      signingKey: keys[1]!.privateKey,
      issuer: { certPem: intermediatePem },
      ...during(5),
      extendedKeyUsage: ['clientAuth'],
    });
    const victim = leaf({ issuerPem: rogueIssuerPem, issuerKey: keys[2] });
    expect(
      check({ leaf: victim, presented: [new X509Certificate(rogueIssuerPem), intermediate] }),
    ).toMatchObject({
      ok: false,
      problem: 'untrusted-chain',
    });
  });

  it('refuses a revoked leaf and a leaf without clientAuth', () => {
    expect(check({ isRevoked: (c) => c.subject === 'CN=leaf' })).toMatchObject({ problem: 'revoked' });
    expect(check({ leaf: leaf({ eku: ['serverAuth'] }) })).toMatchObject({ problem: 'not-client-auth' });
  });

  it('refuses a root presented as the client certificate', () => {
    expect(check({ leaf: root, presented: [] })).toMatchObject({ ok: false, problem: 'untrusted-chain' });
  });
});
