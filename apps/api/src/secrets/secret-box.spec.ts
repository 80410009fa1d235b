import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SecretBox } from './secret-box';

const box = new SecretBox(new Map([['k1', randomBytes(32)]]), 'k1');

describe('SecretBox (envelope encryption at rest)', () => {
  it('round-trips a secret and never stores the plaintext', () => {
    const secret = '-----BEGIN PRIVATE KEY-----\nMIIE…secret\n-----END PRIVATE KEY-----';
    const sealed = box.seal(secret, 'certificate|c1|private-key');
    expect(sealed.includes(Buffer.from('secret'))).toBe(false);
    expect(box.openString(sealed, 'certificate|c1|private-key')).toBe(secret);
    expect(SecretBox.kekIdOf(sealed)).toBe('k1');
  });

  it('refuses a ciphertext moved to another row (AAD mismatch)', () => {
    const sealed = box.seal('ticket', 'ticket|org-a|crm');
    expect(() => box.open(sealed, 'ticket|org-b|crm')).toThrow();
  });

  it('refuses a tampered ciphertext', () => {
    const sealed = box.seal('ticket', 'aad');
    sealed.writeUInt8(sealed.readUInt8(sealed.length - 1) ^ 0x01, sealed.length - 1);
    expect(() => box.open(sealed, 'aad')).toThrow();
  });

  it('opens secrets sealed under an older KEK after rotation, and seals new ones with the active KEK', () => {
    const k1 = randomBytes(32);
    const old = new SecretBox(new Map([['k1', k1]]), 'k1').seal('s', 'a');
    const rotated = new SecretBox(
      new Map([
        ['k1', k1],
        ['k2', randomBytes(32)],
      ]),
      'k2',
    );
    expect(rotated.openString(old, 'a')).toBe('s');
    expect(SecretBox.kekIdOf(rotated.seal('s', 'a'))).toBe('k2');
  });

  it('names the missing KEK when it is not configured', () => {
    const sealed = box.seal('s', 'a');
    const other = new SecretBox(new Map([['k9', randomBytes(32)]]), 'k9');
    expect(() => other.open(sealed, 'a')).toThrow(/"k1"/);
  });
});
