import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CertificateBundle } from '../../src/certificates/certificate-bundle';
import {
  EntraTokenClient,
  tokenEndpoint,
  type EntraTokenClientOptions,
} from '../../src/dataverse/entra-token-client';
import { CrmAuthError } from '../../src/errors';
import { HttpsTransport } from '../../src/transport/https-transport';
import { startTestServer, type TestServer } from '../helpers/https-test-server';
import { standardHierarchy } from '../helpers/test-pki';

const TENANT = 'contoso.onmicrosoft.com';
const CLIENT = '0c6b1e2a-3d4f-4a5b-9c8d-7e6f5a4b3c21';
const SCOPE = 'https://contoso.crm.dynamics.com/.default';

/** What the loopback token endpoint answers next: status, headers and body. */
type Reply = { status: number; headers?: Record<string, string>; body?: string; reset?: boolean };
const json = (status: number, value: unknown, headers: Record<string, string> = {}): Reply => ({
  status,
  headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  body: JSON.stringify(value),
});
const TOKEN = { token_type: 'Bearer', expires_in: 3599, access_token: 'eyJ0eXAi.token.sig' };

let server: TestServer;
let reply: Reply;
let certificate: CertificateBundle;

function send(res: ServerResponse, r: Reply): void {
  if (r.reset) {
    res.socket?.destroy();
    return;
  }
  res.writeHead(r.status, r.headers ?? {}).end(r.body ?? '');
}

beforeAll(async () => {
  server = await startTestServer((_req, res) => send(res, reply));
  const { leaf } = standardHierarchy();
  certificate = CertificateBundle.fromPem({
    certificatePem: leaf.pem,
    privateKeyPem: leaf.key.privateKeyPem,
  });
});

afterAll(async () => {
  await server.close();
});

beforeEach(() => {
  reply = json(200, TOKEN);
});

function options(over: Partial<EntraTokenClientOptions> = {}): EntraTokenClientOptions {
  return {
    authorityUrl: server.url,
    tenant: TENANT,
    clientId: CLIENT,
    certificate,
    ca: [server.caPem],
    timeoutMs: 5_000,
    ...over,
  };
}

async function acquire(r: Reply, over: Partial<EntraTokenClientOptions> = {}): Promise<unknown> {
  reply = r;
  const c = new EntraTokenClient(options(over));
  try {
    return await c.acquireToken({ scope: SCOPE });
  } finally {
    await c.close();
  }
}

async function failure(r: Reply): Promise<CrmAuthError> {
  const e = await acquire(r).then(
    () => new Error('the token request succeeded'),
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(CrmAuthError);
  return e as CrmAuthError;
}

const tokenUrl = () => `${server.url}/${TENANT}/oauth2/v2.0/token`;

describe('EntraTokenClient request', () => {
  it('posts a form with JSON accepted to the tenant token endpoint', async () => {
    const before = server.requests.length;
    await acquire(json(200, TOKEN));
    const req = server.requests[before]!;
    expect(req.path).toBe(`/${TENANT}/oauth2/v2.0/token`);
    expect(req.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(req.headers['accept']).toBe('application/json');
    const form = new URLSearchParams(req.body);
    expect(form.get('grant_type')).toBe('client_credentials');
    expect(form.get('client_id')).toBe(CLIENT);
    expect(form.get('scope')).toBe(SCOPE);
  });

  it('an already aborted signal fails with ERR_ABORTED and sends nothing', async () => {
    const before = server.requests.length;
    const c = new EntraTokenClient(options());
    const err = await c.acquireToken({ scope: SCOPE, signal: AbortSignal.abort() }).catch((e: unknown) => e);
    await c.close();
    expect(err).toMatchObject({ code: 'ERR_ABORTED' });
    expect(server.requests.length).toBe(before);
  });

  it('a connection reset names the token operation', async () => {
    const e = await failure({ status: 0, reset: true });
    expect(e.operation).toBe('token');
  });

  it('refuses a missing or empty scope with ERR_INVALID_OPTIONS naming scope', async () => {
    const c = new EntraTokenClient(options());
    await expect(c.acquireToken(undefined as never)).rejects.toMatchObject({
      code: 'ERR_INVALID_OPTIONS',
      message: 'scope must be a non-empty string',
    });
    await expect(c.acquireToken({ scope: '' })).rejects.toMatchObject({
      code: 'ERR_INVALID_OPTIONS',
      message: 'scope must be a non-empty string',
    });
    await c.close();
  });
});

describe('EntraTokenClient error replies', () => {
  it('a 4xx JSON reply with an error is a refusal with the HTTP status and URL', async () => {
    const e = await failure(
      json(401, {
        error: 'invalid_client',
        error_description: 'AADSTS700027: Key not found.',
        error_codes: [700027],
      }),
    );
    expect(e).toMatchObject({
      code: 'ERR_ENTRA_CERT_NOT_ON_APP',
      faultCode: 'AADSTS700027',
      httpStatus: 401,
      url: tokenUrl(),
      notExecuted: true,
    });
  });

  it.each([429, 500, 503])(
    'HTTP %i with an AADSTS error body is ERR_HTTP_STATUS, not a refusal, with the code and Retry-After',
    async (status) => {
      const e = await failure(
        json(
          status,
          {
            error: 'temporarily_unavailable',
            error_description: 'AADSTS50196: Loop detected.',
            error_codes: [50196],
          },
          { 'retry-after': '7' },
        ),
      );
      expect(e.code).toBe('ERR_HTTP_STATUS');
      expect(e.message).toBe(`The token endpoint answered HTTP ${status}`);
      expect(e).toMatchObject({
        faultCode: 'AADSTS50196',
        httpStatus: status,
        operation: 'token',
        url: tokenUrl(),
        retryAfterMs: 7_000,
      });
      expect(e.notExecuted).toBeUndefined();
    },
  );

  it.each([
    ['a JSON object without error', json(400, { message: 'Bad Request' })],
    ['JSON null', { status: 400, headers: { 'content-type': 'application/json' }, body: 'null' }],
    ['a JSON string', json(400, 'Bad Request')],
    [
      'an HTML page',
      { status: 400, headers: { 'content-type': 'text/html' }, body: '<html>Bad Request</html>' },
    ],
    [
      'an AADSTS error sent as text/plain',
      {
        status: 400,
        headers: { 'content-type': 'text/plain' },
        body: JSON.stringify({ error: 'invalid_client', error_codes: [700016] }),
      },
    ],
    ['JSON null from a 503', { status: 503, headers: { 'content-type': 'application/json' }, body: 'null' }],
  ])('HTTP 4xx/5xx with %s is ERR_HTTP_STATUS without faultCode or Retry-After', async (_what, r) => {
    const e = await failure(r as Reply);
    expect(e.code).toBe('ERR_HTTP_STATUS');
    expect(e.httpStatus).toBe((r as Reply).status);
    expect(e.faultCode).toBeUndefined();
    expect(e.retryAfterMs).toBeUndefined();
  });
});

describe('EntraTokenClient success replies', () => {
  it('reads expires_in sent as a string of seconds', async () => {
    const before = Date.now();
    const t = (await acquire(json(200, { ...TOKEN, expires_in: '3599' }))) as {
      expiresAt: Date;
      issuedAt: Date;
    };
    expect(t.expiresAt.getTime() - t.issuedAt.getTime()).toBe(3_599_000);
    expect(t.issuedAt.getTime()).toBeGreaterThanOrEqual(before - 1);
  });

  it.each([
    ['no access_token', { token_type: 'Bearer', expires_in: 3599 }],
    ['a numeric access_token', { ...TOKEN, access_token: 42 }],
    ['an empty access_token', { ...TOKEN, access_token: '' }],
    ['no token_type', { expires_in: 3599, access_token: 'a.b.c' }],
    ['no expires_in', { token_type: 'Bearer', access_token: 'a.b.c' }],
    ['expires_in true', { ...TOKEN, expires_in: true }],
    ['expires_in [60]', { ...TOKEN, expires_in: [60] }],
    ['expires_in "soon"', { ...TOKEN, expires_in: 'soon' }],
    ['expires_in "Infinity"', { ...TOKEN, expires_in: 'Infinity' }],
    ['expires_in 0', { ...TOKEN, expires_in: 0 }],
    ['expires_in -60', { ...TOKEN, expires_in: -60 }],
  ])('a 200 with %s is ERR_UNEXPECTED_MESSAGE', async (_what, body) => {
    const e = await failure(json(200, body));
    expect(e).toMatchObject({
      code: 'ERR_UNEXPECTED_MESSAGE',
      message: 'The token endpoint answered 200 without access_token, token_type and a positive expires_in',
      operation: 'token',
      url: tokenUrl(),
    });
  });

  it('a 200 token sent as text/plain is not read as JSON', async () => {
    const e = await failure({
      status: 200,
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify(TOKEN),
    });
    expect(e.code).toBe('ERR_UNEXPECTED_MESSAGE');
  });
});

describe('EntraTokenClient options and close', () => {
  it('strips every trailing slash of the authority', () => {
    expect(tokenEndpoint('https://login.example//', TENANT)).toBe(
      `https://login.example/${TENANT}/oauth2/v2.0/token`,
    );
  });

  it.each([
    [null, 'EntraTokenClient options must be an object'],
    [{ tenant: '' }, 'tenant must be a non-empty string'],
    [{ clientId: '' }, 'clientId must be a non-empty string'],
    [{ algorithm: 'HS256' }, "algorithm must be 'PS256' or 'RS256', not HS256"],
  ])('refuses %o in the constructor, naming the option', (over, message) => {
    const o = over === null ? null : options(over as Partial<EntraTokenClientOptions>);
    expect(() => new EntraTokenClient(o as never)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTIONS', message }),
    );
  });

  it('close() closes the transport the client made: a later call fails', async () => {
    const c = new EntraTokenClient(options());
    await c.close();
    await expect(c.acquireToken({ scope: SCOPE })).rejects.toMatchObject({
      code: 'ERR_INVALID_OPTIONS',
      message: 'the transport is closed',
    });
  });

  it('close() leaves a transport it was given open', async () => {
    const transport = new HttpsTransport({ ca: [server.caPem] });
    try {
      const c = new EntraTokenClient(options({ transport }));
      await c.close();
      reply = json(200, TOKEN);
      await expect(
        new EntraTokenClient(options({ transport })).acquireToken({ scope: SCOPE }),
      ).resolves.toMatchObject({ accessToken: TOKEN.access_token, tokenType: 'Bearer' });
    } finally {
      await transport.close();
    }
  });
});
