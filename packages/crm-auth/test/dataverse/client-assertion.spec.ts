import { constants, createHash, verify } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { CertificateBundle } from '../../src/certificates/certificate-bundle';
import { buildClientAssertion } from '../../src/dataverse/client-assertion';
import { entraCodeOf, entraError, ENTRA_ERROR_CODES } from '../../src/dataverse/entra-errors';
import { EntraTokenClient, tokenEndpoint } from '../../src/dataverse/entra-token-client';
import { isCrmAuthError } from '../../src/errors';
import { standardHierarchy } from '../helpers/test-pki';

const TOKEN_URL = 'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token';
const CLIENT = '0c6b1e2a-3d4f-4a5b-9c8d-7e6f5a4b3c21';

const part = (jwt: string, i: number) =>
  JSON.parse(Buffer.from(jwt.split('.')[i]!, 'base64url').toString('utf8')) as Record<string, unknown>;

describe('buildClientAssertion: the JWT of the client-credentials grant with a certificate', () => {
  let bundle: CertificateBundle;
  let der: Buffer;
  beforeAll(() => {
    const { leaf } = standardHierarchy();
    bundle = CertificateBundle.fromPem({ certificatePem: leaf.pem, privateKeyPem: leaf.key.privateKeyPem });
    der = leaf.x509.raw;
  });

  it('signs PS256 by default, names the certificate by x5t#S256, and verifies with the certificate key (RSA-PSS, 32-byte salt)', () => {
    const jwt = buildClientAssertion({ certificate: bundle, clientId: CLIENT, tokenUrl: TOKEN_URL });
    expect(part(jwt, 0)).toEqual({
      alg: 'PS256',
      typ: 'JWT',
      'x5t#S256': createHash('sha256').update(der).digest('base64url'),
    });
    const [h, c, s] = jwt.split('.');
    const ok = verify(
      'sha256',
      Buffer.from(`${h}.${c}`),
      { key: bundle.certificate.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
      Buffer.from(s!, 'base64url'),
    );
    expect(ok).toBe(true);
  });

  it('signs RS256 (PKCS#1 v1.5) with the SHA-1 x5t when asked for the older form', () => {
    const jwt = buildClientAssertion({
      certificate: bundle,
      clientId: CLIENT,
      tokenUrl: TOKEN_URL,
      algorithm: 'RS256',
    });
    expect(part(jwt, 0)).toEqual({
      alg: 'RS256',
      typ: 'JWT',
      x5t: createHash('sha1').update(der).digest('base64url'),
    });
    const [h, c, s] = jwt.split('.');
    expect(
      verify(
        'sha256',
        Buffer.from(`${h}.${c}`),
        { key: bundle.certificate.publicKey, padding: constants.RSA_PKCS1_PADDING },
        Buffer.from(s!, 'base64url'),
      ),
    ).toBe(true);
  });

  it('claims aud = the token URL, iss = sub = the client id, a GUID jti, nbf = iat = now, exp = now + 600 s', () => {
    const now = new Date('2026-12-03T12:00:00.900Z');
    const claims = part(
      buildClientAssertion({ certificate: bundle, clientId: CLIENT, tokenUrl: TOKEN_URL, now }),
      1,
    );
    const t = Date.parse('2026-12-03T12:00:00Z') / 1000;
    expect(claims).toEqual({
      aud: TOKEN_URL,
      iss: CLIENT,
      sub: CLIENT,
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
      nbf: t,
      iat: t,
      exp: t + 600,
    });
  });

  it('uses a new jti for each assertion, and the one given', () => {
    const a = part(buildClientAssertion({ certificate: bundle, clientId: CLIENT, tokenUrl: TOKEN_URL }), 1);
    const b = part(buildClientAssertion({ certificate: bundle, clientId: CLIENT, tokenUrl: TOKEN_URL }), 1);
    expect(a['jti']).not.toBe(b['jti']);
    expect(
      part(
        buildClientAssertion({ certificate: bundle, clientId: CLIENT, tokenUrl: TOKEN_URL, jti: 'j-1' }),
        1,
      )['jti'],
    ).toBe('j-1');
  });

  it.each([
    [{ lifetimeSec: 601 }, /lifetimeSec must be a whole number of seconds from 1 to 600/],
    [{ lifetimeSec: 0 }, /lifetimeSec/],
    [{ algorithm: 'HS256' }, /algorithm must be 'PS256' or 'RS256', not HS256/],
    [{ tokenUrl: 'http://login.example/token' }, /tokenUrl/],
    [{ clientId: '' }, /clientId/],
    [{ certificate: {} }, /certificate must be a CertificateBundle/],
    [{ now: new Date(NaN) }, /now must be a valid Date/],
  ])('refuses %o with ERR_INVALID_OPTIONS', (over, message) => {
    expect(() =>
      buildClientAssertion({
        certificate: bundle,
        clientId: CLIENT,
        tokenUrl: TOKEN_URL,
        ...(over as object),
      }),
    ).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTIONS', message: expect.stringMatching(message) }),
    );
  });

  it('honours a shorter lifetime', () => {
    const c = part(
      buildClientAssertion({ certificate: bundle, clientId: CLIENT, tokenUrl: TOKEN_URL, lifetimeSec: 60 }),
      1,
    );
    expect(Number(c['exp']) - Number(c['nbf'])).toBe(60);
  });
});

describe('identity-platform error replies become typed errors', () => {
  it.each(Object.entries(ENTRA_ERROR_CODES))('AADSTS%s becomes %s, with the code in faultCode', (n, code) => {
    const e = entraError(
      {
        error: 'invalid_client',
        error_description: `AADSTS${n}: something.\r\nTrace ID: t\r\nCorrelation ID: c`,
        error_codes: [Number(n)],
      },
      { httpStatus: 401, url: TOKEN_URL },
    );
    expect(isCrmAuthError(e, code)).toBe(true);
    expect(e).toMatchObject({
      faultCode: `AADSTS${n}`,
      httpStatus: 401,
      operation: 'token',
      notExecuted: true,
    });
    expect(e.message).toBe(`The identity platform refused the token request: AADSTS${n}: something.`);
    expect(e.faultDescription).toContain('Trace ID: t');
  });

  it('an unknown AADSTS code is ERR_ENTRA_FAULT; the code is read from the description when error_codes is absent', () => {
    const body = {
      error: 'invalid_request',
      error_description: 'AADSTS900144: The request body must contain scope.',
    };
    expect(entraCodeOf(body)).toBe(900144);
    expect(entraError(body, { httpStatus: 400, url: TOKEN_URL })).toMatchObject({
      code: 'ERR_ENTRA_FAULT',
      faultCode: 'AADSTS900144',
    });
    expect(entraCodeOf({ error: 'x' })).toBeUndefined();
  });
});

describe('EntraTokenClient options', () => {
  it("builds the tenant's v2.0 token endpoint", () => {
    expect(tokenEndpoint('https://login.microsoftonline.com/', 'contoso.onmicrosoft.com')).toBe(TOKEN_URL);
  });

  it('refuses a tenant that is a path, a plain-http authority and a missing certificate', () => {
    const { leaf } = standardHierarchy();
    const certificate = CertificateBundle.fromPem({
      certificatePem: leaf.pem,
      privateKeyPem: leaf.key.privateKeyPem,
    });
    const base = {
      authorityUrl: 'https://login.microsoftonline.com',
      tenant: 'contoso.onmicrosoft.com',
      clientId: CLIENT,
      certificate,
    };
    expect(() => new EntraTokenClient({ ...base, tenant: 'a/b' })).toThrow(
      /tenant must be a tenant id or domain name/,
    );
    expect(() => new EntraTokenClient({ ...base, authorityUrl: 'http://login.example' })).toThrow(
      /authorityUrl/,
    );
    expect(() => new EntraTokenClient({ ...base, certificate: undefined as never })).toThrow(
      /certificate must be a CertificateBundle/,
    );
  });
});
