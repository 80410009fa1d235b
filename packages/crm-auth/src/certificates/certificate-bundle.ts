import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { inspect } from 'node:util';
import { CrmAuthError } from '../errors';
import { invalidOptions, optionalString, requireString } from '../option-checks';
import type { CertificateReport } from './certificate-report';
import { throughLastMarker } from './pem-text';
import { readPkcs12 } from './read-pkcs12';
import { computeThumbprints, type Thumbprints } from './thumbprint';
import {
  commonNameOf,
  nameText,
  validateCertificate,
  type ValidateCertificateOptions,
} from './validate-certificate';

/** Input of {@link CertificateBundle.fromPem}. */
export interface CertificateBundlePemInput {
  /** The service-account certificate in PEM; further certificates after it join the chain. */
  certificatePem: string;
  /** Its private key in PEM: PKCS#8, PKCS#1 or SEC1, encrypted or not. Secret. */
  privateKeyPem: string;
  /** Intermediate (and optionally root) certificates in PEM. */
  chainPem?: string;
  /** The passphrase of an encrypted private key. Secret. */
  passphrase?: string;
}

/** TLS options for undici's `connect` (or `tls.connect`): the certificate with its intermediates, and the key. */
export interface CertificateTlsOptions {
  cert: string;
  key: string;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;
/** A PEM text larger than this is refused: a bundle is a few kilobytes. */
const MAX_PEM_CHARS = 1024 * 1024;

/**
 * A service-account certificate with its private key and chain, loaded from PEM or PKCS#12. It
 * is the TLS client certificate to the Windows Live STS. The private key is held outside the
 * enumerable properties, so `console.log`, `util.inspect` and `JSON.stringify` never print it.
 */
export class CertificateBundle implements Thumbprints {
  /** The end-entity certificate. */
  readonly certificate: X509Certificate;
  /** The other certificates supplied with it (intermediates, maybe the root), in the order given. */
  readonly chain: ReadonlyArray<X509Certificate>;
  readonly thumbprintSha1Hex: string;
  readonly thumbprintSha1Base64: string;
  readonly thumbprintSha256: string;
  readonly #privateKey: KeyObject;
  readonly #privateKeyPem: string;

  private constructor(certificate: X509Certificate, chain: X509Certificate[], privateKey: KeyObject) {
    this.certificate = certificate;
    this.chain = Object.freeze([...chain]);
    const t = computeThumbprints(certificate.raw);
    this.thumbprintSha1Hex = t.thumbprintSha1Hex;
    this.thumbprintSha1Base64 = t.thumbprintSha1Base64;
    this.thumbprintSha256 = t.thumbprintSha256;
    this.#privateKey = privateKey;
    this.#privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  }

  /**
   * Loads a bundle from PEM texts.
   *
   * @throws CrmAuthError ERR_CERT_UNREADABLE (no readable certificate or key), ERR_CERT_NO_KEY (no
   *   key given), ERR_CERT_BAD_PASSWORD (encrypted key with a missing or wrong passphrase),
   *   ERR_INVALID_OPTIONS (not an object, or a PEM that is not a string).
   */
  static fromPem(input: CertificateBundlePemInput): CertificateBundle {
    if (input === null || typeof input !== 'object')
      throw invalidOptions('fromPem expects { certificatePem, privateKeyPem }');
    const { certificatePem, privateKeyPem, chainPem, passphrase } = input;
    requireString(certificatePem, 'certificatePem');
    optionalString(chainPem, 'chainPem');
    optionalString(passphrase, 'passphrase');
    const certs = readPemCertificates(certificatePem, 'certificatePem');
    const chain = chainPem ? readPemCertificates(chainPem, 'chainPem') : [];
    if (typeof privateKeyPem !== 'string' || !privateKeyPem.includes('PRIVATE KEY-----')) {
      throw new CrmAuthError('ERR_CERT_NO_KEY', 'no private key was supplied in PEM');
    }
    const key = readPemPrivateKey(privateKeyPem, passphrase);
    const [leaf, ...rest] = certs as [X509Certificate, ...X509Certificate[]];
    return new CertificateBundle(leaf, [...rest, ...chain], key);
  }

  /**
   * Loads a bundle from a PKCS#12 (.pfx/.p12) file, including legacy RC2-40 exports. The
   * end-entity certificate is the one the key belongs to; the others form the chain.
   *
   * @throws CrmAuthError ERR_CERT_UNREADABLE, ERR_CERT_BAD_PASSWORD, ERR_CERT_NO_KEY
   */
  static fromPkcs12(der: Buffer, password: string): CertificateBundle {
    const { certificates, privateKey } = readPkcs12(der, password);
    if (!privateKey) throw new CrmAuthError('ERR_CERT_NO_KEY', 'the PKCS#12 file holds no private key');
    const leafIndex = Math.max(
      0,
      certificates.findIndex((c) => {
        try {
          return c.checkPrivateKey(privateKey);
        } catch {
          return false;
        }
      }),
    );
    const leaf = certificates[leafIndex] as X509Certificate;
    return new CertificateBundle(
      leaf,
      certificates.filter((_, i) => i !== leafIndex),
      privateKey,
    );
  }

  /** The end-entity certificate in PEM. */
  get certificatePem(): string {
    return this.certificate.toString();
  }

  /** The chain certificates in PEM, concatenated (empty string when there are none). */
  get chainPem(): string {
    return this.chain.map((c) => c.toString()).join('');
  }

  /**
   * The private key as unencrypted PKCS#8 PEM. SECRET: never log it, store it only encrypted,
   * hand it only to the TLS layer.
   */
  get privateKeyPem(): string {
    return this.#privateKeyPem;
  }

  /** The private key as a Node KeyObject. SECRET, like {@link privateKeyPem}. */
  get privateKey(): KeyObject {
    return this.#privateKey;
  }

  /** The subject distinguished name as Node formats it (one `K=V` per line). */
  get subject(): string {
    return nameText(this.certificate.subject);
  }

  /** The issuer distinguished name as Node formats it. */
  get issuer(): string {
    return nameText(this.certificate.issuer);
  }

  /** The subject's common name (CN), or undefined. */
  get commonName(): string | undefined {
    return commonNameOf(this.certificate.subject);
  }

  /** The serial number in upper-case hex. */
  get serialNumber(): string {
    return this.certificate.serialNumber;
  }

  get notBefore(): Date {
    return new Date(this.certificate.validFrom);
  }

  get notAfter(): Date {
    return new Date(this.certificate.validTo);
  }

  /**
   * Validates key, validity, usage, chain (to a pinned root), revocation (supplied CRLs) and
   * strength, listing every problem found. Never throws for a bad certificate: read `ok`.
   */
  validate(options: ValidateCertificateOptions): CertificateReport {
    return validateCertificate(
      { certificate: this.certificate, chain: this.chain, privateKey: this.#privateKey },
      options,
    );
  }

  /**
   * TLS client options: `cert` is the certificate followed by its intermediates (self-signed
   * roots are left out: the server has its own), `key` the PKCS#8 PEM key.
   */
  toTlsOptions(): CertificateTlsOptions {
    const intermediates = this.chain.filter((c) => c.subject !== c.issuer || !safeVerifySelf(c));
    return {
      cert: [this.certificate, ...intermediates].map((c) => c.toString()).join(''),
      key: this.#privateKeyPem,
    };
  }

  /** A public summary for logs and JSON: no key material. */
  toJSON(): Record<string, unknown> {
    return {
      subject: this.subject,
      issuer: this.issuer,
      serialNumber: this.serialNumber,
      notBefore: this.notBefore.toISOString(),
      notAfter: this.notAfter.toISOString(),
      thumbprintSha1Hex: this.thumbprintSha1Hex,
      thumbprintSha1Base64: this.thumbprintSha1Base64,
      thumbprintSha256: this.thumbprintSha256,
      chainLength: this.chain.length,
    };
  }

  /** What `console.log` shows: the public summary only. */
  [inspect.custom](): string {
    return `CertificateBundle ${inspect(this.toJSON())}`;
  }
}

function readPemCertificates(text: string, field: string): X509Certificate[] {
  if (text.length > MAX_PEM_CHARS) throw new CrmAuthError('ERR_CERT_UNREADABLE', `${field} is too large`);
  const blocks = throughLastMarker(text, '-----END CERTIFICATE-----').match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) throw new CrmAuthError('ERR_CERT_UNREADABLE', `${field} holds no PEM certificate`);
  return blocks.map((block, i) => {
    try {
      return new X509Certificate(block);
    } catch (cause) {
      throw new CrmAuthError('ERR_CERT_UNREADABLE', `certificate #${i + 1} in ${field} is unreadable`, {
        cause,
      });
    }
  });
}

function readPemPrivateKey(pem: string, passphrase: string | undefined): KeyObject {
  if (pem.length > MAX_PEM_CHARS) throw new CrmAuthError('ERR_CERT_UNREADABLE', 'privateKeyPem is too large');
  const encrypted = pem.includes('ENCRYPTED');
  if (encrypted && passphrase === undefined) {
    throw new CrmAuthError(
      'ERR_CERT_BAD_PASSWORD',
      'the private key is encrypted and no passphrase was given',
    );
  }
  try {
    return createPrivateKey(
      passphrase === undefined ? { key: pem, format: 'pem' } : { key: pem, format: 'pem', passphrase },
    );
  } catch (cause) {
    // OpenSSL reports a wrong passphrase as a decrypt or decode failure; for an encrypted key
    // that is what it means. The cause is kept for diagnosis; it holds no key material.
    if (encrypted)
      throw new CrmAuthError('ERR_CERT_BAD_PASSWORD', 'the private key passphrase is wrong', { cause });
    throw new CrmAuthError('ERR_CERT_UNREADABLE', 'the private key PEM is unreadable', { cause });
  }
}

function safeVerifySelf(cert: X509Certificate): boolean {
  try {
    return cert.verify(cert.publicKey);
  } catch {
    return false;
  }
}
