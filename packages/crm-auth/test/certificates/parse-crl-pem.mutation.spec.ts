/**
 * Mutation-testing addition (stryker/README.md) for parseCrl's PEM reading: a Buffer is read as
 * latin1, one character per byte. Read as UTF-8, a two-byte sequence such as C5 81 would become
 * one character (U+0141), which Node's base64 decoder takes for its low byte, the letter "A".
 */
import { describe, expect, it } from 'vitest';
import { parseCrl } from '../../src/certificates/parse-crl';
import { makeCrl, standardHierarchy, toPem } from '../helpers/test-pki';

describe('parseCrl: PEM in a Buffer', { timeout: 30_000 }, () => {
  const { intermediate, leaf } = standardHierarchy();
  const der = makeCrl({ issuer: intermediate, revoked: [leaf] });

  it('reads a Buffer byte for byte (latin1): stray non-ASCII bytes in the body are skipped, never taken for base64', () => {
    const pem = toPem(der, 'X509 CRL');
    const firstLineEnd = pem.indexOf('\n', pem.indexOf('\n') + 1);
    const stray = Buffer.concat([
      Buffer.from(pem.slice(0, firstLineEnd), 'latin1'),
      Buffer.from([0xc5, 0x81]),
      Buffer.from(pem.slice(firstLineEnd), 'latin1'),
    ]);
    const parsed = parseCrl(stray);
    expect(parsed.tbsDer.equals(parseCrl(der).tbsDer)).toBe(true);
    expect([...parsed.revokedSerials]).toEqual([leaf.serialHex.replace(/^0+/, '').toUpperCase()]);
  });
});
