import { constants, createHash, randomUUID, sign, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { request, type Agent } from 'undici';
import type { Harness } from './emulator-harness';

/**
 * What the identity platform's int-specs send, built by hand: client assertions (RFC 7523) and their claims, the
 * client-credentials form, and requests to the token and admin-consent endpoints. Only inputs and requests: each
 * spec checks the replies itself.
 */

/** A certificate and its private key, PEM. */
export interface Signer {
  certPem: string;
  keyPem: string;
}

export const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** The demo app's certificate and key, as the emulator wrote them to its data dir. */
export async function demoSigner(h: Harness): Promise<Signer> {
  return {
    certPem: await readFile(h.emu.demo.certPath, 'utf8'),
    keyPem: await readFile(h.emu.demo.keyPath, 'utf8'),
  };
}

/** A tenant's token endpoint (the demo tenant's, by id, unless another is named). */
export const tokenUrlOf = (h: Harness, tenant: string = h.emu.entra.tenantId): string =>
  `${h.emu.url}/${tenant}/oauth2/v2.0/token`;

/**
 * The claims of a good client assertion of the demo app for the demo tenant's token endpoint at `nowSec` (the
 * real clock unless given); `over` replaces or adds claims, and a claim it sets to undefined is removed.
 */
export function assertionClaims(
  h: Harness,
  over: Record<string, unknown> = {},
  nowSec: number = Math.floor(Date.now() / 1000),
): Record<string, unknown> {
  const c: Record<string, unknown> = {
    aud: tokenUrlOf(h),
    iss: h.emu.entra.clientId,
    sub: h.emu.entra.clientId,
    jti: randomUUID(),
    nbf: nowSec,
    iat: nowSec,
    exp: nowSec + 600,
    ...over,
  };
  for (const [k, v] of Object.entries(c)) if (v === undefined) delete c[k];
  return c;
}

/** An assertion header naming `signer`'s certificate: PS256 with x5t#S256, or RS256 with x5t (SHA-1). */
export function assertionHeader(signer: Signer, alg: 'PS256' | 'RS256' = 'PS256'): Record<string, unknown> {
  const der = new X509Certificate(signer.certPem).raw;
  return {
    alg,
    typ: 'JWT',
    ...(alg === 'PS256'
      ? { 'x5t#S256': createHash('sha256').update(der).digest('base64url') }
      : { x5t: createHash('sha1').update(der).digest('base64url') }),
  };
}

/**
 * A JWT of these header and claims JSON texts, signed with `signer`'s key as PS256 (RSA-PSS, 32-byte salt) or
 * RS256; `tamper` flips the first byte of the signature, and `respell` rewrites the base64url header (0) or claims
 * (1) segment before it is signed, so the signature covers the segments as rewritten.
 */
export function signJwt(
  signer: Signer,
  headerJson: string,
  claimsJson: string,
  opts: {
    signAs?: 'PS256' | 'RS256';
    tamper?: boolean;
    respell?: (segment: string, which: 0 | 1) => string;
  } = {},
): string {
  const respell = opts.respell ?? ((segment: string) => segment);
  const signed = `${respell(Buffer.from(headerJson).toString('base64url'), 0)}.${respell(Buffer.from(claimsJson).toString('base64url'), 1)}`;
  const sig = sign(
    'sha256',
    Buffer.from(signed),
    (opts.signAs ?? 'PS256') === 'PS256'
      ? { key: signer.keyPem, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }
      : { key: signer.keyPem, padding: constants.RSA_PKCS1_PADDING },
  );
  if (opts.tamper) sig[0] = sig[0]! ^ 0xff;
  return `${signed}.${sig.toString('base64url')}`;
}

/**
 * A client assertion (RFC 7523) of these claims with `assertionHeader(signer, alg)`: `header` replaces or adds
 * header fields (one set to undefined is left out), `signAs` signs with another algorithm than the header's alg,
 * `tamper` spoils the signature, `respell` rewrites the encoded header or claims segment before signing (see signJwt).
 */
export function assertion(
  signer: Signer,
  claims: Record<string, unknown>,
  opts: {
    alg?: 'PS256' | 'RS256';
    header?: Record<string, unknown>;
    signAs?: 'PS256' | 'RS256';
    tamper?: boolean;
    respell?: (segment: string, which: 0 | 1) => string;
  } = {},
): string {
  const alg = opts.alg ?? 'PS256';
  const header = { ...assertionHeader(signer, alg), ...opts.header };
  return signJwt(signer, JSON.stringify(header), JSON.stringify(claims), {
    signAs: opts.signAs ?? alg,
    tamper: opts.tamper,
    respell: opts.respell,
  });
}

/**
 * The form of a client-credentials token request of the demo app for the demo environment's /.default scope with
 * this assertion; `over` replaces or adds fields, and a field it sets to undefined is removed.
 */
export function clientCredentials(
  h: Harness,
  clientAssertion: string,
  over: Record<string, string | undefined> = {},
): Record<string, string> {
  const f: Record<string, string | undefined> = {
    client_id: h.emu.entra.clientId,
    scope: `${h.emu.entra.environmentUrl}/.default`,
    grant_type: 'client_credentials',
    client_assertion_type: JWT_BEARER,
    client_assertion: clientAssertion,
    ...over,
  };
  return Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined)) as Record<string, string>;
}

/** POSTs `fields` form-encoded to a tenant's token endpoint (the demo tenant's unless named): status and JSON body. */
export async function postTokenForm(
  h: Harness,
  fields: Record<string, string>,
  tenant: string = h.emu.entra.tenantId,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await request(tokenUrlOf(h, tenant), {
    method: 'POST',
    dispatcher: h.agent,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
  return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> };
}

/** A reply read as text. */
export interface TextReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** Sends `body` (if any) under `contentType` to a path of the emulator over `via` (the harness's agent unless given). */
export async function sendText(
  h: Harness,
  method: 'GET' | 'POST',
  path: string,
  body?: string,
  contentType = 'application/x-www-form-urlencoded',
  via: Agent = h.agent,
): Promise<TextReply> {
  const res = await request(`${h.emu.url}${path}`, {
    method,
    dispatcher: via,
    ...(body !== undefined ? { body, headers: { 'content-type': contentType } } : {}),
  });
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
}

/**
 * A request to a tenant's admin-consent endpoint: with `form`, the form POSTed (or sent by `method`) with no query;
 * without, `query` in the URL. The reply's status, headers and body as text.
 */
export async function adminConsent(
  h: Harness,
  method: string,
  tenant: string,
  query: Record<string, string>,
  form?: Record<string, string>,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const qs = form ? '' : `?${new URLSearchParams(query).toString()}`;
  const res = await request(`${h.emu.url}/${tenant}/adminconsent${qs}`, {
    method: method as 'GET',
    dispatcher: h.agent,
    ...(form
      ? {
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams(form).toString(),
        }
      : {}),
  });
  return { status: res.statusCode, headers: res.headers, body: await res.body.text() };
}
