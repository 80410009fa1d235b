/** RPS tickets for the verifier specs: the emulator's signing certificate, a fixed clock, signing. */
import { sign } from 'node:crypto';
import { issue, testKey, type TestKey } from '../helpers/test-pki';

export const signing = issue({ commonName: 'Emulator RPS Signing', key: testKey('rps'), eku: null });
export const NOW = Date.UTC(2026, 10, 24, 12, 0, 0);
export const nowSec = NOW / 1000;

/** `base64url(payload text).base64url(RS256 signature)`, as the RPS sign-in page issues it. */
export function rawTicket(payloadText: string, key: TestKey = signing.key): string {
  const first = Buffer.from(payloadText, 'utf8').toString('base64url');
  const sig = sign('sha256', Buffer.from(first, 'ascii'), key.privateKey).toString('base64url');
  return `${first}.${sig}`;
}

/** A ticket carrying `payload` as JSON. */
export function ticket(payload: unknown, key: TestKey = signing.key): string {
  return rawTicket(JSON.stringify(payload), key);
}
