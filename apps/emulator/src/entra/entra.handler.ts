import { constants, randomUUID, verify, X509Certificate } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { HttpReply } from '../http/emulator.context';
import type { ScenarioContext, ScenarioEngine } from '../scenarios/scenario.engine';
import { escapeHtml } from '../xml/xml-escape.util';
import { type EntraDirectory, type EntraTenant, jwtThumbprints } from './entra-directory';

const FORM_MAX_BYTES = 64 * 1024;
const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** Clock skew allowed on `nbf` and `exp`, and the longest assertion lifetime (docs/protocol.md §13.1). */
const SKEW_SEC = 300;
const MAX_ASSERTION_LIFETIME_SEC = 600;

/** An error of the token endpoint: the OAuth `error`, the AADSTS number, its text, and the HTTP status. */
export class EntraError extends Error {
  constructor(
    readonly error: string,
    readonly aadsts: number,
    message: string,
    readonly status = 400,
    /** The body was not read to its end: the connection cannot carry another request. */
    readonly closeConnection = false,
  ) {
    super(message);
  }
}

function json(status: number, value: unknown): HttpReply {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store, no-cache' },
    body: JSON.stringify(value),
  };
}

/**
 * The identity platform's error body: `{error, error_description: "AADSTSnnnn: …\r\nTrace ID: …\r\nCorrelation ID:
 * …\r\nTimestamp: …", error_codes, timestamp, trace_id, correlation_id, error_uri}` (docs/protocol.md §13.1).
 */
export function entraErrorReply(e: EntraError, baseUrl: string, now = new Date()): HttpReply {
  const traceId = randomUUID();
  const correlationId = randomUUID();
  const timestamp = now
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
  const reply = json(e.status, {
    error: e.error,
    error_description: `AADSTS${e.aadsts}: ${e.message}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${timestamp}`,
    error_codes: [e.aadsts],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `${baseUrl}/error?code=${e.aadsts}`,
  });
  if (e.closeConnection) reply.headers['connection'] = 'close';
  return reply;
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const type = String(req.headers['content-type'] ?? '').toLowerCase();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > FORM_MAX_BYTES)
      // The rest of the body is never read, so this connection cannot carry another request.
      throw new EntraError('invalid_request', 90033, 'The request body is too large.', 400, true);
    chunks.push(chunk as Buffer);
  }
  if (!type.startsWith('application/x-www-form-urlencoded'))
    throw new EntraError(
      'invalid_request',
      900144,
      "The request body must be form-encoded ('application/x-www-form-urlencoded').",
    );
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function required(form: URLSearchParams, name: string): string {
  const v = form.get(name);
  if (!v)
    throw new EntraError(
      'invalid_request',
      900144,
      `The request body must contain the following parameter: '${name}'.`,
    );
  return v;
}

interface Jwt {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  signed: string;
  signature: Buffer;
  signatureText: string;
}

function parseJwt(token: string): Jwt {
  const parts = token.split('.');
  const bad = (): EntraError =>
    new EntraError('invalid_client', 50027, 'JWT token is invalid or malformed.', 401);
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]+$/.test(p))) throw bad();
  try {
    const header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8')) as unknown;
    const claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as unknown;
    if (typeof header !== 'object' || header === null || typeof claims !== 'object' || claims === null)
      throw bad();
    return {
      header: header as Record<string, unknown>,
      claims: claims as Record<string, unknown>,
      signed: `${parts[0]}.${parts[1]}`,
      signature: Buffer.from(parts[2]!, 'base64url'),
      signatureText: parts[2]!,
    };
  } catch {
    throw bad();
  }
}

type EntraRouteKind = 'token' | 'openid' | 'instance' | 'adminconsent';

function html(status: number, title: string, body: string): HttpReply {
  return {
    status,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store, no-cache',
      'x-frame-options': 'DENY',
    },
    body: `<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>\n<body>\n<main>\n${body}\n</main>\n</body>\n</html>\n`,
  };
}

/** [decision] A refusal of the admin-consent endpoint is a page for the administrator (400), never a redirect. */
function consentErrorPage(e: EntraError): HttpReply {
  const page = html(
    400,
    'Sorry, but we’re having trouble signing you in.',
    `<h1>Sorry, but we’re having trouble signing you in.</h1>\n<p id="error">AADSTS${e.aadsts}: ${escapeHtml(e.message)}</p>`,
  );
  if (e.closeConnection) page.headers['connection'] = 'close';
  return page;
}

/** The Microsoft identity platform's endpoints the client-credentials flow and msal-node use, and admin consent. */
export class EntraHandler {
  constructor(
    private readonly directory: EntraDirectory,
    private readonly baseUrl: () => string,
    /** Scenarios with endpoint `entra`: `org` names the tenant id, `account` the client id. */
    private readonly scenarios?: ScenarioEngine,
  ) {}

  /**
   * `/{tenant}/oauth2/v2.0/token`, `/{tenant}/v2.0/.well-known/openid-configuration`, `/{tenant}/adminconsent`,
   * `/common/discovery/instance`.
   */
  static match(pathname: string): { kind: EntraRouteKind; tenant: string } | undefined {
    if (pathname.toLowerCase() === '/common/discovery/instance')
      return { kind: 'instance', tenant: 'common' };
    const m =
      /^\/([^/]+)\/(oauth2\/v2\.0\/token|v2\.0\/\.well-known\/openid-configuration|adminconsent)$/i.exec(
        pathname,
      );
    if (!m) return undefined;
    let tenant: string;
    try {
      tenant = decodeURIComponent(m[1]!);
    } catch {
      // Not valid percent-encoding: no tenant has that name (answered as an unknown tenant).
      tenant = m[1]!;
    }
    const path = m[2]!.toLowerCase();
    return {
      kind: path === 'adminconsent' ? 'adminconsent' : path.startsWith('oauth2') ? 'token' : 'openid',
      tenant,
    };
  }

  async handle(
    req: IncomingMessage,
    route: { kind: EntraRouteKind; tenant: string },
    url: URL,
  ): Promise<HttpReply> {
    const method = req.method ?? 'GET';
    if (route.kind === 'adminconsent') {
      try {
        return await this.adminConsent(req, route.tenant, url);
      } catch (e) {
        if (!req.readableEnded) req.resume();
        if (e instanceof EntraError) return consentErrorPage(e);
        throw e;
      }
    }
    try {
      if (route.kind === 'token') {
        if (method !== 'POST') {
          req.resume();
          throw new EntraError('invalid_request', 900561, 'The endpoint only accepts POST requests.');
        }
        return await this.token(req, route.tenant);
      }
      req.resume();
      if (method !== 'GET')
        throw new EntraError('invalid_request', 900561, 'The endpoint only accepts GET requests.');
      return route.kind === 'openid' ? this.openidConfiguration(route.tenant) : this.instanceDiscovery(url);
    } catch (e) {
      if (e instanceof EntraError) return entraErrorReply(e, this.baseUrl());
      throw e;
    }
  }

  #tenantOrFail(name: string): EntraTenant {
    const t = this.directory.tenant(name);
    if (!t)
      throw new EntraError(
        'invalid_request',
        90002,
        `Tenant '${name}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
      );
    return t;
  }

  /**
   * Admin consent (docs/protocol.md §13.2, §13.5): `GET /{tenant}/adminconsent?client_id&redirect_uri&state` shows
   * the page an administrator of the tenant accepts or cancels; the page posts back here. Accept records the
   * consent and redirects to `redirect_uri` with `admin_consent=True`, `tenant` (the id) and `state`; Cancel with
   * `error`, `error_description` (AADSTS65004), `admin_consent=True` and `state`. An unknown tenant or app, or a
   * missing or unusable redirect URI, is an error page.
   */
  async adminConsent(req: IncomingMessage, tenantName: string, url: URL): Promise<HttpReply> {
    const method = req.method ?? 'GET';
    let params: URLSearchParams;
    if (method === 'POST') params = await readForm(req);
    else if (method === 'GET') {
      req.resume();
      params = url.searchParams;
    } else {
      req.resume();
      throw new EntraError('invalid_request', 900561, 'The endpoint only accepts GET and POST requests.');
    }
    const tenant = this.#tenantOrFail(tenantName);
    const clientId = required(params, 'client_id');
    const app = this.directory.app(clientId);
    if (!app)
      throw new EntraError(
        'unauthorized_client',
        700016,
        `Application with identifier '${clientId}' was not found in the directory '${tenant.domain}'.`,
      );
    const redirectUri = required(params, 'redirect_uri');
    let redirect: URL;
    try {
      redirect = new URL(redirectUri);
    } catch {
      redirect = new URL('invalid:');
    }
    if (redirect.protocol !== 'https:' && redirect.protocol !== 'http:')
      // [decision] Any absolute http(s) URL is accepted: the emulator keeps no reply URLs on its apps.
      throw new EntraError(
        'invalid_request',
        50011,
        `The redirect URI '${redirectUri}' specified in the request does not match the redirect URIs configured for the application '${app.clientId}'.`,
      );
    const state = params.get('state');
    if (method === 'GET') return this.#consentPage(tenant, app, redirectUri, state);
    const choice = params.get('consent');
    if (choice === 'accept') {
      this.directory.grantConsent(tenant, app.clientId);
      redirect.searchParams.set('admin_consent', 'True');
      redirect.searchParams.set('tenant', tenant.id);
    } else if (choice === 'cancel') {
      // [decision] access_denied with AADSTS65004 (docs/protocol.md §13.5 on the three names the docs use).
      redirect.searchParams.set('error', 'access_denied');
      redirect.searchParams.set(
        'error_description',
        'AADSTS65004: The resource owner or authorization server denied the request.',
      );
      redirect.searchParams.set('admin_consent', 'True');
    } else
      throw new EntraError('invalid_request', 900144, "The form must carry 'consent': accept or cancel.");
    if (state !== null) redirect.searchParams.set('state', state);
    return { status: 302, headers: { location: redirect.toString(), 'cache-control': 'no-store' }, body: '' };
  }

  #consentPage(
    tenant: EntraTenant,
    app: { clientId: string; displayName: string },
    redirectUri: string,
    state: string | null,
  ): HttpReply {
    const hidden = (name: string, value: string): string =>
      `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`;
    return html(
      200,
      'Permissions requested',
      [
        '<h1>Permissions requested</h1>',
        `<p id="request">${escapeHtml(app.displayName)} wants permission to access Dynamics 365 in ${escapeHtml(tenant.domain)}</p>`,
        '<p>Accepting lets the app sign in as itself and use Dynamics 365 (Dataverse) in every environment of your organization where it is given a role.</p>',
        `<form method="post" action="/${escapeHtml(tenant.id)}/adminconsent">`,
        hidden('client_id', app.clientId),
        hidden('redirect_uri', redirectUri),
        ...(state !== null ? [hidden('state', state)] : []),
        '<button type="submit" name="consent" value="cancel">Cancel</button>',
        '<button type="submit" name="consent" value="accept">Accept</button>',
        '</form>',
      ].join('\n'),
    );
  }

  openidConfiguration(tenantName: string): HttpReply {
    const t = this.#tenantOrFail(tenantName);
    const base = this.baseUrl();
    return json(200, {
      token_endpoint: `${base}/${t.id}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      jwks_uri: `${base}/${t.id}/discovery/v2.0/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      issuer: `${base}/${t.id}/v2.0`,
      request_uri_parameter_supported: false,
      authorization_endpoint: `${base}/${t.id}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${base}/${t.id}/oauth2/v2.0/devicecode`,
      end_session_endpoint: `${base}/${t.id}/oauth2/v2.0/logout`,
      tenant_region_scope: 'NA',
    });
  }

  instanceDiscovery(url: URL): HttpReply {
    const host = new URL(this.baseUrl()).host;
    const endpoint = url.searchParams.get('authorization_endpoint');
    let tenant = 'common';
    if (endpoint) {
      const m = /^https:\/\/[^/]+\/([^/]+)\//.exec(endpoint);
      if (m) tenant = m[1]!;
    }
    return json(200, {
      tenant_discovery_endpoint: `${this.baseUrl()}/${tenant}/v2.0/.well-known/openid-configuration`,
      'api-version': '1.1',
      metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
    });
  }

  /** The client-credentials grant with a certificate assertion; each check answers as the service does. */
  async token(req: IncomingMessage, tenantName: string): Promise<HttpReply> {
    const form = await readForm(req);
    const now = Date.now();
    const nowSec = Math.floor(now / 1000);
    const tenant = this.#tenantOrFail(tenantName);
    const grant = required(form, 'grant_type');
    if (grant !== 'client_credentials')
      throw new EntraError(
        'unsupported_grant_type',
        70003,
        `The app requested an unsupported grant type '${grant}'.`,
      );
    const clientId = required(form, 'client_id');
    const app = this.directory.app(clientId);
    const scenarioCtx: ScenarioContext = { org: tenant.id, account: clientId };
    if (
      !app ||
      !this.directory.isConsented(tenant, clientId) ||
      this.scenarios?.take('NO_CONSENT', 'entra', scenarioCtx)
    )
      throw new EntraError(
        'unauthorized_client',
        700016,
        `Application with identifier '${clientId}' was not found in the directory '${tenant.domain}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.`,
      );
    const scope = required(form, 'scope');
    const scopes = scope.split(/\s+/).filter(Boolean);
    if (scopes.length !== 1 || !scopes[0]!.endsWith('/.default'))
      throw new EntraError(
        'invalid_scope',
        70011,
        `The provided value for the input parameter 'scope' is not valid. The scope ${scope} is not valid: client credential flows must have one scope value with /.default.`,
      );
    const resource = scopes[0]!.slice(0, -'/.default'.length).toLowerCase();
    if (!this.directory.environmentUrls(tenant, this.baseUrl()).includes(resource))
      throw new EntraError(
        'invalid_resource',
        500011,
        `The resource principal named ${resource} was not found in the tenant named ${tenant.domain}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.`,
      );
    if (form.get('client_assertion_type') !== JWT_BEARER || !form.get('client_assertion'))
      throw new EntraError(
        'invalid_client',
        7000218,
        "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
        401,
      );
    const jwt = parseJwt(form.get('client_assertion')!);
    this.#checkAssertion(jwt, { app, tenant, tenantName, clientId, nowSec, now, scenarioCtx });
    const expiry = this.scenarios?.take('TOKEN_EXPIRY', 'entra', scenarioCtx);
    const { accessToken, expiresIn } = this.directory.issueToken(
      { tenantId: tenant.id, clientId: app.clientId, resource },
      now,
      expiry ? Number(expiry.params['seconds']) : undefined,
    );
    return json(200, {
      token_type: 'Bearer',
      expires_in: expiresIn,
      ext_expires_in: expiresIn,
      access_token: accessToken,
    });
  }

  #checkAssertion(
    jwt: Jwt,
    c: {
      app: { clientId: string; certificatesPem: string[] };
      tenant: { id: string; domain: string };
      tenantName: string;
      clientId: string;
      nowSec: number;
      now: number;
      scenarioCtx: ScenarioContext;
    },
  ): void {
    const { header, claims } = jwt;
    const alg = header['alg'];
    if (alg !== 'PS256' && alg !== 'RS256')
      throw new EntraError(
        'invalid_client',
        50027,
        `JWT token is invalid or malformed: unsupported alg '${String(alg)}'.`,
        401,
      );
    // PS256 names the certificate by x5t#S256; RS256 (the older form) by x5t, or x5t#S256 if present.
    const byS256 = typeof header['x5t#S256'] === 'string' ? (header['x5t#S256'] as string) : undefined;
    const bySha1 = typeof header['x5t'] === 'string' ? (header['x5t'] as string) : undefined;
    const certPem = c.app.certificatesPem.find((pem) => {
      const t = jwtThumbprints(pem);
      return (
        (byS256 !== undefined && t.x5tS256 === byS256) ||
        (byS256 === undefined && bySha1 !== undefined && t.x5t === bySha1)
      );
    });
    if (!certPem || this.scenarios?.take('WRONG_CERTIFICATE', 'entra', c.scenarioCtx))
      throw new EntraError(
        'invalid_client',
        700027,
        `Client assertion failed signature validation. Trace: the key was not found on application '${c.clientId}' (thumbprint ${byS256 ?? bySha1 ?? 'none'}).`,
        401,
      );
    const cert = new X509Certificate(certPem);
    const ok = verify(
      'sha256',
      Buffer.from(jwt.signed),
      alg === 'PS256'
        ? {
            key: cert.publicKey,
            padding: constants.RSA_PKCS1_PSS_PADDING,
            saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
          }
        : { key: cert.publicKey, padding: constants.RSA_PKCS1_PADDING },
      jwt.signature,
    );
    if (!ok)
      throw new EntraError('invalid_client', 7000274, 'Client assertion contains an invalid signature.', 401);
    if (Date.parse(cert.validTo) < c.now || Date.parse(cert.validFrom) > c.now)
      throw new EntraError(
        'invalid_client',
        1000502,
        `The provided client certificate is expired or not yet valid (valid ${cert.validFrom} to ${cert.validTo}).`,
        401,
      );
    // aud: this tenant's token endpoint, by its id or its domain (msal-node takes it from openid-configuration).
    const base = this.baseUrl().toLowerCase();
    const audiences = [c.tenantName, c.tenant.id, c.tenant.domain].map(
      (t) => `${base}/${t.toLowerCase()}/oauth2/v2.0/token`,
    );
    const aud = typeof claims['aud'] === 'string' ? claims['aud'].toLowerCase() : '';
    if (!audiences.includes(aud))
      throw new EntraError(
        'invalid_client',
        700023,
        `Client assertion audience claim does not match the token endpoint (aud '${String(claims['aud'])}').`,
        401,
      );
    if (claims['iss'] !== c.clientId || claims['sub'] !== c.clientId)
      throw new EntraError(
        'invalid_client',
        700021,
        "Client assertion application identifier doesn't match 'client_id' parameter (iss and sub must both be the client id).",
        401,
      );
    const nbf = claims['nbf'];
    const exp = claims['exp'];
    if (typeof exp !== 'number' || (nbf !== undefined && typeof nbf !== 'number'))
      throw new EntraError(
        'invalid_client',
        50027,
        'JWT token is invalid or malformed: exp and nbf must be numbers.',
        401,
      );
    const from =
      typeof nbf === 'number'
        ? nbf
        : typeof claims['iat'] === 'number'
          ? claims['iat']
          : exp - MAX_ASSERTION_LIFETIME_SEC;
    if (exp <= c.nowSec - SKEW_SEC || from > c.nowSec + SKEW_SEC || exp - from > MAX_ASSERTION_LIFETIME_SEC)
      throw new EntraError(
        'invalid_client',
        700024,
        `Client assertion is not within its valid time range. Current time: ${new Date(c.now).toISOString()}, assertion valid from ${new Date(from * 1000).toISOString()}, expiry time of assertion ${new Date(exp * 1000).toISOString()}.`,
        401,
      );
    const jti = claims['jti'];
    if (typeof jti !== 'string' || jti === '')
      throw new EntraError(
        'invalid_client',
        50027,
        'JWT token is invalid or malformed: jti is required.',
        401,
      );
    if (!this.directory.rememberAssertion(c.clientId, jti, jwt.signatureText, (exp + SKEW_SEC) * 1000, c.now))
      throw new EntraError(
        'invalid_client',
        50027,
        `JWT token is invalid or malformed: the jti '${jti}' was already used by another assertion.`,
        401,
      );
  }
}
