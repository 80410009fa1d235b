import { createPrivateKey, createPublicKey, randomBytes, X509Certificate, type KeyObject } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  createCertificate,
  createPkcs12,
  generateRsaKeyPair,
  privateKeyToPem,
  randomSerialHex,
  type KeyPair,
} from './certificate-factory';

const DAY_MS = 86_400_000;
const ORG = 'Onbehalf Emulator';

/** A certificate the emulator issued, with everything a client needs to use it. */
export interface IssuedCertificate {
  certPem: string;
  keyPem: string;
  /** The issuing chain above the certificate (intermediate, then root), PEM. */
  chainPem: string;
  pfxBase64: string;
  pfxPassword: string;
  thumbprintSha1Hex: string;
  serialHex: string;
  /** Which emulator CA signed it; 'none' for self-signed or leaf-signed test certificates. */
  issuerCa: 'root' | 'intermediate' | 'none';
  notBefore: string;
  notAfter: string;
}

/** Options of `POST /_control/pki/issue`. */
export interface IssueCertificateRequest {
  commonName: string;
  /** Live ID of the service account the thumbprint is registered to. */
  account?: string;
  notBefore?: string;
  notAfter?: string;
  /** Adds the clientAuth extended key usage; default true. */
  clientAuth?: boolean;
  /** Signs the new certificate with a fresh non-CA leaf: a chain the STS must refuse. */
  signWithLeaf?: boolean;
  /** A self-signed certificate: no chain to any supported root. */
  selfSigned?: boolean;
}

/** Files the emulator keeps for the demo service account. */
export interface DemoMaterial {
  certPem: string;
  keyPem: string;
  chainPem: string;
  pfx: Buffer;
  pfxPassword: string;
  thumbprintSha1Hex: string;
  serialHex: string;
}

/** SHA-1 thumbprint as Windows prints it: upper-case hex without separators. */
export function thumbprintSha1(certPem: string | X509Certificate): string {
  const cert = typeof certPem === 'string' ? new X509Certificate(certPem) : certPem;
  return cert.fingerprint.replace(/:/g, '').toUpperCase();
}

/** Normalizes a thumbprint given with colons, spaces or lower case. */
export function normalizeThumbprint(value: string): string {
  return value.replace(/[^0-9a-fA-F]/g, '').toUpperCase();
}

async function readOptional(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

async function writeSecret(file: string, content: string | Buffer): Promise<void> {
  await writeFile(file, content, { mode: 0o600 });
}

/**
 * The emulator's PKI: root and intermediate CAs, the server certificate, the RPS signing key, the
 * ticket HMAC key and the demo service-account certificate. Generated once under `<dataDir>/pki` and
 * reused, so that a restart is fast and earlier certificates and tickets stay valid.
 */
export class PkiStore {
  private constructor(
    readonly dir: string,
    readonly rootCertPem: string,
    readonly rootKey: KeyObject,
    readonly intermediateCertPem: string,
    readonly intermediateKey: KeyObject,
    readonly serverKeyPem: string,
    readonly serverCertPem: string,
    readonly rpsKey: KeyObject,
    readonly rpsCertPem: string,
    readonly ticketKey: Buffer,
    readonly demo: DemoMaterial,
  ) {
    this.root = new X509Certificate(rootCertPem);
    this.intermediate = new X509Certificate(intermediateCertPem);
  }

  readonly root: X509Certificate;
  readonly intermediate: X509Certificate;
  /** Keys generated ahead once certificates are being issued: tests issue several in a row. */
  private spareKeys: Array<Promise<KeyPair>> = [];

  private takeKey(): Promise<KeyPair> {
    const key = this.spareKeys.shift() ?? generateRsaKeyPair();
    while (this.spareKeys.length < 2) {
      const spare = generateRsaKeyPair();
      // A failed spare is dropped; the next take generates its own.
      spare.catch(() => {
        this.spareKeys = this.spareKeys.filter((k) => k !== spare);
      });
      this.spareKeys.push(spare);
    }
    return key;
  }

  /** Loads the PKI from `<dataDir>/pki`, generating whatever is missing. */
  static async open(dataDir: string, hostnames: string[]): Promise<PkiStore> {
    const dir = path.join(dataDir, 'pki');
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const file = (name: string): string => path.join(dir, name);
    const now = Date.now();

    // Keys that are missing are generated in parallel: keygen dominates a first start.
    const keyNames = ['root', 'intermediate', 'server', 'rps', 'demo'] as const;
    const keys = {} as Record<(typeof keyNames)[number], { pair: KeyPair; fresh: boolean }>;
    await Promise.all(
      keyNames.map(async (name) => {
        const pem = await readOptional(file(`${name}.key.pem`));
        if (pem) {
          const privateKey = createPrivateKey(pem);
          keys[name] = { pair: { privateKey, publicKey: createPublicKey(privateKey) }, fresh: false };
        } else {
          const pair = await generateRsaKeyPair();
          await writeSecret(file(`${name}.key.pem`), privateKeyToPem(pair.privateKey));
          keys[name] = { pair, fresh: true };
        }
      }),
    );

    // Each certificate is reused from disk unless its key is new, its issuer was reissued, or (for
    // the short-lived ones) it is about to expire; then it is issued again and written back.
    const root = await loadOrIssue(file('root.crt.pem'), { reissue: keys.root.fresh }, () =>
      createCertificate({
        commonName: 'Onbehalf Emulator Root CA',
        organization: ORG,
        publicKey: keys.root.pair.publicKey,
        signingKey: keys.root.pair.privateKey,
        notBefore: new Date(now - DAY_MS),
        notAfter: new Date(now + 20 * 365 * DAY_MS),
        ca: {},
      }),
    );
    const rootCertPem = root.pem;

    const intermediate = await loadOrIssue(
      file('intermediate.crt.pem'),
      { reissue: keys.intermediate.fresh || root.issued },
      () =>
        createCertificate({
          commonName: 'Onbehalf Emulator Intermediate CA',
          organization: ORG,
          publicKey: keys.intermediate.pair.publicKey,
          signingKey: keys.root.pair.privateKey,
          issuer: { certPem: rootCertPem },
          notBefore: new Date(now - DAY_MS),
          notAfter: new Date(now + 10 * 365 * DAY_MS),
          ca: { pathLength: 0 },
        }),
    );
    const intermediateCertPem = intermediate.pem;

    // The server certificate follows the configured host names: a change of names reissues it.
    const sans = [...new Set([...hostnames, '127.0.0.1', '::1'])];
    const sansKey = JSON.stringify(sans);
    const serverSans = await readOptional(file('server.sans.json'));
    const server = await loadOrIssue(
      file('server.crt.pem'),
      {
        reissue: keys.server.fresh || intermediate.issued || serverSans !== sansKey,
        now,
        renewWithinDays: 7,
      },
      () =>
        createCertificate({
          commonName: hostnames[0] ?? 'localhost',
          organization: ORG,
          publicKey: keys.server.pair.publicKey,
          signingKey: keys.intermediate.pair.privateKey,
          issuer: { certPem: intermediateCertPem },
          notBefore: new Date(now - DAY_MS),
          notAfter: new Date(now + 800 * DAY_MS),
          extendedKeyUsage: ['serverAuth'],
          subjectAltNames: sans,
        }),
    );
    if (server.issued) await writeFile(file('server.sans.json'), sansKey);
    const serverCertPem = server.pem;

    const rps = await loadOrIssue(file('rps.crt.pem'), { reissue: keys.rps.fresh || root.issued }, () =>
      createCertificate({
        commonName: 'Onbehalf Emulator RPS Signing',
        organization: ORG,
        publicKey: keys.rps.pair.publicKey,
        signingKey: keys.root.pair.privateKey,
        issuer: { certPem: rootCertPem },
        notBefore: new Date(now - DAY_MS),
        notAfter: new Date(now + 10 * 365 * DAY_MS),
      }),
    );
    const rpsCertPem = rps.pem;

    let ticketKeyText = await readOptional(file('ticket-hmac.key'));
    if (!ticketKeyText) {
      ticketKeyText = randomBytes(32).toString('base64');
      await writeSecret(file('ticket-hmac.key'), ticketKeyText);
    }
    const ticketKey = Buffer.from(ticketKeyText.trim(), 'base64');

    const demoKeyPem = privateKeyToPem(keys.demo.pair.privateKey);
    const demo = await loadOrIssue(
      file('demo.crt.pem'),
      { reissue: keys.demo.fresh || intermediate.issued, now, renewWithinDays: 1 },
      () =>
        createCertificate({
          commonName: 'ERP_Integration',
          organization: 'Contoso ISV (demo)',
          email: 'erp_integration@contoso-isv.example',
          publicKey: keys.demo.pair.publicKey,
          signingKey: keys.intermediate.pair.privateKey,
          issuer: { certPem: intermediateCertPem },
          notBefore: new Date(now - DAY_MS),
          notAfter: new Date(now + 730 * DAY_MS),
          extendedKeyUsage: ['clientAuth'],
        }),
    );
    // the PKCS#12 bundles the demo certificate: a new certificate needs a new bundle
    if (demo.issued) await rmOptional(file('demo.pfx'));
    const demoCertPem = demo.pem;
    let pfxPassword = (await readOptional(file('demo-pfx-password.txt')))?.trim();
    if (!pfxPassword) {
      pfxPassword = randomBytes(12).toString('base64url');
      await writeSecret(file('demo-pfx-password.txt'), pfxPassword);
      await rmOptional(file('demo.pfx'));
    }
    const chainPem = intermediateCertPem + rootCertPem;
    let pfx: Buffer;
    try {
      pfx = await readFile(file('demo.pfx'));
    } catch {
      pfx = createPkcs12(demoKeyPem, demoCertPem, [intermediateCertPem, rootCertPem], pfxPassword);
      await writeSecret(file('demo.pfx'), pfx);
    }
    const demoX509 = new X509Certificate(demoCertPem);

    return new PkiStore(
      dir,
      rootCertPem,
      keys.root.pair.privateKey,
      intermediateCertPem,
      keys.intermediate.pair.privateKey,
      privateKeyToPem(keys.server.pair.privateKey),
      serverCertPem,
      keys.rps.pair.privateKey,
      rpsCertPem,
      ticketKey,
      {
        certPem: demoCertPem,
        keyPem: demoKeyPem,
        chainPem,
        pfx,
        pfxPassword,
        thumbprintSha1Hex: thumbprintSha1(demoX509),
        serialHex: demoX509.serialNumber.toUpperCase(),
      },
    );
  }

  /** Issues a client certificate for tests and onboarding demos (`POST /_control/pki/issue`). */
  async issue(request: IssueCertificateRequest): Promise<IssuedCertificate> {
    const now = Date.now();
    const notBefore = request.notBefore ? new Date(request.notBefore) : new Date(now - 60_000);
    const notAfter = request.notAfter ? new Date(request.notAfter) : new Date(now + 365 * DAY_MS);
    if (Number.isNaN(notBefore.getTime()) || Number.isNaN(notAfter.getTime())) {
      throw new TypeError('notBefore and notAfter must be ISO 8601 dates');
    }
    const pair = await this.takeKey();
    const eku: Array<'clientAuth'> = request.clientAuth === false ? [] : ['clientAuth'];
    let issuerCa: IssuedCertificate['issuerCa'] = 'intermediate';
    let signingKey = this.intermediateKey;
    let issuerCertPem: string | undefined = this.intermediateCertPem;
    let chain = [this.intermediateCertPem, this.rootCertPem];
    if (request.selfSigned) {
      issuerCa = 'none';
      signingKey = pair.privateKey;
      issuerCertPem = undefined;
      chain = [];
    } else if (request.signWithLeaf) {
      // The rogue issuer is a perfectly valid end-entity certificate of the intermediate.
      const leafPair = await this.takeKey();
      const leafPem = createCertificate({
        commonName: `${request.commonName} (leaf issuer)`,
        organization: ORG,
        publicKey: leafPair.publicKey,
        signingKey: this.intermediateKey,
        issuer: { certPem: this.intermediateCertPem },
        notBefore: new Date(now - DAY_MS),
        notAfter: new Date(now + 365 * DAY_MS),
        extendedKeyUsage: ['clientAuth'],
      });
      issuerCa = 'none';
      signingKey = leafPair.privateKey;
      issuerCertPem = leafPem;
      chain = [leafPem, this.intermediateCertPem, this.rootCertPem];
    }
    const serialHex = randomSerialHex();
    const certPem = createCertificate(
      {
        commonName: request.commonName,
        organization: 'Onbehalf Emulator test',
        publicKey: pair.publicKey,
        signingKey,
        issuer: issuerCertPem ? { certPem: issuerCertPem } : undefined,
        notBefore,
        notAfter,
        extendedKeyUsage: eku.length ? eku : ['serverAuth'],
      },
      serialHex,
    );
    const keyPem = privateKeyToPem(pair.privateKey);
    const pfxPassword = randomBytes(9).toString('base64url');
    const pfx = createPkcs12(keyPem, certPem, chain, pfxPassword);
    return {
      certPem,
      keyPem,
      chainPem: chain.join(''),
      pfxBase64: pfx.toString('base64'),
      pfxPassword,
      thumbprintSha1Hex: thumbprintSha1(certPem),
      serialHex,
      issuerCa,
      notBefore: notBefore.toISOString(),
      notAfter: notAfter.toISOString(),
    };
  }
}

interface ReuseRule {
  /** Issue a new certificate even if one is on disk (its key is new, or its issuer was reissued). */
  reissue: boolean;
  /** With `now`: also issue a new one when the one on disk expires within this many days. */
  renewWithinDays?: number;
  now?: number;
}

/** The certificate at `file` when the rule lets it be reused; otherwise `issue()`'s, written to `file`. */
async function loadOrIssue(
  file: string,
  rule: ReuseRule,
  issue: () => string,
): Promise<{ pem: string; issued: boolean }> {
  const onDisk = rule.reissue ? undefined : await readOptional(file);
  // an empty file (a write cut short) counts as missing
  const stale =
    !onDisk ||
    (rule.renewWithinDays !== undefined &&
      expiresWithin(onDisk, rule.now ?? Date.now(), rule.renewWithinDays));
  if (onDisk && !stale) return { pem: onDisk, issued: false };
  const pem = issue();
  await writeFile(file, pem);
  return { pem, issued: true };
}

function expiresWithin(certPem: string, now: number, days: number): boolean {
  return new Date(new X509Certificate(certPem).validTo).getTime() < now + days * DAY_MS;
}

async function rmOptional(file: string): Promise<void> {
  await rm(file, { force: true });
}
