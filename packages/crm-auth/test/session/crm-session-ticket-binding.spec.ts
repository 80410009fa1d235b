import { beforeAll, describe, expect, it } from 'vitest';
import type { CrmServiceApi } from '../../src/clients/crm-service-client';
import type { CrmTicket, DiscoveryApi } from '../../src/clients/discovery-client';
import type { CrmAuthenticationToken, OrganizationDetail } from '../../src/messages/types';
import { MemoryTicketStore, type StoredTicket, type TicketStore } from '../../src/session/ticket-store';
import {
  contoso,
  FakeClock,
  FakeCrmService,
  FakeDiscovery,
  FakeWlid,
  fault,
  harness,
  HOUR,
  serviceAccountBundle,
} from '../helpers/fake-services';

const fabrikam: OrganizationDetail = {
  crmMetadataServiceUrl: 'https://fabrikam.crm.example/MSCrmServices/2007/MetadataService.asmx',
  crmServiceUrl: 'https://fabrikam.crm.example/MSCrmServices/2007/CrmService.asmx',
  friendlyName: 'Fabrikam Inc',
  organizationId: '5f1d0c2e-0000-4000-8000-0000000fab01',
  organizationName: 'fabrikam',
  webApplicationUrl: 'https://fabrikam.crm.example/',
};

/** Discovery for two orgs: each RetrieveCrmTicket answers a ticket named after its org, with the org's detail. */
class TwoOrgDiscovery implements DiscoveryApi {
  issued = 0;
  constructor(private readonly clock: FakeClock) {}
  async retrievePolicy(): Promise<{ policy: string }> {
    return { policy: 'MBI_SSL' };
  }
  async retrieveOrganizations(): Promise<{ organizationDetails: OrganizationDetail[] }> {
    return { organizationDetails: [contoso, fabrikam] };
  }
  async retrieveCrmTicket(organizationName: string): Promise<CrmTicket> {
    this.issued += 1;
    const detail =
      organizationName === 'contoso' ? contoso : organizationName === 'fabrikam' ? fabrikam : undefined;
    if (!detail) throw fault('ERR_CRM_OBJECT_NOT_FOUND', '0x80040217');
    return {
      crmTicket: `${organizationName}-ticket-${this.issued}`,
      expirationDate: new Date(this.clock.now + 8 * HOUR),
      organizationDetail: detail,
    };
  }
  async retrieveCrmUserIdByExternalId(): Promise<{ crmUserId: string }> {
    throw fault('ERR_CRM_OBJECT_NOT_FOUND', '0x80040217');
  }
}

/** Every CrmService call, with the URL it was posted to. */
interface Posted {
  url: string;
  token: CrmAuthenticationToken;
}

/** A CrmService client factory over one fake, recording the URL of each call. */
function recordingFactory(crm: FakeCrmService, posted: Posted[]): (url: string) => CrmServiceApi {
  return (url) => ({
    whoAmI: (token) => {
      posted.push({ url, token });
      return crm.whoAmI(token);
    },
    retrieve: (token, args) => {
      posted.push({ url, token });
      return crm.retrieve(token, args);
    },
    retrieveMultiple: (token, query) => {
      posted.push({ url, token });
      return crm.retrieveMultiple(token, query);
    },
    create: (token) => {
      posted.push({ url, token });
      return crm.create(token);
    },
    update: (token) => {
      posted.push({ url, token });
      return crm.update(token);
    },
    delete: (token) => {
      posted.push({ url, token });
      return crm.delete(token);
    },
  });
}

/** A store shared by sessions, whose CRM-ticket entries a test can rewrite. */
class InspectableStore implements TicketStore {
  readonly inner = new MemoryTicketStore();
  readonly keys = new Set<string>();
  get(key: string): Promise<StoredTicket | undefined> {
    return this.inner.get(key);
  }
  set(key: string, value: StoredTicket): Promise<void> {
    this.keys.add(key);
    return this.inner.set(key, value);
  }
  delete(key: string): Promise<void> {
    return this.inner.delete(key);
  }
  crmKey(org: string): string {
    const key = [...this.keys].find((k) => k.startsWith('crm-ticket|') && k.split('|')[2] === org);
    if (!key) throw new Error(`no CRM ticket stored for ${org}`);
    return key;
  }
}

/** Two orgs behind one discovery, a recording CrmService, a shared ticket store, on one fake clock. */
function twoOrgWorld() {
  const clock = new FakeClock();
  const discovery = new TwoOrgDiscovery(clock);
  const crm = new FakeCrmService();
  const posted: Posted[] = [];
  const store = new InspectableStore();
  const clients = { wlid: new FakeWlid(clock), discovery, crmService: recordingFactory(crm, posted) };
  return { clock, discovery, crm, posted, store, clients };
}

const isFabrikamUrl = (url: string): boolean => new URL(url).host === new URL(fabrikam.crmServiceUrl).host;

describe('CrmSession: a CRM ticket goes only to the CrmService URL that came with it', () => {
  // The test PKI's keys are made on first use; not inside a test's time budget.
  beforeAll(() => void serviceAccountBundle(), 60_000);

  it("posts each ticket to RetrieveCrmTicket's CrmServiceUrl, not the one RetrieveOrganizations listed", async () => {
    const posted: Posted[] = [];
    const clock = new FakeClock();
    const discovery = new FakeDiscovery(clock);
    const moved = {
      ...contoso,
      crmServiceUrl: 'https://contoso-2.crm.example/MSCrmServices/2007/CrmService.asmx',
    };
    discovery.organizations = [contoso];
    discovery.issuedFor = moved;
    const clients = {
      wlid: new FakeWlid(clock),
      discovery,
      crmService: recordingFactory(new FakeCrmService(), posted),
    };
    const s = harness(
      { organizationName: undefined, friendlyName: 'Contoso Ltd', clients },
      { clock },
    ).session;
    await s.whoAmI();
    await s.create({ logicalName: 'account', attributes: { name: 'x' } });
    expect(posted.map((p) => p.url)).toEqual([moved.crmServiceUrl, moved.crmServiceUrl]);
  });

  it("a Contoso session never posts its ticket to Fabrikam's CrmService URL, even when its ticket store entry names that URL", async () => {
    const clock = new FakeClock();
    const wlid = new FakeWlid(clock);
    const discovery = new TwoOrgDiscovery(clock);
    const crm = new FakeCrmService();
    const posted: Posted[] = [];
    const store = new InspectableStore();
    const session = (organizationName: string) =>
      harness(
        {
          organizationName,
          ticketStore: store,
          clients: { wlid, discovery, crmService: recordingFactory(crm, posted) },
        },
        { clock },
      ).session;
    const contosoSession = session('contoso');
    const fabrikamSession = session('fabrikam');
    await Promise.all([contosoSession.whoAmI(), fabrikamSession.whoAmI()]);

    // Another process (or a bad row) leaves a Contoso entry that points at Fabrikam's URL.
    const key = store.crmKey('contoso');
    await store.set(key, {
      ticket: 'contoso-ticket-from-elsewhere',
      issuedAt: clock.now,
      expiresAt: clock.now + 8 * HOUR,
      organizationDetail: { ...contoso, crmServiceUrl: fabrikam.crmServiceUrl },
    });
    // Contoso's ticket expires: the refresh reads the store first.
    crm.expired.add('contoso-ticket-1');
    await contosoSession.whoAmI();
    await contosoSession.create({ logicalName: 'account', attributes: { name: 'Fourth Coffee' } });
    await fabrikamSession.whoAmI();

    const contosoCalls = posted.filter((p) => p.token.organizationName === 'contoso');
    expect(contosoCalls.length).toBe(4);
    expect(contosoCalls.filter((p) => isFabrikamUrl(p.url))).toEqual([]);
    expect(contosoCalls.every((p) => p.url === contoso.crmServiceUrl)).toBe(true);
    expect(contosoCalls.map((p) => p.token.crmTicket)).not.toContain('contoso-ticket-from-elsewhere');
    // Every ticket went to the URL of the org it was issued for, both ways.
    for (const p of posted) {
      expect(p.url).toBe(
        p.token.crmTicket.startsWith('contoso-') ? contoso.crmServiceUrl : fabrikam.crmServiceUrl,
      );
    }
  });

  it('does not use a ticket store entry for another org (its ticket, its URL), but gets its own ticket', async () => {
    const clock = new FakeClock();
    const wlid = new FakeWlid(clock);
    const discovery = new TwoOrgDiscovery(clock);
    const crm = new FakeCrmService();
    const posted: Posted[] = [];
    const store = new InspectableStore();
    const clients = { wlid, discovery, crmService: recordingFactory(crm, posted) };
    await harness({ organizationName: 'contoso', ticketStore: store, clients }, { clock }).session.whoAmI();
    const key = store.crmKey('contoso');
    await store.set(key, {
      ticket: 'fabrikam-ticket-under-contoso-key',
      issuedAt: clock.now,
      expiresAt: clock.now + 8 * HOUR,
      organizationDetail: fabrikam,
    });
    posted.length = 0;
    const fresh = harness({ organizationName: 'contoso', ticketStore: store, clients }, { clock }).session;
    await fresh.whoAmI();
    expect(posted).toHaveLength(1);
    expect(posted[0]).toMatchObject({ url: contoso.crmServiceUrl, token: { organizationName: 'contoso' } });
    expect(posted[0]?.token.crmTicket).toMatch(/^contoso-ticket-/);
  });

  it('does not use a stored entry whose CrmServiceUrl is not https', async () => {
    const { clock, posted, store, clients } = twoOrgWorld();
    await harness({ organizationName: 'contoso', ticketStore: store, clients }, { clock }).session.whoAmI();
    await store.set(store.crmKey('contoso'), {
      ticket: 'contoso-ticket-plain-http',
      issuedAt: clock.now,
      expiresAt: clock.now + 8 * HOUR,
      organizationDetail: {
        ...contoso,
        crmServiceUrl: 'http://contoso.crm.example/MSCrmServices/2007/CrmService.asmx',
      },
    });
    posted.length = 0;
    await harness({ organizationName: 'contoso', ticketStore: store, clients }, { clock }).session.whoAmI();
    expect(posted.map((p) => [p.url, p.token.crmTicket])).toEqual([
      [contoso.crmServiceUrl, 'contoso-ticket-2'],
    ]);
  });

  // What a faulty store or a rewritten row may hand back: each is left alone and a new ticket fetched.
  const unusable: Array<[string, Partial<Record<keyof OrganizationDetail, unknown>>]> = [
    ['no organizationName', { organizationName: undefined }],
    ['a CrmServiceUrl that is a URL object, not a string', { crmServiceUrl: new URL(contoso.crmServiceUrl) }],
    ['a CrmServiceUrl that is not an absolute URL', { crmServiceUrl: 'contoso.crm.example/CrmService.asmx' }],
  ];
  it.each(unusable)('does not use a stored entry whose org detail has %s', async (_label, change) => {
    const { clock, posted, store, clients } = twoOrgWorld();
    await harness({ organizationName: 'contoso', ticketStore: store, clients }, { clock }).session.whoAmI();
    await store.set(store.crmKey('contoso'), {
      ticket: 'contoso-ticket-odd-entry',
      issuedAt: clock.now,
      expiresAt: clock.now + 8 * HOUR,
      organizationDetail: { ...contoso, ...change } as OrganizationDetail,
    });
    posted.length = 0;
    await harness({ organizationName: 'contoso', ticketStore: store, clients }, { clock }).session.whoAmI();
    expect(posted.map((p) => [p.url, p.token.crmTicket])).toEqual([
      [contoso.crmServiceUrl, 'contoso-ticket-2'],
    ]);
  });

  it('still takes a stored entry bound to the same URL (one discovery call across processes)', async () => {
    const { clock, discovery, posted, store, clients } = twoOrgWorld();
    await harness({ organizationName: 'contoso', ticketStore: store, clients }, { clock }).session.whoAmI();
    await harness({ organizationName: 'contoso', ticketStore: store, clients }, { clock }).session.whoAmI();
    expect(discovery.issued).toBe(1);
    expect(posted.map((p) => p.token.crmTicket)).toEqual(['contoso-ticket-1', 'contoso-ticket-1']);
  });
});
