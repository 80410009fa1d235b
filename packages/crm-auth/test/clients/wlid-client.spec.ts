import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WlidClient } from '../../src/clients/wlid-client';
import { decodeMessage } from '../../src/messages/decode';
import { fixtureXml, PASSPORT_TICKET } from '../fixtures-helpers';
import { serviceAccountBundle } from '../helpers/fake-services';
import { startTestServer, type TestServer } from '../helpers/https-test-server';

let sts: TestServer;

beforeAll(async () => {
  sts = await startTestServer(
    (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/soap+xml; charset=utf-8' });
      res.end(fixtureXml('wlid', 'request-security-token-response'));
    },
    { requestCert: true },
  );
});

afterAll(async () => {
  await sts.close();
});

describe('WlidClient', () => {
  it('posts the RST to the STS URL with wsa:To http://Passport.NET/tb (not the STS URL), as Live clients send it', async () => {
    const client = new WlidClient({
      stsUrl: `${sts.url}/RST2.srf`,
      certificate: serviceAccountBundle(),
      ca: [sts.caPem],
    });
    try {
      const ticket = await client.requestTicket({ policy: 'MBI_SSL' });
      expect(ticket.ticket).toBe(PASSPORT_TICKET);
    } finally {
      await client.close();
    }
    const sent = sts.requests.at(-1);
    expect(sent?.path).toBe('/RST2.srf');
    expect(sent?.body).toContain('<wsa:To s:mustUnderstand="1">http://Passport.NET/tb</wsa:To>');
    expect(sent?.body).not.toContain(sts.url);
    // The same RST the fixture shows: no credential in it, the certificate went in the TLS handshake.
    expect(decodeMessage(sent?.body ?? '').body).toEqual({
      requestType: 'http://schemas.xmlsoap.org/ws/2005/02/trust/Issue',
      appliesTo: 'crm.dynamics.com',
      policy: 'MBI_SSL',
    });
    expect(sent?.body).not.toMatch(/UsernameToken|BinarySecurityToken|Password/);
    expect(sent?.clientCn).toBeDefined();
  });
});
