import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { CrmAuthError } from '../errors';
import { invalidOptions, requireString } from '../option-checks';

/** What a PKCS#12 file holds, in Node's types. Internal to the certificates folder. */
export interface Pkcs12Contents {
  certificates: X509Certificate[];
  privateKey?: KeyObject;
}

/** Bigger uploads are refused before parsing; a service-account PFX is a few kilobytes. */
export const MAX_PKCS12_BYTES = 1024 * 1024;

/**
 * Reads a PKCS#12 (.pfx/.p12) with node-forge and hands the result to Node as DER. node-forge
 * rather than Node: OpenSSL 3 refuses the RC2-40 encryption that older Windows exports use.
 *
 * @throws CrmAuthError ERR_CERT_UNREADABLE, ERR_CERT_BAD_PASSWORD; ERR_INVALID_OPTIONS for data that is
 *   not a Buffer or a password that is not a string.
 */
export function readPkcs12(der: Buffer, password: string): Pkcs12Contents {
  if (!Buffer.isBuffer(der)) throw invalidOptions('the PKCS#12 data must be a Buffer');
  requireString(password, 'the PKCS#12 password');
  if (der.length === 0 || der.length > MAX_PKCS12_BYTES) {
    throw new CrmAuthError('ERR_CERT_UNREADABLE', 'the PKCS#12 file is empty or too large');
  }
  let asn1: forge.asn1.Asn1;
  try {
    asn1 = forge.asn1.fromDer(forge.util.createBuffer(der.toString('binary')), false);
  } catch (cause) {
    throw new CrmAuthError('ERR_CERT_UNREADABLE', 'the file is not a PKCS#12 (DER) structure', { cause });
  }
  let p12: forge.pkcs12.Pkcs12Pfx;
  try {
    p12 = forge.pkcs12.pkcs12FromAsn1(asn1, false, password);
  } catch (cause) {
    // forge reports a MAC mismatch or an undecryptable key bag; both mean a wrong password.
    // The message is ours: forge's text is not a contract and the password never enters it.
    const text = cause instanceof Error ? cause.message : '';
    if (/password|MAC could not be verified|decrypt/i.test(text)) {
      throw new CrmAuthError('ERR_CERT_BAD_PASSWORD', 'the PKCS#12 password is wrong');
    }
    throw new CrmAuthError('ERR_CERT_UNREADABLE', 'the PKCS#12 file could not be read', { cause });
  }

  const certificates: X509Certificate[] = [];
  for (const bag of p12.getBags({ bagType: forge.pki.oids.certBag })[forge.pki.oids.certBag as string] ??
    []) {
    const certAsn1 = bag.cert ? forge.pki.certificateToAsn1(bag.cert) : bag.asn1;
    if (!certAsn1) continue;
    try {
      certificates.push(new X509Certificate(Buffer.from(forge.asn1.toDer(certAsn1).getBytes(), 'binary')));
    } catch (cause) {
      throw new CrmAuthError('ERR_CERT_UNREADABLE', 'a certificate in the PKCS#12 file is unreadable', {
        cause,
      });
    }
  }
  if (certificates.length === 0)
    throw new CrmAuthError('ERR_CERT_UNREADABLE', 'the PKCS#12 file holds no certificate');

  let privateKey: KeyObject | undefined;
  const keyBags = [
    ...(p12.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag })[
      forge.pki.oids.pkcs8ShroudedKeyBag as string
    ] ?? []),
    ...(p12.getBags({ bagType: forge.pki.oids.keyBag })[forge.pki.oids.keyBag as string] ?? []),
  ];
  const keyBag = keyBags[0];
  if (keyBag) {
    // forge parses RSA keys; other key types come back as raw PrivateKeyInfo ASN.1.
    const info = keyBag.key
      ? forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(keyBag.key as forge.pki.rsa.PrivateKey))
      : keyBag.asn1;
    if (info) {
      try {
        privateKey = createPrivateKey({
          key: Buffer.from(forge.asn1.toDer(info).getBytes(), 'binary'),
          format: 'der',
          type: 'pkcs8',
        });
      } catch (cause) {
        throw new CrmAuthError('ERR_CERT_UNREADABLE', 'the private key in the PKCS#12 file is unreadable', {
          cause,
        });
      }
    }
  }
  return privateKey ? { certificates, privateKey } : { certificates };
}
