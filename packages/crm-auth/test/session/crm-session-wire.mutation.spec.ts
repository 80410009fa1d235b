/**
 * Mutation-testing additions (stryker/README.md): a CrmSession that makes its own clients (STS,
 * discovery, CrmService) over HTTPS to a loopback server, trusting only the given CA. It reports
 * one round-trip event per SOAP call, with the failing call's error code, and closes what it made.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CrmSession } from '../../src/session/crm-session';
import { HttpsTransport } from '../../src/transport/https-transport';
import { fixtureXml } from '../fixtures-helpers';
import { serviceAccountBundle } from '../helpers/fake-services';
import { startTestServer, type TestServer } from '../helpers/https-test-server';
import { issue, testKey } from '../helpers/test-pki';

/** The fixtures' tickets are valid at this instant (Passport until 24 Nov 14:00, CRM until 23 Nov 22:00). */
const AT = Date.parse('2026-11-23T15:00:00Z');

let server: TestServer;
let crmAnswer: { status: number; body: string };

beforeAll(async () => {
  server = await startTestServer((req, res, body) => {
    const reply = (status: number, xml: string, type = 'text/xml; charset=utf-8'): void => {
      res.writeHead(status, { 'content-type': type });
      res.end(xml);
    };
    if (req.url === '/sts')
      return reply(
        200,
        fixtureXml('wlid', 'request-security-token-response'),
        'application/soap+xml; charset=utf-8',
      );
    if (req.url === '/discovery') {
      if (body.includes('RetrievePolicyRequest'))
        return reply(200, fixtureXml('discovery', 'retrieve-policy-response'));
      return reply(
        200,
        fixtureXml('discovery', 'retrieve-crm-ticket-response').replace(
          /<CrmServiceUrl>[^<]*</,
          `<CrmServiceUrl>${server.url}/crm<`,
        ),
      );
    }
    return reply(crmAnswer.status, crmAnswer.body);
  });
}, 30_000);

afterAll(async () => {
  await server.close();
});

function session(events: Array<Record<string, unknown>>, ca: string[] = [server.caPem]): CrmSession {
  return new CrmSession({
    discoveryUrl: `${server.url}/discovery`,
    stsUrl: `${server.url}/sts`,
    organizationName: 'contoso',
    certificate: serviceAccountBundle(),
    ca,
    clock: () => AT,
    onEvent: (e) => events.push(e as unknown as Record<string, unknown>),
  });
}

describe('CrmSession with the clients it makes', { timeout: 30_000 }, () => {
  it('reports one round trip per SOAP call, in order, with its operation and latency', async () => {
    crmAnswer = { status: 200, body: fixtureXml('crm', 'whoami-response') };
    const events: Array<Record<string, unknown>> = [];
    const s = session(events);
    const before = server.requests.length;
    try {
      const who = await s.whoAmI();
      expect(who.userId).toMatch(/^[0-9a-f-]{36}$/);
      const trips = events.filter((e) => e.type === 'round-trip');
      expect(trips.map((e) => e.operation)).toEqual([
        'RetrievePolicy',
        'RequestSecurityToken',
        'RetrieveCrmTicket',
        'WhoAmI',
      ]);
      for (const trip of trips) {
        expect(trip.latencyMs).toEqual(expect.any(Number));
        expect(trip).not.toHaveProperty('errorCode');
        expect(trip.organizationName).toBe('contoso');
      }
      expect(server.requests.slice(before).map((r) => r.path)).toEqual([
        '/discovery',
        '/sts',
        '/discovery',
        '/crm',
      ]);
    } finally {
      await s.close();
    }
  });

  it("names the failing call's error code in its round-trip event", async () => {
    crmAnswer = { status: 503, body: 'Service Unavailable' };
    const events: Array<Record<string, unknown>> = [];
    const s = session(events);
    try {
      await expect(s.create({ logicalName: 'account', attributes: { name: 'x' } })).rejects.toMatchObject({
        code: 'ERR_HTTP_STATUS',
      });
      expect(events.filter((e) => e.type === 'round-trip').at(-1)).toMatchObject({
        operation: 'Create',
        errorCode: 'ERR_HTTP_STATUS',
      });
    } finally {
      await s.close();
    }
  });

  it('trusts only the CAs it is given, for the STS and for discovery', async () => {
    const otherRoot = issue({ commonName: 'Unrelated Root', key: testKey('other-root'), ca: true });
    const events: Array<Record<string, unknown>> = [];
    const s = session(events, [otherRoot.pem]);
    try {
      await expect(s.whoAmI()).rejects.toMatchObject({ code: 'ERR_TLS' });
      expect(events.filter((e) => e.type === 'round-trip').map((e) => [e.operation, e.errorCode])).toEqual([
        ['RetrievePolicy', 'ERR_TLS'],
      ]);
    } finally {
      await s.close();
    }
  });

  it('makes one transport for discovery and every CrmService besides the STS one, and closes both', async () => {
    crmAnswer = { status: 200, body: fixtureXml('crm', 'whoami-response') };
    const s = session([]);
    const closed = vi.spyOn(HttpsTransport.prototype, 'close');
    try {
      await s.whoAmI();
      await s.close();
      expect(closed).toHaveBeenCalledTimes(2);
    } finally {
      closed.mockRestore();
      await s.close();
    }
  });
});
