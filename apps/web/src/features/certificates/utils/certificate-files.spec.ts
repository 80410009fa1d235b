import { describe, expect, it } from 'vitest';
import {
  analyzeFiles,
  bytesToBase64,
  derToPem,
  extractPemBlocks,
  sniffDer,
  spacedHex,
  type LoadedFile,
} from './certificate-files';

const enc = new TextEncoder();
const pem = (label: string, body: string) => `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
const LEAF = pem('CERTIFICATE', 'TEVBRg==');
const INTERMEDIATE = pem('CERTIFICATE', 'SU5URVI=');
const ROOT = pem('CERTIFICATE', 'Uk9PVA==');
const KEY = pem('PRIVATE KEY', 'S0VZ');
const text = (name: string, content: string): LoadedFile => ({ name, bytes: enc.encode(content) });

// DER starts: SEQUENCE (long length) then INTEGER 3 for a PFX, or another SEQUENCE for a certificate.
const PFX = new Uint8Array([0x30, 0x82, 0x01, 0x00, 0x02, 0x01, 0x03, 0x30, 0x00, 0x00]);
const DER_CERT = new Uint8Array([0x30, 0x82, 0x01, 0x00, 0x30, 0x82, 0x00, 0xf0, 0xa0, 0x03]);

describe('sniffDer', () => {
  it('tells a PKCS#12 archive from a DER certificate by content', () => {
    expect(sniffDer(PFX)).toBe('pkcs12');
    expect(sniffDer(DER_CERT)).toBe('der-certificate');
    expect(sniffDer(enc.encode('hello'))).toBeNull();
  });
});

describe('analyzeFiles', () => {
  it('splits one combined PEM file into certificate, key and chain', () => {
    const analysis = analyzeFiles([text('bundle.txt', `${LEAF}${KEY}${INTERMEDIATE}${ROOT}`)]);
    expect(analysis.problems).toEqual([]);
    expect(analysis.material).toEqual({
      format: 'pem',
      certificatePem: LEAF,
      privateKeyPem: KEY,
      chainPem: `${INTERMEDIATE}${ROOT}`,
    });
  });

  it('takes the leaf from the key file or a non-CA file when several files are dropped, whatever the order', () => {
    const analysis = analyzeFiles([
      text('ca-chain.pem', `${INTERMEDIATE}${ROOT}`),
      text('key.pem', KEY),
      text('service.crt', LEAF),
    ]);
    expect(analysis.material).toMatchObject({
      format: 'pem',
      certificatePem: LEAF,
      chainPem: `${INTERMEDIATE}${ROOT}`,
    });
    expect(analysis.leafSource).toBe('service.crt');
    expect(analysis.keySource).toBe('key.pem');
    expect(analysis.chainCount).toBe(2);
  });

  it('leaves chainPem out when there is no chain, and ignores a certificate dropped twice', () => {
    const analysis = analyzeFiles([text('a.pem', `${LEAF}${KEY}`), text('b.pem', LEAF)]);
    expect(analysis.material).toEqual({ format: 'pem', certificatePem: LEAF, privateKeyPem: KEY });
  });

  it('accepts CRLF line endings', () => {
    const analysis = analyzeFiles([text('win.pem', `${LEAF}${KEY}`.replace(/\n/g, '\r\n'))]);
    expect(analysis.material).toMatchObject({ certificatePem: LEAF, privateKeyPem: KEY });
  });

  it('reads a PKCS#12 file whatever its name, as base64', () => {
    const analysis = analyzeFiles([{ name: 'upload.bin', bytes: PFX }]);
    expect(analysis.material).toEqual({ format: 'pkcs12', pkcs12Base64: bytesToBase64(PFX) });
    expect(analysis.pkcs12Source).toBe('upload.bin');
  });

  it('turns a DER certificate into PEM', () => {
    const analysis = analyzeFiles([{ name: 'leaf.cer', bytes: DER_CERT }, text('key.pem', KEY)]);
    expect(analysis.material).toMatchObject({ format: 'pem', certificatePem: derToPem(DER_CERT) });
  });

  it('lists every problem, not only the first', () => {
    const analysis = analyzeFiles([
      text('notes.txt', 'hello'),
      text('k1.pem', `${KEY}${pem('ENCRYPTED PRIVATE KEY', 'RU5D')}`),
    ]);
    expect(analysis.material).toBeNull();
    expect(analysis.problems).toEqual([
      'notes.txt is neither PEM nor PKCS#12.',
      'No certificate found: add the certificate (PEM or .cer).',
      'More than one private key found: keep only the service account’s key.',
      'The private key is encrypted: upload it as PKCS#12 with its password, or as an unencrypted PEM key.',
    ]);
  });

  it('refuses PKCS#12 mixed with PEM, or two PKCS#12 files', () => {
    expect(analyzeFiles([{ name: 'a.pfx', bytes: PFX }, text('k.pem', KEY)]).problems).toEqual([
      'Drop either one PKCS#12 file or PEM files, not both.',
    ]);
    expect(
      analyzeFiles([
        { name: 'a.pfx', bytes: PFX },
        { name: 'b.p12', bytes: PFX },
      ]).problems,
    ).toEqual(['Drop only one PKCS#12 (.pfx/.p12) file.']);
  });

  it('has nothing to say about no files', () => {
    expect(analyzeFiles([])).toMatchObject({ material: null, problems: [] });
  });
});

describe('helpers', () => {
  it('extracts PEM blocks with their labels', () => {
    expect(extractPemBlocks(`junk\n${LEAF}more\n${KEY}`, 'f').map((b) => b.label)).toEqual([
      'CERTIFICATE',
      'PRIVATE KEY',
    ]);
  });

  it('encodes large inputs to base64 in chunks', () => {
    const big = new Uint8Array(100_000).fill(65);
    expect(atob(bytesToBase64(big))).toHaveLength(100_000);
  });

  it('writes a SHA-1 thumbprint the way the SDK does', () => {
    expect(spacedHex('801D62D07B449D5C5C035C98EA61FA443C2A58FE')).toBe(
      '80 1d 62 d0 7b 44 9d 5c 5c 03 5c 98 ea 61 fa 44 3c 2a 58 fe',
    );
    expect(spacedHex('80:1d:62')).toBe('80 1d 62');
  });
});
