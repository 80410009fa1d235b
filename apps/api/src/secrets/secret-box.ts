import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Envelope encryption for secrets at rest (private keys, tickets). Each secret gets a fresh
 * 32-byte data key (DEK); the DEK encrypts the secret with AES-256-GCM and is itself wrapped
 * by the active key-encryption key (KEK). The AAD binds the ciphertext to its row and purpose,
 * so a ciphertext copied into another row or column fails to decrypt.
 *
 * Layout (v1): "OB1" | kekIdLen (1) | kekId | dekIv (12) | dekTag (16) | wrappedDek (32) | iv (12) | tag (16) | ciphertext
 */
export class SecretBox {
  constructor(
    private readonly keks: ReadonlyMap<string, Buffer>,
    private readonly activeKekId: string,
  ) {
    if (!keks.has(activeKekId)) throw new TypeError(`no key-encryption key "${activeKekId}"`);
  }

  get activeKek(): string {
    return this.activeKekId;
  }

  seal(plaintext: Buffer | string, aad: string): Buffer {
    const kek = this.keks.get(this.activeKekId)!;
    const dek = randomBytes(32);
    try {
      const dekIv = randomBytes(12);
      const w = createCipheriv('aes-256-gcm', kek, dekIv);
      w.setAAD(Buffer.from(`dek|${aad}|${this.activeKekId}|v1`));
      const wrapped = Buffer.concat([w.update(dek), w.final()]);
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', dek, iv);
      c.setAAD(Buffer.from(`${aad}|${this.activeKekId}|v1`));
      const ct = Buffer.concat([
        c.update(typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext),
        c.final(),
      ]);
      const kid = Buffer.from(this.activeKekId, 'utf8');
      return Buffer.concat([
        Buffer.from('OB1'),
        Buffer.from([kid.length]),
        kid,
        dekIv,
        w.getAuthTag(),
        wrapped,
        iv,
        c.getAuthTag(),
        ct,
      ]);
    } finally {
      dek.fill(0); // the DEK lives only as long as this call
    }
  }

  open(sealed: Buffer, aad: string): Buffer {
    if (sealed.subarray(0, 3).toString() !== 'OB1') throw new Error('unknown secret format');
    const kidLen = sealed[3]!;
    let o = 4;
    const kid = sealed.subarray(o, (o += kidLen)).toString('utf8');
    const kek = this.keks.get(kid);
    if (!kek) throw new Error(`the key-encryption key "${kid}" that sealed this secret is not configured`);
    const dekIv = sealed.subarray(o, (o += 12));
    const dekTag = sealed.subarray(o, (o += 16));
    const wrapped = sealed.subarray(o, (o += 32));
    const iv = sealed.subarray(o, (o += 12));
    const tag = sealed.subarray(o, (o += 16));
    const ct = sealed.subarray(o);
    const w = createDecipheriv('aes-256-gcm', kek, dekIv);
    w.setAAD(Buffer.from(`dek|${aad}|${kid}|v1`));
    w.setAuthTag(dekTag);
    const dek = Buffer.concat([w.update(wrapped), w.final()]);
    try {
      const d = createDecipheriv('aes-256-gcm', dek, iv);
      d.setAAD(Buffer.from(`${aad}|${kid}|v1`));
      d.setAuthTag(tag);
      return Buffer.concat([d.update(ct), d.final()]);
    } finally {
      dek.fill(0);
    }
  }

  openString(sealed: Buffer, aad: string): string {
    return this.open(sealed, aad).toString('utf8');
  }

  /** Which KEK sealed a secret (for rotation). */
  static kekIdOf(sealed: Buffer): string {
    return sealed.subarray(4, 4 + sealed[3]!).toString('utf8');
  }
}
