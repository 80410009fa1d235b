import type { X509Certificate } from 'node:crypto';

/** Why the STS refuses a client certificate; each has its own Live fault text. */
export type ClientCertificateProblem =
  'no-certificate' | 'expired' | 'not-yet-valid' | 'untrusted-chain' | 'revoked' | 'not-client-auth';

/** What the chain check needs: the presented certificates and the trust material. */
export interface ChainCheckInput {
  leaf: X509Certificate;
  /** Certificates the client sent after its leaf. */
  presented: X509Certificate[];
  /** CA certificates the emulator knows, so a client that sends only its leaf still chains. */
  knownIntermediates: X509Certificate[];
  /** Supported roots: the chain must end at one of these (matched by SHA-256 fingerprint). */
  roots: X509Certificate[];
  now: Date;
  isRevoked(cert: X509Certificate): boolean;
}

/** The outcome of a chain check. */
export type ChainCheckResult =
  { ok: true; chain: X509Certificate[] } | { ok: false; problem: ClientCertificateProblem; detail: string };

const CLIENT_AUTH_OID = '1.3.6.1.5.5.7.3.2';
const ANY_EKU_OID = '2.5.29.37.0';
const MAX_DEPTH = 5;

function withinValidity(cert: X509Certificate, now: Date): 'ok' | 'expired' | 'not-yet-valid' {
  if (now.getTime() < new Date(cert.validFrom).getTime()) return 'not-yet-valid';
  if (now.getTime() > new Date(cert.validTo).getTime()) return 'expired';
  return 'ok';
}

/**
 * Verifies a client certificate chain link by link with Node's X509Certificate (never forge's
 * verifyCertificateChain, which let any leaf act as a CA: CVE-2026-33896).
 */
export function verifyClientChain(input: ChainCheckInput): ChainCheckResult {
  const { leaf, now } = input;
  const leafValidity = withinValidity(leaf, now);
  if (leafValidity === 'expired') {
    return { ok: false, problem: 'expired', detail: `The certificate expired on ${leaf.validTo}.` };
  }
  if (leafValidity === 'not-yet-valid') {
    return {
      ok: false,
      problem: 'not-yet-valid',
      detail: `The certificate is not valid before ${leaf.validFrom}.`,
    };
  }
  const rootPrints = new Set(input.roots.map((r) => r.fingerprint256));
  const candidates = [...input.presented, ...input.knownIntermediates, ...input.roots];
  const chain: X509Certificate[] = [leaf];
  let current = leaf;
  // A root presented as the leaf is no client identity; it must chain through at least one link.
  for (let depth = 0; ; depth++) {
    if (depth > 0 && rootPrints.has(current.fingerprint256) && current.verify(current.publicKey)) break;
    if (depth >= MAX_DEPTH) {
      return { ok: false, problem: 'untrusted-chain', detail: 'The certificate chain is too long.' };
    }
    const parent = candidates.find(
      (c) =>
        !chain.some((link) => link.fingerprint256 === c.fingerprint256) &&
        current.checkIssued(c) &&
        current.verify(c.publicKey),
    );
    if (!parent) {
      return {
        ok: false,
        problem: 'untrusted-chain',
        // Node gives an empty subject as undefined.
        detail: `No trusted issuer was found for "${(current.subject ?? '').replace(/\n/g, ', ')}".`,
      };
    }
    // A parent that is no CA must never vouch for a child, whatever its signature says.
    if (!parent.ca) {
      return {
        ok: false,
        problem: 'untrusted-chain',
        detail: 'The certificate was issued by a non-CA certificate.',
      };
    }
    if (withinValidity(parent, now) !== 'ok') {
      return {
        ok: false,
        problem: 'untrusted-chain',
        detail: 'An issuing CA certificate is outside its validity.',
      };
    }
    chain.push(parent);
    current = parent;
  }
  for (const cert of chain.slice(0, -1)) {
    if (input.isRevoked(cert)) {
      return {
        ok: false,
        problem: 'revoked',
        detail: `The certificate with serial ${cert.serialNumber} has been revoked.`,
      };
    }
  }
  const eku = leaf.keyUsage;
  if (eku && eku.length > 0 && !eku.includes(CLIENT_AUTH_OID) && !eku.includes(ANY_EKU_OID)) {
    return {
      ok: false,
      problem: 'not-client-auth',
      detail: 'The certificate is not valid for client authentication.',
    };
  }
  return { ok: true, chain };
}
