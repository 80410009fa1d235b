import { beforeAll, describe, expect, it } from 'vitest';
import { CertificateBundle } from '../../src/certificates/certificate-bundle';
import { buildClientAssertion, type ClientAssertionInput } from '../../src/dataverse/client-assertion';
import { entraCodeOf, entraError } from '../../src/dataverse/entra-errors';
import { standardHierarchy } from '../helpers/test-pki';

const TOKEN_URL = 'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token';
const CLIENT = '0c6b1e2a-3d4f-4a5b-9c8d-7e6f5a4b3c21';
const CTX = { httpStatus: 401, url: TOKEN_URL };

describe('entraCodeOf: which AADSTS number an error reply names', () => {
  it('takes error_codes[0] over a different code at the start of the description', () => {
    const body = { error_codes: [700027], error_description: 'AADSTS90002: Tenant not found.' };
    expect(entraCodeOf(body)).toBe(700027);
    expect(entraError(body, CTX)).toMatchObject({
      code: 'ERR_ENTRA_CERT_NOT_ON_APP',
      faultCode: 'AADSTS700027',
    });
  });

  it('reads a code only where the description starts with it, and only from a string description', () => {
    expect(entraCodeOf({ error_description: 'Refused, see AADSTS700016 in the docs.' })).toBeUndefined();
    expect(entraCodeOf({ error_description: ['AADSTS700016: not a string'] })).toBeUndefined();
    expect(entraCodeOf({ error_description: 'AADSTS700016: Application not found.' })).toBe(700016);
  });
});

describe('entraError: the message and fields of a refusal', () => {
  it('without a description: the message names the OAuth error, and there is no faultCode or faultDescription', () => {
    const e = entraError({ error: 'invalid_client' }, CTX);
    expect(e.code).toBe('ERR_ENTRA_FAULT');
    expect(e.message).toBe('The identity platform refused the token request: invalid_client');
    expect(e.faultCode).toBeUndefined();
    expect(e.faultDescription).toBeUndefined();
    expect(e).toMatchObject({ httpStatus: 401, operation: 'token', url: TOKEN_URL, notExecuted: true });
  });

  it('without a description or a string error: the message names the HTTP status', () => {
    expect(entraError({ error: 42 }, { httpStatus: 400, url: TOKEN_URL }).message).toBe(
      'The identity platform refused the token request: HTTP 400',
    );
    expect(entraError({}, { httpStatus: 403, url: TOKEN_URL }).message).toBe(
      'The identity platform refused the token request: HTTP 403',
    );
  });

  it('the message is the trimmed first line of a description with bare LF line ends; the whole is in faultDescription', () => {
    const description =
      'AADSTS7000215: Invalid client secret provided.  \nTrace ID: t-1\nCorrelation ID: c-1';
    const e = entraError({ error: 'invalid_client', error_description: description }, CTX);
    expect(e.message).toBe(
      'The identity platform refused the token request: AADSTS7000215: Invalid client secret provided.',
    );
    expect(e.faultDescription).toBe(description);
  });

  it('a blank first line falls back to the OAuth error', () => {
    const e = entraError({ error: 'invalid_request', error_description: '   \r\nTrace ID: t-2' }, CTX);
    expect(e.message).toBe('The identity platform refused the token request: invalid_request');
  });
});

describe('buildClientAssertion: input checks', () => {
  let base: ClientAssertionInput;
  beforeAll(() => {
    const { leaf } = standardHierarchy();
    const certificate = CertificateBundle.fromPem({
      certificatePem: leaf.pem,
      privateKeyPem: leaf.key.privateKeyPem,
    });
    base = { certificate, clientId: CLIENT, tokenUrl: TOKEN_URL };
  });

  it.each([null, 'input', 42])('refuses %o as input with ERR_INVALID_OPTIONS naming the input', (input) => {
    expect(() => buildClientAssertion(input as never)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTIONS', message: 'input must be an object' }),
    );
  });

  it('accepts the shortest lifetime, one second', () => {
    const jwt = buildClientAssertion({ ...base, lifetimeSec: 1 });
    const claims = JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as {
      nbf: number;
      exp: number;
    };
    expect(claims.exp - claims.nbf).toBe(1);
  });

  it('refuses an empty jti, naming jti', () => {
    expect(() => buildClientAssertion({ ...base, jti: '' })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTIONS', message: 'jti must be a non-empty string' }),
    );
  });
});
