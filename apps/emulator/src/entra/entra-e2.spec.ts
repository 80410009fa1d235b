import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { EntraDirectory } from './entra-directory';
import { EntraError, EntraHandler } from './entra.handler';

/**
 * `EntraHandler.adminConsent` called directly (docs/protocol.md §13.5): the refusals it throws carry the OAuth
 * error name the identity platform pairs with each AADSTS code, which the HTTP error page does not show.
 */
describe('EntraHandler.adminConsent, called directly', () => {
  const tenantId = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
  const clientId = '9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a';
  const redirectUri = 'https://isv.example/consent';
  const handler = () =>
    new EntraHandler(
      new EntraDirectory(() => ({
        tenants: [{ id: tenantId, domain: 'fabrikam.onmicrosoft.com', environments: [], consentedApps: [] }],
        apps: [{ clientId, displayName: 'Fabrikam sync', certificatesPem: [] }],
      })),
      () => 'https://emu.example',
    );
  /** A request as the HTTP server hands it over: a readable body, its method (possibly unset) and headers. */
  const req = (method: string | undefined, form?: Record<string, string>): IncomingMessage =>
    Object.assign(Readable.from(form ? [Buffer.from(new URLSearchParams(form).toString())] : []), {
      method,
      headers: form ? { 'content-type': 'application/x-www-form-urlencoded' } : {},
    }) as unknown as IncomingMessage;
  const url = (query: Record<string, string>) =>
    new URL(`https://emu.example/${tenantId}/adminconsent?${new URLSearchParams(query).toString()}`);
  const refusal = async (p: Promise<unknown>) => {
    const e = await p.then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(EntraError);
    const { error, aadsts } = e as EntraError;
    return { error, aadsts };
  };

  it('treats a request whose method is unset as a GET: it shows the consent page', async () => {
    const r = await handler().adminConsent(
      req(undefined),
      tenantId,
      url({ client_id: clientId, redirect_uri: redirectUri }),
    );
    expect(r.status).toBe(200);
    expect(r.body).toContain(
      'Fabrikam sync wants permission to access Dynamics 365 in fabrikam.onmicrosoft.com',
    );
  });

  it('refuses a method other than GET and POST with invalid_request, AADSTS900561', async () => {
    expect(
      await refusal(
        handler().adminConsent(req('PUT'), tenantId, url({ client_id: clientId, redirect_uri: redirectUri })),
      ),
    ).toEqual({ error: 'invalid_request', aadsts: 900561 });
  });

  it('refuses an app unknown to the directory with unauthorized_client, AADSTS700016', async () => {
    expect(
      await refusal(
        handler().adminConsent(
          req('GET'),
          tenantId,
          url({ client_id: '11111111-2222-4333-8444-555555555555', redirect_uri: redirectUri }),
        ),
      ),
    ).toEqual({ error: 'unauthorized_client', aadsts: 700016 });
  });

  it('refuses a redirect_uri that is no http(s) URL with invalid_request, AADSTS50011', async () => {
    expect(
      await refusal(
        handler().adminConsent(
          req('GET'),
          tenantId,
          url({ client_id: clientId, redirect_uri: 'ftp://isv.example/x' }),
        ),
      ),
    ).toEqual({ error: 'invalid_request', aadsts: 50011 });
  });

  it('refuses a posted form without accept or cancel with invalid_request, AADSTS900144', async () => {
    expect(
      await refusal(
        handler().adminConsent(
          req('POST', { client_id: clientId, redirect_uri: redirectUri, consent: 'later' }),
          tenantId,
          url({}),
        ),
      ),
    ).toEqual({ error: 'invalid_request', aadsts: 900144 });
  });
});
