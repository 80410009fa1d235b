import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { EntraDirectory } from './entra-directory';
import { EntraError, EntraHandler, entraErrorReply } from './entra.handler';

/**
 * The identity platform's error reply, route matching and request handling called directly (docs/protocol.md
 * §13.1, §13.5): what the HTTP tests cannot reach, such as a request stream that breaks or a request whose
 * method is unset.
 */
describe('the identity platform handler, called directly', () => {
  const tenantId = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
  const tenantDomain = 'fabrikam.onmicrosoft.com';
  const clientId = '9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a';
  const base = 'https://emu.example';
  const handler = () =>
    new EntraHandler(
      new EntraDirectory(() => ({
        tenants: [{ id: tenantId, domain: tenantDomain, environments: [], consentedApps: [clientId] }],
        apps: [{ clientId, displayName: 'Fabrikam sync', certificatesPem: [] }],
      })),
      () => base,
    );
  /** A request as the HTTP server hands it over: a readable body, its method (possibly unset) and headers. */
  const req = (method: string | undefined, body: Readable = Readable.from([])): IncomingMessage =>
    Object.assign(body, {
      method,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    }) as unknown as IncomingMessage;
  /** A body whose stream fails while it is read, as when the client goes away mid-request. */
  const breaking = () =>
    new Readable({
      read() {
        this.destroy(new Error('the request stream broke'));
      },
    });

  describe('entraErrorReply', () => {
    it('keeps the connection open for a refusal whose request was read to its end (no Connection: close)', () => {
      const reply = entraErrorReply(new EntraError('invalid_request', 90002, 'Tenant not found.'), base);
      expect(reply.status).toBe(400);
      expect(reply.headers['connection']).toBeUndefined();
    });

    it('answers Connection: close for a refusal whose body was not read to its end', () => {
      const reply = entraErrorReply(
        new EntraError('invalid_request', 90033, 'The request body is too large.', 400, true),
        base,
      );
      expect(reply.headers['connection']).toBe('close');
      expect(JSON.parse(reply.body as string)).toMatchObject({ error_codes: [90033] });
    });
  });

  describe('EntraHandler.match', () => {
    it('routes /common/discovery/instance, in any case, to instance discovery for the tenant common', () => {
      expect(EntraHandler.match('/common/discovery/instance')).toEqual({
        kind: 'instance',
        tenant: 'common',
      });
      expect(EntraHandler.match('/Common/Discovery/Instance')).toEqual({
        kind: 'instance',
        tenant: 'common',
      });
    });

    it('names the tenant of a token, openid-configuration or adminconsent path, percent-decoded', () => {
      expect(EntraHandler.match(`/${tenantId}/oauth2/v2.0/token`)).toEqual({
        kind: 'token',
        tenant: tenantId,
      });
      expect(EntraHandler.match('/fabrikam%2Eonmicrosoft.com/v2.0/.well-known/openid-configuration')).toEqual(
        {
          kind: 'openid',
          tenant: tenantDomain,
        },
      );
      expect(EntraHandler.match(`/${tenantDomain}/adminconsent`)).toEqual({
        kind: 'adminconsent',
        tenant: tenantDomain,
      });
    });

    it('keeps a tenant whose percent-encoding is broken as it stands (an unknown tenant, not a failure)', () => {
      expect(EntraHandler.match('/%E0%A4%A/oauth2/v2.0/token')).toEqual({
        kind: 'token',
        tenant: '%E0%A4%A',
      });
    });

    it('matches the whole path only: nothing before the tenant, nothing after the endpoint', () => {
      expect(EntraHandler.match(`/extra/${tenantId}/oauth2/v2.0/token`)).toBeUndefined();
      expect(EntraHandler.match(`/extra/${tenantId}/v2.0/.well-known/openid-configuration`)).toBeUndefined();
      expect(EntraHandler.match(`/${tenantId}/oauth2/v2.0/token/extra`)).toBeUndefined();
      expect(EntraHandler.match(`/${tenantId}/adminconsent/extra`)).toBeUndefined();
    });
  });

  describe('EntraHandler.handle', () => {
    it('treats a request whose method is unset as a GET: it serves openid-configuration', async () => {
      const h = handler();
      const r = await h.handle(
        req(undefined),
        { kind: 'openid', tenant: tenantId },
        new URL(`${base}/${tenantId}/v2.0/.well-known/openid-configuration`),
      );
      expect(r.status).toBe(200);
      expect(JSON.parse(r.body as string)).toMatchObject({
        token_endpoint: `${base}/${tenantId}/oauth2/v2.0/token`,
      });
    });

    it('lets a token request whose stream breaks fail (the router answers 500), not dressed as an AADSTS refusal', async () => {
      await expect(
        handler().handle(
          req('POST', breaking()),
          { kind: 'token', tenant: tenantId },
          new URL(`${base}/${tenantId}/oauth2/v2.0/token`),
        ),
      ).rejects.toThrow('the request stream broke');
    });

    it('lets an admin-consent post whose stream breaks fail (the router answers 500), not dressed as an error page', async () => {
      await expect(
        handler().handle(
          req('POST', breaking()),
          { kind: 'adminconsent', tenant: tenantId },
          new URL(`${base}/${tenantId}/adminconsent`),
        ),
      ).rejects.toThrow('the request stream broke');
    });
  });
});
