import { X509Certificate } from 'node:crypto';
import { CrmAuthError } from '../errors';
import { nonEmptyString, requireString } from '../option-checks';
import { computeThumbprints, formatThumbprintHex } from './thumbprint';

/**
 * A root certification authority that a service-account certificate may chain to. The root is
 * pinned by its SHA-1 thumbprint; its certificate is optional, because a bundle may carry the
 * root itself (the SDK's supported roots are well known and were configured by thumbprint only).
 */
export interface SupportedRoot {
  /** A display name, e.g. `Entrust.net Certification Authority (2048)`. */
  name: string;
  /** SHA-1 thumbprint in any form {@link normalizeThumbprint} accepts. */
  thumbprintSha1Hex: string;
  /** The root certificate in PEM, when the bundle does not carry it. */
  certificatePem?: string;
}

/**
 * The three roots the CRM 4.0 SDK named for service-account certificates (docs/protocol.md §7.1), by
 * thumbprint only. Production uses these; development adds the emulator's CA with
 * {@link supportedRootFromPem}.
 */
export const DEFAULT_SUPPORTED_ROOTS: ReadonlyArray<SupportedRoot> = Object.freeze([
  Object.freeze({
    name: 'Entrust.net Certification Authority (2048)',
    thumbprintSha1Hex: '80 1d 62 d0 7b 44 9d 5c 5c 03 5c 98 ea 61 fa 44 3c 2a 58 fe',
  }),
  Object.freeze({
    name: 'Go Daddy Class 2 Certification Authority',
    thumbprintSha1Hex: '27 96 ba e6 3f 18 01 e2 77 26 1b a0 d7 77 70 02 8f 20 ee e4',
  }),
  Object.freeze({
    name: 'Network Solutions Certificate Authority',
    thumbprintSha1Hex: '04 83 ed 33 99 ac 36 08 05 87 22 ed bc 5e 46 00 e3 be f9 d7',
  }),
]);

/**
 * Makes a {@link SupportedRoot} from a root certificate in PEM (e.g. the emulator's CA), pinned
 * by that certificate's own thumbprint.
 *
 * @throws CrmAuthError ERR_CERT_UNREADABLE when the PEM holds no readable certificate, ERR_INVALID_OPTIONS
 *   when the name is empty or the PEM is not a string.
 */
export function supportedRootFromPem(name: string, pem: string): SupportedRoot {
  nonEmptyString(name, 'name');
  requireString(pem, 'pem');
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(pem);
  } catch (cause) {
    throw new CrmAuthError('ERR_CERT_UNREADABLE', 'the root certificate PEM could not be read', { cause });
  }
  return {
    name,
    thumbprintSha1Hex: formatThumbprintHex(computeThumbprints(certificate.raw).thumbprintSha1Hex),
    certificatePem: certificate.toString(),
  };
}
