// Works out what the administrator dropped, by content rather than by file name: PEM text (certificate, key and
// chain in one file or several), a DER certificate, or a PKCS#12 archive. Pure functions, tested.

export interface LoadedFile {
  name: string;
  bytes: Uint8Array;
}

export interface PemBlock {
  label: string;
  pem: string;
  source: string;
}

export type FileKind = 'pem' | 'der-certificate' | 'pkcs12' | 'unknown';

export interface FileReport {
  name: string;
  kind: FileKind;
  certificates: number;
  privateKeys: number;
}

export type CertificateMaterial =
  | { format: 'pem'; certificatePem: string; privateKeyPem: string; chainPem?: string }
  | { format: 'pkcs12'; pkcs12Base64: string };

export interface Analysis {
  files: FileReport[];
  /** What will be sent, or null when `problems` says why not. */
  material: CertificateMaterial | null;
  /** Where each part came from, for the summary line. */
  leafSource: string | null;
  keySource: string | null;
  chainCount: number;
  pkcs12Source: string | null;
  problems: string[];
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;
const CERT_LABELS = new Set(['CERTIFICATE', 'X509 CERTIFICATE', 'TRUSTED CERTIFICATE']);
/** File names that usually hold CA certificates rather than the leaf. */
const CHAIN_NAME = /(chain|bundle|root|intermediate|(^|[^a-z])ca([^a-z]|$))/i;

export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  }
  return btoa(binary);
}

function wrap64(text: string): string {
  return text.match(/.{1,64}/g)?.join('\n') ?? '';
}

export function derToPem(bytes: Uint8Array, label = 'CERTIFICATE'): string {
  return `-----BEGIN ${label}-----\n${wrap64(bytesToBase64(bytes))}\n-----END ${label}-----\n`;
}

/** Reads a DER length at `offset`; returns the offset just past it, or -1. */
function skipDerLength(bytes: Uint8Array, offset: number): number {
  const first = bytes[offset];
  if (first === undefined) return -1;
  if (first < 0x80) return offset + 1;
  const count = first & 0x7f;
  if (count === 0 || count > 4) return -1;
  return offset + 1 + count;
}

/**
 * A DER SEQUENCE whose first element is INTEGER 3 is a PKCS#12 PFX (its version); one whose first element is
 * another SEQUENCE is an X.509 certificate (its tbsCertificate).
 */
export function sniffDer(bytes: Uint8Array): 'pkcs12' | 'der-certificate' | null {
  if (bytes[0] !== 0x30) return null;
  const inner = skipDerLength(bytes, 1);
  if (inner < 0) return null;
  if (bytes[inner] === 0x02 && bytes[inner + 1] === 0x01 && bytes[inner + 2] === 0x03) return 'pkcs12';
  if (bytes[inner] === 0x30) return 'der-certificate';
  return null;
}

function normalizePem(block: string): string {
  return `${block.replace(/\r\n?/g, '\n').trim()}\n`;
}

export function extractPemBlocks(text: string, source: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  for (const match of text.matchAll(PEM_BLOCK)) {
    blocks.push({ label: match[1] ?? '', pem: normalizePem(match[0]), source });
  }
  return blocks;
}

function looksLikeText(bytes: Uint8Array): boolean {
  const sample = bytes.subarray(0, 512);
  for (const byte of sample) {
    if (byte === 0) return false;
  }
  return true;
}

export function analyzeFiles(files: readonly LoadedFile[]): Analysis {
  const problems: string[] = [];
  const reports: FileReport[] = [];
  const certificates: PemBlock[] = [];
  const keys: PemBlock[] = [];
  const pkcs12: LoadedFile[] = [];

  for (const file of files) {
    const text = looksLikeText(file.bytes)
      ? new TextDecoder('utf-8', { fatal: false }).decode(file.bytes)
      : '';
    const blocks = text.includes('-----BEGIN ') ? extractPemBlocks(text, file.name) : [];
    if (blocks.length > 0) {
      const certs = blocks.filter((b) => CERT_LABELS.has(b.label));
      const fileKeys = blocks.filter((b) => b.label.endsWith('PRIVATE KEY'));
      certificates.push(...certs);
      keys.push(...fileKeys);
      reports.push({
        name: file.name,
        kind: 'pem',
        certificates: certs.length,
        privateKeys: fileKeys.length,
      });
      continue;
    }
    const der = sniffDer(file.bytes);
    if (der === 'pkcs12') {
      pkcs12.push(file);
      reports.push({ name: file.name, kind: 'pkcs12', certificates: 0, privateKeys: 0 });
    } else if (der === 'der-certificate') {
      certificates.push({ label: 'CERTIFICATE', pem: derToPem(file.bytes), source: file.name });
      reports.push({ name: file.name, kind: 'der-certificate', certificates: 1, privateKeys: 0 });
    } else {
      reports.push({ name: file.name, kind: 'unknown', certificates: 0, privateKeys: 0 });
      problems.push(`${file.name} is neither PEM nor PKCS#12.`);
    }
  }

  const base: Omit<Analysis, 'material' | 'problems'> = {
    files: reports,
    leafSource: null,
    keySource: null,
    chainCount: 0,
    pkcs12Source: null,
  };

  if (pkcs12.length > 0) {
    if (pkcs12.length > 1) problems.push('Drop only one PKCS#12 (.pfx/.p12) file.');
    if (certificates.length > 0 || keys.length > 0)
      problems.push('Drop either one PKCS#12 file or PEM files, not both.');
    const file = pkcs12[0]!;
    return {
      ...base,
      pkcs12Source: file.name,
      material: problems.length === 0 ? { format: 'pkcs12', pkcs12Base64: bytesToBase64(file.bytes) } : null,
      problems,
    };
  }

  if (files.length === 0) return { ...base, material: null, problems };

  // The leaf is the first certificate of the file holding the key, else of a file not named like a CA bundle.
  const keySources = new Set(keys.map((k) => k.source));
  const rank = (block: PemBlock) =>
    keySources.has(block.source) ? 0 : CHAIN_NAME.test(block.source) ? 2 : 1;
  const seen = new Set<string>();
  const ordered = certificates
    .map((block, index) => ({ block, index }))
    .sort((a, b) => rank(a.block) - rank(b.block) || a.index - b.index)
    .map(({ block }) => block)
    .filter((block) => (seen.has(block.pem) ? false : (seen.add(block.pem), true)));

  if (ordered.length === 0) problems.push('No certificate found: add the certificate (PEM or .cer).');
  if (keys.length === 0) problems.push('No private key found: add the key file, or use a PKCS#12 file.');
  if (keys.length > 1) problems.push('More than one private key found: keep only the service account’s key.');
  if (keys.some((k) => k.label.startsWith('ENCRYPTED'))) {
    problems.push(
      'The private key is encrypted: upload it as PKCS#12 with its password, or as an unencrypted PEM key.',
    );
  }

  const [leaf, ...chain] = ordered;
  const key = keys[0];
  return {
    ...base,
    leafSource: leaf?.source ?? null,
    keySource: key?.source ?? null,
    chainCount: chain.length,
    material:
      problems.length === 0 && leaf && key
        ? {
            format: 'pem',
            certificatePem: leaf.pem,
            privateKeyPem: key.pem,
            ...(chain.length > 0 ? { chainPem: chain.map((c) => c.pem).join('') } : {}),
          }
        : null,
    problems,
  };
}

/** SHA-1 as the SDK prints it: lower-case hex pairs separated by spaces. */
export function spacedHex(hex: string): string {
  const clean = hex.replace(/[^0-9a-f]/gi, '').toLowerCase();
  return clean.match(/.{1,2}/g)?.join(' ') ?? '';
}
