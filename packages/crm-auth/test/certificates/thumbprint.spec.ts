import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SUPPORTED_ROOTS, supportedRootFromPem } from '../../src/certificates/supported-roots';
import {
  computeThumbprints,
  formatThumbprintBase64,
  formatThumbprintHex,
  normalizeThumbprint,
  thumbprintsEqual,
} from '../../src/certificates/thumbprint';
import { X509Certificate } from 'node:crypto';
import { INVALID_OPTIONS } from '../helpers/invalid-options';

const knownPem = readFileSync(path.join(__dirname, '../data/known-certificate.pem'), 'utf8');

describe('thumbprints', () => {
  it('match the values openssl computed for a known certificate', () => {
    // openssl x509 -fingerprint -sha1 / -sha256, and the SHA-1 digest in base64
    const t = computeThumbprints(new X509Certificate(knownPem).raw);
    expect(t.thumbprintSha1Hex).toBe('45 26 0c c4 23 5a 87 3b 5b be 1a 97 5c c7 f9 b5 df 3f 6c dd');
    expect(t.thumbprintSha1Base64).toBe('RSYMxCNahztbvhqXXMf5td8/bN0');
    expect(t.thumbprintSha256).toBe('6f3bfbbba957e14ecb4640905eecd219021eacc8f73fc5e8e038707e9f8c101e');
  });

  it('reads the SDK roots hex and base64 forms as the same digest', () => {
    const pairs: Array<[string, string]> = [
      ['80 1d 62 d0 7b 44 9d 5c 5c 03 5c 98 ea 61 fa 44 3c 2a 58 fe', 'gB1i0HtEnVxcA1yY6mH6RDwqWP4'],
      ['27 96 ba e6 3f 18 01 e2 77 26 1b a0 d7 77 70 02 8f 20 ee e4', 'J5a65j8YAeJ3Jhug13dwAo8g7uQ'],
      ['04 83 ed 33 99 ac 36 08 05 87 22 ed bc 5e 46 00 e3 be f9 d7', 'BIPtM5msNggFhyLtvF5GAOO++dc'],
    ];
    for (const [hex, b64] of pairs) {
      expect(thumbprintsEqual(hex, b64)).toBe(true);
      expect(formatThumbprintBase64(hex)).toBe(b64);
      expect(formatThumbprintHex(b64)).toBe(hex);
    }
    expect(DEFAULT_SUPPORTED_ROOTS.map((r) => formatThumbprintBase64(r.thumbprintSha1Hex))).toEqual(
      pairs.map((p) => p[1]),
    );
  });

  it('accepts colon-separated upper-case hex as openssl prints it', () => {
    expect(normalizeThumbprint('45:26:0C:C4:23:5A:87:3B:5B:BE:1A:97:5C:C7:F9:B5:DF:3F:6C:DD')).toBe(
      '45260cc4235a873b5bbe1a975cc7f9b5df3f6cdd',
    );
  });

  it('normalises every form of any digest to the same hex (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 20, maxLength: 20 }), fc.boolean(), (bytes, sha256Length) => {
        const buf = sha256Length
          ? Buffer.concat([Buffer.from(bytes), Buffer.alloc(12, 7)])
          : Buffer.from(bytes);
        const hex = buf.toString('hex');
        const forms = [
          hex,
          hex.toUpperCase(),
          formatThumbprintHex(hex),
          (hex.match(/../g) ?? []).join(':').toUpperCase(),
          buf.toString('base64'),
          buf.toString('base64').replace(/=+$/, ''),
          buf.toString('base64url'),
        ];
        for (const f of forms) expect(normalizeThumbprint(f)).toBe(hex);
      }),
    );
  });

  it('refuses text that is no digest', () => {
    for (const bad of ['', 'abc', '80 1d 62', 'zz'.repeat(20), 'gB1i0HtEnVxcA1yY6mH6RDwqWP4AAAA']) {
      expect(() => normalizeThumbprint(bad)).toThrow(INVALID_OPTIONS);
    }
    expect(thumbprintsEqual('nonsense', 'nonsense')).toBe(false);
  });

  it('pins a root read from PEM by its own thumbprint', () => {
    const root = supportedRootFromPem('known', knownPem);
    expect(root.thumbprintSha1Hex).toBe('45 26 0c c4 23 5a 87 3b 5b be 1a 97 5c c7 f9 b5 df 3f 6c dd');
    expect(root.certificatePem).toContain('BEGIN CERTIFICATE');
    expect(() => supportedRootFromPem('bad', 'not a pem')).toThrow(
      expect.objectContaining({ code: 'ERR_CERT_UNREADABLE' }),
    );
  });
});
