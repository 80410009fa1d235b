import { KeyObject, X509Certificate, verify as verifySignature } from 'node:crypto';
import { invalidOptions, requireObject } from '../option-checks';
import type {
  CertificateChainLink,
  CertificateProblem,
  CertificateProblemCode,
  CertificateReport,
} from './certificate-report';
import { normalizeSerialHex } from './der-reader';
import { checkChainConstraints } from './chain-constraints';
import { parseCrl, type ParsedCrl } from './parse-crl';
import { signatureAlgorithm } from './signature-algorithms';
import type { SupportedRoot } from './supported-roots';
import { computeThumbprints, normalizeThumbprint } from './thumbprint';
import { readCertificateFields } from './x509-fields';

/** Options of {@link CertificateBundle.validate}. */
export interface ValidateCertificateOptions {
  /** The roots the chain must end at (e.g. {@link DEFAULT_SUPPORTED_ROOTS}). */
  roots: ReadonlyArray<SupportedRoot>;
  /** CRLs in DER or PEM, from any issuer in the chain. */
  crls?: ReadonlyArray<Buffer | string>;
  /** The time to validate at; defaults to now. */
  now?: Date;
  /** Warn (EXPIRING_SOON) when the certificate expires within this many days. Default 30. */
  expiringWithinDays?: number;
  /** Report CRL_MISSING when a link of the chain has no usable CRL. Default false. */
  requireCrl?: boolean;
  /**
   * Legacy orgs only: an RSA key of 1024 to 2047 bits is a KEY_TOO_SHORT warning instead of an error.
   * Shorter keys stay errors. Default false.
   */
  allowLegacyRsaKeys?: boolean;
}

/** What is validated: the end-entity certificate, the certificates supplied with it, and its key. */
export interface ValidationSubject {
  certificate: X509Certificate;
  chain: ReadonlyArray<X509Certificate>;
  privateKey?: KeyObject;
}

const CLIENT_AUTH_EKU = '1.3.6.1.5.5.7.3.2';
const ANY_EKU = '2.5.29.37.0';
/** Real chains are 2–4 certificates; the cap bounds work on hostile bundles. */
const MAX_CHAIN_DEPTH = 8;
const DAY_MS = 24 * 60 * 60 * 1000;
/** NIST SP 800-131A: RSA keys under 2048 bits are disallowed for signatures. */
export const MIN_RSA_BITS = 2048;
/** The floor that {@link ValidateCertificateOptions.allowLegacyRsaKeys} still enforces. */
export const LEGACY_MIN_RSA_BITS = 1024;

/**
 * Validates a certificate, its key and its chain, listing every problem found. Chain building
 * uses Node's X509Certificate only: node-forge's verifyCertificateChain treats a certificate
 * without basicConstraints as a CA (CVE-2026-33896).
 *
 * @throws CrmAuthError ERR_INVALID_OPTIONS on malformed options (an unreadable root certificate too).
 */
export function validateCertificate(
  subject: ValidationSubject,
  options: ValidateCertificateOptions,
): CertificateReport {
  const opts = checkOptions(options);
  const problems: CertificateProblem[] = [];
  const add = (
    code: CertificateProblemCode,
    message: string,
    severity: 'error' | 'warning' = 'error',
  ): void => {
    problems.push({ code, severity, message });
  };
  const now = opts.now;
  const leaf = subject.certificate;
  const leafName = describe(leaf);

  // The STS authenticates the account by proof of the key in the TLS handshake: a key of another
  // certificate fails there with an opaque error, so it is caught here.
  if (subject.privateKey && !safe(() => leaf.checkPrivateKey(subject.privateKey as KeyObject))) {
    add('KEY_MISMATCH', `the private key does not belong to ${leafName}`);
  }

  const notBefore = new Date(leaf.validFrom);
  const notAfter = new Date(leaf.validTo);
  if (now < notBefore) {
    add('NOT_YET_VALID', `${leafName} is not valid before ${notBefore.toISOString()}`);
  } else if (now > notAfter) {
    add('EXPIRED', `${leafName} expired on ${notAfter.toISOString()}`);
  } else if (notAfter.getTime() - now.getTime() <= opts.expiringWithinDays * DAY_MS) {
    add('EXPIRING_SOON', `${leafName} expires on ${notAfter.toISOString()}`, 'warning');
  }

  // The certificate is the TLS client certificate to the STS: an EKU list without clientAuth
  // makes a conforming server refuse it.
  const eku = leaf.keyUsage;
  if (eku === undefined || eku.length === 0) {
    add('NO_EXTENDED_KEY_USAGE', `${leafName} has no extended key usage; clientAuth is expected`, 'warning');
  } else if (!eku.includes(CLIENT_AUTH_EKU) && !eku.includes(ANY_EKU)) {
    add(
      'NO_CLIENT_AUTH',
      `${leafName} is not allowed for TLS client authentication (no clientAuth extended key usage)`,
    );
  }

  const path = buildPath(leaf, subject.chain, opts, now, add);

  checkChainConstraints(path.certs, describe, add);

  for (const [index, cert] of path.certs.entries()) {
    weakKeyCheck(cert, opts.allowLegacyRsaKeys, add);
    const selfSigned = index === path.certs.length - 1 && path.anchored;
    // A root's self-signature is not relied on for trust (the pin is), so SHA-1 there is harmless.
    if (!selfSigned) sha1Check(cert, add);
  }

  checkRevocation(path.certs, path.anchored, opts, now, add);

  const pinned = new Set(opts.pinned.keys());
  const chain: CertificateChainLink[] = path.certs.map((cert) => {
    const t = computeThumbprints(cert.raw);
    return {
      subject: nameText(cert.subject),
      issuer: nameText(cert.issuer),
      thumbprintSha1Hex: t.thumbprintSha1Hex,
      thumbprintSha1Base64: t.thumbprintSha1Base64,
      notBefore: new Date(cert.validFrom),
      notAfter: new Date(cert.validTo),
      isRoot: isSelfSigned(cert),
      isPinned: pinned.has(normalizeThumbprint(t.thumbprintSha1Hex)),
    };
  });

  const ok = !problems.some((p) => p.severity === 'error');
  const status = !ok ? 'invalid' : problems.some((p) => p.code === 'EXPIRING_SOON') ? 'expiring' : 'valid';
  return { ok, status, problems, chain };
}

interface CheckedOptions {
  pinned: Map<string, string>;
  rootCertificates: X509Certificate[];
  crls: ReadonlyArray<Buffer | string>;
  now: Date;
  expiringWithinDays: number;
  requireCrl: boolean;
  allowLegacyRsaKeys: boolean;
}

function checkOptions(options: ValidateCertificateOptions): CheckedOptions {
  requireObject(options, 'validate options');
  if (!Array.isArray(options.roots)) throw invalidOptions('roots must be an array of SupportedRoot');
  const pinned = new Map<string, string>();
  const rootCertificates: X509Certificate[] = [];
  for (const root of options.roots as ReadonlyArray<SupportedRoot>) {
    if (root === null || typeof root !== 'object' || typeof root.name !== 'string') {
      throw invalidOptions('each root must be { name, thumbprintSha1Hex, certificatePem? }');
    }
    const thumbprint = normalizeThumbprint(root.thumbprintSha1Hex);
    if (thumbprint.length !== 40)
      throw invalidOptions(`root ${root.name}: thumbprintSha1Hex must be a SHA-1 thumbprint`);
    pinned.set(thumbprint, root.name);
    if (root.certificatePem !== undefined) {
      let cert: X509Certificate;
      try {
        cert = new X509Certificate(root.certificatePem);
      } catch (cause) {
        throw invalidOptions(`root ${root.name}: certificatePem is unreadable`, cause);
      }
      rootCertificates.push(cert);
    }
  }
  const now = options.now ?? new Date();
  if (!(now instanceof Date) || Number.isNaN(now.getTime())) throw invalidOptions('now must be a valid Date');
  const expiringWithinDays = options.expiringWithinDays ?? 30;
  if (typeof expiringWithinDays !== 'number' || !(expiringWithinDays >= 0)) {
    throw invalidOptions('expiringWithinDays must be a number >= 0');
  }
  const crls = options.crls ?? [];
  if (!Array.isArray(crls)) throw invalidOptions('crls must be an array');
  return {
    pinned,
    rootCertificates,
    crls,
    now,
    expiringWithinDays,
    requireCrl: options.requireCrl === true,
    allowLegacyRsaKeys: options.allowLegacyRsaKeys === true,
  };
}

interface BuiltPath {
  certs: X509Certificate[];
  anchored: boolean;
}

type AddProblem = (code: CertificateProblemCode, message: string, severity?: 'error' | 'warning') => void;

function buildPath(
  leaf: X509Certificate,
  supplied: ReadonlyArray<X509Certificate>,
  opts: CheckedOptions,
  now: Date,
  add: AddProblem,
): BuiltPath {
  const pool = dedupe([...supplied, ...opts.rootCertificates]);
  const certs = [leaf];
  const seen = new Set([leaf.fingerprint256]);
  let current = leaf;
  for (;;) {
    const sha1 = normalizeThumbprint(computeThumbprints(current.raw).thumbprintSha1Hex);
    const selfIssuedName = current.subject === current.issuer;
    const selfSigned = selfIssuedName && isSelfSigned(current);
    if (opts.pinned.has(sha1)) {
      // Trust rests on the pin; the self-signature check makes sure the pinned bytes are a real
      // root, not a certificate whose issuer merely repeats the name.
      if (selfSigned) return { certs, anchored: true };
      if (selfIssuedName) {
        add('BAD_SIGNATURE', `the self-signature of the supported root ${describe(current)} does not verify`);
        return { certs, anchored: false };
      }
      // A pinned certificate that is not self-signed (a cross-certificate): keep walking.
    } else if (selfSigned) {
      add('UNTRUSTED_ROOT', `the chain ends at ${describe(current)}, which is not a supported root`);
      return { certs, anchored: false };
    }
    if (certs.length >= MAX_CHAIN_DEPTH) {
      add('CHAIN_TOO_LONG', `the chain is longer than ${MAX_CHAIN_DEPTH} certificates`);
      return { certs, anchored: false };
    }
    // Issuer candidates by name or by OpenSSL's issuer check, so that a "leaf used as a CA" is
    // found and reported as such instead of as a missing issuer.
    const candidates = pool.filter(
      (c) => c !== current && (c.subject === current.issuer || safe(() => current.checkIssued(c))),
    );
    const unseen = candidates.filter((c) => !seen.has(c.fingerprint256));
    if (unseen.length === 0) {
      if (candidates.length > 0) {
        add('CHAIN_LOOP', `the issuer of ${describe(current)} is already in the chain (a loop)`);
      } else {
        add(
          'CHAIN_INCOMPLETE',
          `the issuer of ${describe(current)} (${oneLine(nameText(current.issuer))}) is neither in the bundle nor a supported root with a certificate`,
        );
      }
      return { certs, anchored: false };
    }
    const parent = unseen.find((c) => safe(() => current.verify(c.publicKey)));
    if (!parent) {
      add(
        'BAD_SIGNATURE',
        `the signature of ${describe(current)} does not verify with the key of its issuer`,
      );
      return { certs, anchored: false };
    }
    // Only a CA may sign certificates; without this any leaf could mint a trusted child.
    if (!parent.ca) {
      add(
        'ISSUER_NOT_CA',
        `${describe(current)} is signed by ${describe(parent)}, which is not a CA (no basicConstraints CA:TRUE)`,
      );
    } else if (!safe(() => current.checkIssued(parent))) {
      add(
        'ISSUER_NOT_CA',
        `${describe(parent)} may not sign certificates (key usage or key identifiers do not allow it)`,
      );
    }
    const from = new Date(parent.validFrom);
    const to = new Date(parent.validTo);
    if (now < from)
      add(
        'CHAIN_CERT_NOT_YET_VALID',
        `${describe(parent)} in the chain is not valid before ${from.toISOString()}`,
      );
    else if (now > to)
      add('CHAIN_CERT_EXPIRED', `${describe(parent)} in the chain expired on ${to.toISOString()}`);
    certs.push(parent);
    seen.add(parent.fingerprint256);
    current = parent;
  }
}

function checkRevocation(
  path: X509Certificate[],
  anchored: boolean,
  opts: CheckedOptions,
  now: Date,
  add: AddProblem,
): void {
  const subjects = path.map((cert) => safe(() => readCertificateFields(cert.raw).subjectDer));
  const usable = new Map<number, ParsedCrl[]>(); // index of the issuing certificate in path → CRLs
  for (const [n, input] of opts.crls.entries()) {
    let crl: ParsedCrl;
    try {
      crl = parseCrl(input);
    } catch (err) {
      add('CRL_INVALID', `CRL #${n + 1} is unreadable: ${err instanceof Error ? err.message : 'malformed'}`);
      continue;
    }
    const issuerIndex = subjects.findIndex((s) => s instanceof Buffer && s.equals(crl.issuerDer));
    const issuer = path[issuerIndex];
    if (!issuer) {
      add('CRL_UNUSED', `CRL #${n + 1} was issued by no certificate in the chain`, 'warning');
      continue;
    }
    // An unsigned or forged CRL could hide a revocation (or fake one): only the issuer's key counts.
    const algorithm = signatureAlgorithm(crl.signatureAlgorithmOid);
    if (!algorithm) {
      add(
        'CRL_INVALID',
        `CRL #${n + 1} uses an unsupported signature algorithm (${crl.signatureAlgorithmOid})`,
      );
      continue;
    }
    if (!safe(() => verifySignature(algorithm.digest, crl.tbsDer, issuer.publicKey, crl.signature))) {
      add(
        'CRL_INVALID',
        `the signature of CRL #${n + 1} does not verify with the key of ${describe(issuer)}`,
      );
      continue;
    }
    if (crl.thisUpdate > now) {
      add(
        'CRL_INVALID',
        `CRL #${n + 1} from ${describe(issuer)} is not valid before ${crl.thisUpdate.toISOString()}`,
      );
      continue;
    }
    // Fail closed: a CRL past nextUpdate may lack recent revocations.
    if (crl.nextUpdate && crl.nextUpdate < now) {
      add(
        'CRL_STALE',
        `CRL #${n + 1} from ${describe(issuer)} was due for renewal on ${crl.nextUpdate.toISOString()}`,
      );
    } else {
      const list = usable.get(issuerIndex) ?? [];
      list.push(crl);
      usable.set(issuerIndex, list);
    }
    // Even a stale CRL proves what it lists: check revocations in it too.
    const child = path[issuerIndex - 1];
    if (child && crl.revokedSerials.has(normalizeSerialHex(child.serialNumber))) {
      add('REVOKED', `${describe(child)} (serial ${child.serialNumber}) is revoked by ${describe(issuer)}`);
    }
  }
  if (opts.requireCrl) {
    // Every certificate below the anchor must be covered; a self-signed anchor has no issuer CRL.
    const last = anchored ? path.length - 1 : path.length;
    for (let i = 0; i < last; i += 1) {
      const cert = path[i] as X509Certificate;
      if (!usable.has(i + 1)) add('CRL_MISSING', `no current CRL covers ${describe(cert)}`);
    }
  }
}

function weakKeyCheck(cert: X509Certificate, allowLegacy: boolean, add: AddProblem): void {
  const key = safe(() => cert.publicKey) || undefined; // throws for a key Node cannot decode
  const details = key?.asymmetricKeyDetails;
  const bits = details?.modulusLength ?? 0;
  if ((key?.asymmetricKeyType === 'rsa' || key?.asymmetricKeyType === 'rsa-pss') && bits < MIN_RSA_BITS) {
    if (allowLegacy && bits >= LEGACY_MIN_RSA_BITS) {
      add(
        'KEY_TOO_SHORT',
        `${describe(cert)} has a ${bits}-bit RSA key, accepted only because legacy RSA keys are allowed (${MIN_RSA_BITS} or more required otherwise)`,
        'warning',
      );
    } else {
      add(
        'KEY_TOO_SHORT',
        allowLegacy
          ? `${describe(cert)} has a ${bits}-bit RSA key (${LEGACY_MIN_RSA_BITS} or more required even for legacy keys)`
          : `${describe(cert)} has a ${bits}-bit RSA key (${MIN_RSA_BITS} or more required)`,
      );
    }
  } else if (
    key?.asymmetricKeyType === 'ec' &&
    /^(secp192|prime192|secp224)/.test(details?.namedCurve ?? '')
  ) {
    add('WEAK_KEY', `${describe(cert)} has a weak EC curve (${details?.namedCurve ?? '?'})`, 'warning');
  }
}

function sha1Check(cert: X509Certificate, add: AddProblem): void {
  const oid = safe(() => readCertificateFields(cert.raw).signatureAlgorithmOid);
  const algorithm = typeof oid === 'string' ? signatureAlgorithm(oid) : undefined;
  if (algorithm?.weak) add('SHA1_SIGNATURE', `${describe(cert)} is signed with ${algorithm.name}`, 'warning');
}

function isSelfSigned(cert: X509Certificate): boolean {
  return cert.subject === cert.issuer && safe(() => cert.verify(cert.publicKey)) === true;
}

function dedupe(certs: X509Certificate[]): X509Certificate[] {
  const seen = new Set<string>();
  return certs.filter((c) => (seen.has(c.fingerprint256) ? false : (seen.add(c.fingerprint256), true)));
}

/** Runs a check that throws on unusual keys or encodings; a throw counts as failure. */
function safe<T>(fn: () => T): T | false {
  try {
    return fn();
  } catch {
    return false;
  }
}

function oneLine(name: string): string {
  return name.split('\n').join(', ');
}

/**
 * A certificate's subject or issuer as Node formats it (one `K=V` per line), '' when the name is empty: Node's
 * X509Certificate gives an empty name as undefined, although its type says string.
 */
export function nameText(name: string | undefined): string {
  return name ?? '';
}

/** A short name for messages: the CN when there is one, else the whole subject. */
export function describe(cert: X509Certificate): string {
  const subject = nameText(cert.subject);
  const cn = commonNameOf(subject);
  if (cn) return `"${cn}"`;
  return subject
    ? `"${oneLine(subject)}"`
    : `the certificate with an empty subject (serial ${cert.serialNumber})`;
}

/** The last CN of a Node-formatted distinguished name, or undefined. */
export function commonNameOf(name: string | undefined): string | undefined {
  let cn: string | undefined;
  for (const line of nameText(name).split('\n')) if (line.startsWith('CN=')) cn = line.slice(3);
  return cn;
}
