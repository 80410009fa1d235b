import { CertificateBundle } from '../certificates/certificate-bundle';
import { CrmAuthError } from '../errors';
import { httpsUrl, invalidOptions, nonEmptyString, requireObject } from '../option-checks';
import type { HttpsTransport } from '../transport/https-transport';
import { transportFor, type ClientCommonOptions } from '../clients/client-options';
import { measureRoundTrip, type CallOptions, type RoundTrip } from '../clients/round-trip';
import { buildClientAssertion, type AssertionAlgorithm } from './client-assertion';
import { entraCodeOf, entraError, type EntraErrorBody } from './entra-errors';

/** Options of {@link EntraTokenClient}. */
export interface EntraTokenClientOptions extends ClientCommonOptions {
  /** The authority host, e.g. `https://login.microsoftonline.com` or the emulator's base URL. */
  authorityUrl: string;
  /** The tenant: its id (a GUID) or a verified domain, e.g. `contoso.onmicrosoft.com`. */
  tenant: string;
  /** The application (client) id. */
  clientId: string;
  /** The app's certificate with its private key; it signs the assertion and never leaves this process. */
  certificate: CertificateBundle;
  /** Default PS256 (with `x5t#S256`). */
  algorithm?: AssertionAlgorithm;
}

/** An access token of the client-credentials grant. There is no refresh token in this flow. */
export interface EntraAccessToken {
  /** Secret. */
  accessToken: string;
  tokenType: string;
  /** When the token stops being accepted, from `expires_in` and the time the request was sent. */
  expiresAt: Date;
  issuedAt: Date;
}

/** The token endpoint of a tenant: `{authority}/{tenant}/oauth2/v2.0/token`. */
export function tokenEndpoint(authorityUrl: string, tenant: string): string {
  return `${authorityUrl.replace(/\/+$/, '')}/${encodeURIComponent(tenant)}/oauth2/v2.0/token`;
}

/**
 * Gets access tokens from the Microsoft identity platform with the client-credentials grant and a
 * certificate credential (docs/protocol.md §13.1): a form POST with a fresh signed assertion per request.
 * Error replies become typed {@link CrmAuthError}s (entra-errors.ts).
 */
export class EntraTokenClient {
  readonly tokenUrl: string;
  readonly #clientId: string;
  readonly #certificate: CertificateBundle;
  readonly #algorithm: AssertionAlgorithm;
  readonly #transport: HttpsTransport;
  readonly #owned: boolean;
  readonly #onRoundTrip: ((trip: RoundTrip) => void) | undefined;

  /** @throws CrmAuthError ERR_INVALID_OPTIONS on bad options. */
  constructor(options: EntraTokenClientOptions) {
    requireObject(options, 'EntraTokenClient options');
    const authority = httpsUrl(options.authorityUrl, 'authorityUrl');
    const tenant = nonEmptyString(options.tenant, 'tenant');
    if (/[/?#\s]/.test(tenant)) throw invalidOptions('tenant must be a tenant id or domain name, not a path');
    this.#clientId = nonEmptyString(options.clientId, 'clientId');
    if (!(options.certificate instanceof CertificateBundle))
      throw invalidOptions('certificate must be a CertificateBundle');
    this.#certificate = options.certificate;
    this.#algorithm = options.algorithm ?? 'PS256';
    if (this.#algorithm !== 'PS256' && this.#algorithm !== 'RS256')
      throw invalidOptions(`algorithm must be 'PS256' or 'RS256', not ${String(this.#algorithm)}`);
    this.tokenUrl = tokenEndpoint(authority, tenant);
    const { transport, owned } = transportFor(options);
    this.#transport = transport;
    this.#owned = owned;
    this.#onRoundTrip = options.onRoundTrip;
  }

  /** A token for `scope`, e.g. `https://contoso.crm.dynamics.com/.default` (one resource). */
  async acquireToken(args: { scope: string } & CallOptions): Promise<EntraAccessToken> {
    const scope = nonEmptyString(args?.scope, 'scope');
    const issuedAt = new Date();
    const body = new URLSearchParams({
      client_id: this.#clientId,
      scope,
      grant_type: 'client_credentials',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: buildClientAssertion({
        certificate: this.#certificate,
        clientId: this.#clientId,
        tokenUrl: this.tokenUrl,
        algorithm: this.#algorithm,
        now: issuedAt,
      }),
    }).toString();
    return measureRoundTrip(this.#onRoundTrip, 'entra', 'token', async () => {
      const res = await this.#transport.post({
        url: this.tokenUrl,
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body,
        operation: 'token',
        ...(args.signal ? { signal: args.signal } : {}),
      });
      const json = res.contentType.toLowerCase().includes('json') ? parseJson(res.body) : undefined;
      if (res.status !== 200) {
        // A refusal is an answer about the app, tenant or certificate; throttling and server errors are not.
        const refusal = res.status < 500 && res.status !== 429;
        if (refusal && json && typeof json === 'object' && 'error' in json)
          throw entraError(json as EntraErrorBody, { httpStatus: res.status, url: this.tokenUrl });
        const code = json && typeof json === 'object' ? entraCodeOf(json as EntraErrorBody) : undefined;
        throw new CrmAuthError('ERR_HTTP_STATUS', `The token endpoint answered HTTP ${res.status}`, {
          ...(code !== undefined ? { faultCode: `AADSTS${code}` } : {}),
          httpStatus: res.status,
          operation: 'token',
          url: this.tokenUrl,
          ...(res.retryAfterMs !== undefined ? { retryAfterMs: res.retryAfterMs } : {}),
        });
      }
      return readToken(json, issuedAt, this.tokenUrl);
    });
  }

  async close(): Promise<void> {
    if (this.#owned) await this.#transport.close();
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function readToken(json: unknown, issuedAt: Date, url: string): EntraAccessToken {
  const t = (json ?? {}) as Record<string, unknown>;
  const expiresIn = typeof t['expires_in'] === 'string' ? Number(t['expires_in']) : t['expires_in'];
  if (
    typeof t['access_token'] !== 'string' ||
    t['access_token'] === '' ||
    typeof t['token_type'] !== 'string' ||
    typeof expiresIn !== 'number' ||
    !Number.isFinite(expiresIn) ||
    expiresIn <= 0
  ) {
    throw new CrmAuthError(
      'ERR_UNEXPECTED_MESSAGE',
      'The token endpoint answered 200 without access_token, token_type and a positive expires_in',
      { operation: 'token', url },
    );
  }
  return {
    accessToken: t['access_token'],
    tokenType: t['token_type'],
    issuedAt,
    expiresAt: new Date(issuedAt.getTime() + expiresIn * 1000),
  };
}
