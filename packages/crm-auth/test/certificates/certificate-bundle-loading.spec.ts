import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CertificateBundle } from '../../src/certificates/certificate-bundle';
import { makePkcs12, standardHierarchy, testKey } from '../helpers/test-pki';
import { INVALID_OPTIONS } from '../helpers/invalid-options';

const { root, intermediate, leaf } = standardHierarchy();

describe('CertificateBundle.fromPem', () => {
  it('loads the certificate, key and chain and exposes their public facts', () => {
    const bundle = CertificateBundle.fromPem({
      certificatePem: leaf.pem,
      privateKeyPem: leaf.key.privateKeyPem,
      chainPem: intermediate.pem + root.pem,
    });
    expect(bundle.commonName).toBe('ERP_Integration');
    expect(bundle.subject).toContain('CN=ERP_Integration');
    expect(bundle.issuer).toContain('CN=Onbehalf Test Intermediate');
    expect(bundle.serialNumber).toBe(leaf.x509.serialNumber);
    expect(bundle.notAfter.getTime()).toBe(new Date(leaf.x509.validTo).getTime());
    expect(bundle.notBefore.getTime()).toBe(new Date(leaf.x509.validFrom).getTime());
    expect(bundle.chain).toHaveLength(2);
    expect(bundle.thumbprintSha1Hex).toMatch(/^([0-9a-f]{2} ){19}[0-9a-f]{2}$/);
    expect(bundle.thumbprintSha1Base64).toMatch(/^[A-Za-z0-9+/]{27}$/);
    expect(bundle.thumbprintSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(bundle.privateKeyPem).toContain('-----BEGIN PRIVATE KEY-----');
    expect(bundle.chainPem).toBe(intermediate.x509.toString() + root.x509.toString());
  });

  it('takes extra certificates after the first in certificatePem as chain', () => {
    const bundle = CertificateBundle.fromPem({
      certificatePem: leaf.pem + intermediate.pem,
      privateKeyPem: leaf.key.privateKeyPem,
    });
    expect(bundle.chain.map((c) => c.subject)).toEqual([intermediate.x509.subject]);
  });

  it('gives TLS options with the intermediates but without the self-signed root', () => {
    const bundle = CertificateBundle.fromPem({
      certificatePem: leaf.pem,
      privateKeyPem: leaf.key.privateKeyPem,
      chainPem: intermediate.pem + root.pem,
    });
    const tls = bundle.toTlsOptions();
    expect(tls.cert).toBe(leaf.x509.toString() + intermediate.x509.toString());
    expect(tls.key).toBe(bundle.privateKeyPem);
  });

  it('never shows the private key through inspect or JSON', () => {
    const bundle = CertificateBundle.fromPem({
      certificatePem: leaf.pem,
      privateKeyPem: leaf.key.privateKeyPem,
    });
    const body = bundle.privateKeyPem.split('\n')[1] as string;
    expect(inspect(bundle, { depth: 5 })).not.toContain(body);
    expect(JSON.stringify(bundle)).not.toContain(body);
    expect(JSON.stringify(bundle)).not.toContain('PRIVATE KEY');
    expect(Object.keys(bundle)).not.toContain('privateKeyPem');
  });

  it('refuses garbage PEM with ERR_CERT_UNREADABLE', () => {
    expect(() =>
      CertificateBundle.fromPem({ certificatePem: 'hello', privateKeyPem: leaf.key.privateKeyPem }),
    ).toThrow(expect.objectContaining({ code: 'ERR_CERT_UNREADABLE' }));
    const broken = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n';
    expect(() =>
      CertificateBundle.fromPem({ certificatePem: broken, privateKeyPem: leaf.key.privateKeyPem }),
    ).toThrow(expect.objectContaining({ code: 'ERR_CERT_UNREADABLE' }));
    const brokenKey = '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n';
    expect(() => CertificateBundle.fromPem({ certificatePem: leaf.pem, privateKeyPem: brokenKey })).toThrow(
      expect.objectContaining({ code: 'ERR_CERT_UNREADABLE' }),
    );
  });

  it('refuses a bundle without a key with ERR_CERT_NO_KEY', () => {
    expect(() => CertificateBundle.fromPem({ certificatePem: leaf.pem, privateKeyPem: '' })).toThrow(
      expect.objectContaining({ code: 'ERR_CERT_NO_KEY' }),
    );
    expect(() => CertificateBundle.fromPem({ certificatePem: leaf.pem, privateKeyPem: leaf.pem })).toThrow(
      expect.objectContaining({ code: 'ERR_CERT_NO_KEY' }),
    );
  });

  it('reads an encrypted PEM key with its passphrase and refuses a wrong or missing one', () => {
    const encrypted = createPrivateKey(leaf.key.privateKeyPem)
      .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'right horse' })
      .toString();
    const bundle = CertificateBundle.fromPem({
      certificatePem: leaf.pem,
      privateKeyPem: encrypted,
      passphrase: 'right horse',
    });
    expect(bundle.privateKeyPem).toBe(leaf.key.privateKeyPem);
    for (const passphrase of ['Tr0ub4dor-guess', undefined]) {
      let caught: unknown;
      try {
        CertificateBundle.fromPem({
          certificatePem: leaf.pem,
          privateKeyPem: encrypted,
          ...(passphrase ? { passphrase } : {}),
        });
      } catch (err) {
        caught = err;
      }
      expect(caught).toMatchObject({ code: 'ERR_CERT_BAD_PASSWORD' });
      expect(String((caught as Error).message)).not.toContain('Tr0ub4dor');
    }
  });

  it('rejects misuse with ERR_INVALID_OPTIONS', () => {
    // @ts-expect-error deliberate misuse
    expect(() => CertificateBundle.fromPem(null)).toThrow(INVALID_OPTIONS);
    // @ts-expect-error deliberate misuse
    expect(() => CertificateBundle.fromPem({ certificatePem: 42, privateKeyPem: '' })).toThrow(
      INVALID_OPTIONS,
    );
  });
});

describe('CertificateBundle.fromPkcs12', () => {
  for (const algorithm of ['3des', 'aes256'] as const) {
    it(`reads a ${algorithm} PKCS#12 with the right password, byte for byte`, () => {
      const pfx = makePkcs12(leaf, [intermediate, root], 'p@ss word', algorithm);
      const bundle = CertificateBundle.fromPkcs12(pfx, 'p@ss word');
      expect(bundle.certificate.raw.equals(leaf.x509.raw)).toBe(true);
      expect(bundle.chain.map((c) => c.fingerprint256).sort()).toEqual(
        [intermediate.x509.fingerprint256, root.x509.fingerprint256].sort(),
      );
      expect(bundle.certificate.checkPrivateKey(createPrivateKey(bundle.privateKeyPem))).toBe(true);
    });

    it(`refuses a ${algorithm} PKCS#12 with a wrong password with ERR_CERT_BAD_PASSWORD`, () => {
      const pfx = makePkcs12(leaf, [intermediate], 'p@ss word', algorithm);
      let caught: unknown;
      try {
        CertificateBundle.fromPkcs12(pfx, 'guess');
      } catch (err) {
        caught = err;
      }
      expect(caught).toMatchObject({ name: 'CrmAuthError', code: 'ERR_CERT_BAD_PASSWORD' });
      expect((caught as Error).message).not.toContain('guess');
    });
  }

  it('finds the end-entity certificate by its key whatever the bag order', () => {
    const pfx = makePkcs12(leaf, [intermediate], 'x', 'aes256');
    const bundle = CertificateBundle.fromPkcs12(pfx, 'x');
    expect(bundle.commonName).toBe('ERP_Integration');
  });

  it('reads a legacy RC2-40 PKCS#12 that OpenSSL 3 refuses (made with openssl -legacy)', () => {
    const pfx = readFileSync(path.join(__dirname, '../data/legacy-rc2-40.p12'));
    const bundle = CertificateBundle.fromPkcs12(pfx, 'legacy-test');
    const known = new X509Certificate(readFileSync(path.join(__dirname, '../data/known-certificate.pem')));
    expect(bundle.certificate.raw.equals(known.raw)).toBe(true);
    expect(bundle.thumbprintSha1Base64).toBe('RSYMxCNahztbvhqXXMf5td8/bN0');
    expect(() => CertificateBundle.fromPkcs12(pfx, 'nope')).toThrow(
      expect.objectContaining({ code: 'ERR_CERT_BAD_PASSWORD' }),
    );
  });

  it('refuses garbage with ERR_CERT_UNREADABLE', () => {
    expect(() => CertificateBundle.fromPkcs12(Buffer.from('not a pfx at all'), 'x')).toThrow(
      expect.objectContaining({ code: 'ERR_CERT_UNREADABLE' }),
    );
    expect(() => CertificateBundle.fromPkcs12(Buffer.alloc(0), 'x')).toThrow(
      expect.objectContaining({ code: 'ERR_CERT_UNREADABLE' }),
    );
    expect(() => CertificateBundle.fromPkcs12(leaf.x509.raw, 'x')).toThrow(
      expect.objectContaining({ code: 'ERR_CERT_UNREADABLE' }),
    );
  });

  it('refuses a PKCS#12 without a key with ERR_CERT_NO_KEY', async () => {
    const forge = (await import('node-forge')).default;
    const asn1 = forge.pkcs12.toPkcs12Asn1(null, [leaf.forgeCert], 'x', { algorithm: 'aes256' });
    const pfx = Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
    expect(() => CertificateBundle.fromPkcs12(pfx, 'x')).toThrow(
      expect.objectContaining({ code: 'ERR_CERT_NO_KEY' }),
    );
  });

  it('keeps key and certificate of different owners apart (reported, not thrown)', () => {
    const bundle = CertificateBundle.fromPem({
      certificatePem: leaf.pem,
      privateKeyPem: testKey('stranger').privateKeyPem,
    });
    expect(bundle.validate({ roots: [] }).problems.map((p) => p.code)).toContain('KEY_MISMATCH');
  });
});
