import { constants, createHash, randomUUID, sign } from 'node:crypto';
import { CertificateBundle } from '../certificates/certificate-bundle';
import { httpsUrl, invalidOptions, nonEmptyString } from '../option-checks';

/**
 * The signature of a client assertion. PS256 with `x5t#S256` is what the identity platform documents
 * today; RS256 with the SHA-1 `x5t` is the older form, still accepted (docs/protocol.md §13.1).
 */
export type AssertionAlgorithm = 'PS256' | 'RS256';

/** What a client assertion is built from. */
export interface ClientAssertionInput {
  /** The app's certificate and private key (the certificate must be registered on the app). */
  certificate: CertificateBundle;
  /** The application (client) id: the assertion's `iss` and `sub`. */
  clientId: string;
  /** The token endpoint the assertion is posted to: its `aud`. */
  tokenUrl: string;
  /** Default PS256. */
  algorithm?: AssertionAlgorithm;
  /** Seconds from `nbf` to `exp`; at most 600, default 600. */
  lifetimeSec?: number;
  /** Default: now. */
  now?: Date;
  /** Default: a random GUID. */
  jti?: string;
}

/** The longest lifetime the identity platform accepts for an assertion (docs/protocol.md §13.1). */
export const MAX_ASSERTION_LIFETIME_SEC = 600;

const b64url = (b: Buffer | string): string => Buffer.from(b).toString('base64url');

/**
 * A signed JWT client assertion for the OAuth client-credentials grant (RFC 7523): header `alg`, `typ`
 * and the certificate's thumbprint (`x5t#S256` for PS256, `x5t` for RS256); claims `aud` = the token URL,
 * `iss` = `sub` = the client id, `jti`, `nbf`, `iat` and `exp`. Signed with node:crypto, RSA-PSS with a
 * 32-byte salt for PS256 (RFC 7518 §3.5).
 *
 * @throws CrmAuthError ERR_INVALID_OPTIONS on bad input.
 */
export function buildClientAssertion(input: ClientAssertionInput): string {
  if (typeof input !== 'object' || input === null) throw invalidOptions('input must be an object');
  if (!(input.certificate instanceof CertificateBundle))
    throw invalidOptions('certificate must be a CertificateBundle');
  const clientId = nonEmptyString(input.clientId, 'clientId');
  const tokenUrl = httpsUrl(input.tokenUrl, 'tokenUrl');
  const algorithm = input.algorithm ?? 'PS256';
  if (algorithm !== 'PS256' && algorithm !== 'RS256')
    throw invalidOptions(`algorithm must be 'PS256' or 'RS256', not ${String(algorithm)}`);
  const lifetimeSec = input.lifetimeSec ?? MAX_ASSERTION_LIFETIME_SEC;
  if (!Number.isInteger(lifetimeSec) || lifetimeSec < 1 || lifetimeSec > MAX_ASSERTION_LIFETIME_SEC)
    throw invalidOptions(
      `lifetimeSec must be a whole number of seconds from 1 to ${MAX_ASSERTION_LIFETIME_SEC}`,
    );
  const now = input.now ?? new Date();
  if (!(now instanceof Date) || Number.isNaN(now.getTime())) throw invalidOptions('now must be a valid Date');
  const jti = input.jti === undefined ? randomUUID() : nonEmptyString(input.jti, 'jti');

  const der = input.certificate.certificate.raw;
  const header =
    algorithm === 'PS256'
      ? { alg: 'PS256', typ: 'JWT', 'x5t#S256': b64url(createHash('sha256').update(der).digest()) }
      : { alg: 'RS256', typ: 'JWT', x5t: b64url(createHash('sha1').update(der).digest()) };
  const t = Math.floor(now.getTime() / 1000);
  const claims = { aud: tokenUrl, iss: clientId, sub: clientId, jti, nbf: t, iat: t, exp: t + lifetimeSec };
  const signed = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  const key = input.certificate.privateKey;
  const signature =
    algorithm === 'PS256'
      ? sign('sha256', Buffer.from(signed), {
          key,
          padding: constants.RSA_PKCS1_PSS_PADDING,
          saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
        })
      : sign('sha256', Buffer.from(signed), { key, padding: constants.RSA_PKCS1_PADDING });
  return `${signed}.${b64url(signature)}`;
}
