import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EmulatorContext } from '../http/emulator.context';
import { ScenarioEngine } from '../scenarios/scenario.engine';
import { CRM_ERRORS, CrmFault } from '../soap/crm-error-codes.constants';
import { CT_NS, WS_NS } from '../soap/namespaces.constants';
import { DEMO_IDS, demoSeed, SERVICE_ACCOUNT } from '../state/demo-seed';
import type { Right } from '../state/emulator-state.model';
import { StateStore } from '../state/state.store';
import { TicketCodec, type CrmTicketClaims } from '../tickets/ticket.codec';
import { readXml } from '../xml/xml-reader';
import {
  privilegeName,
  readAuthToken,
  requireRight,
  resolveCaller,
  type AuthTokenFields,
  type CrmCaller,
} from './crm-caller.resolver';

/**
 * The CrmAuthenticationToken and impersonation rules (docs/protocol.md §5.1, §6.3, §10.1) on the
 * demo seed, with the emulator's own store, ticket codec and scenario engine: Contoso's service
 * account holds the proxy role, Fabrikam's does not; Jon is an ordinary user, Rita read-only, Dana
 * disabled, Noah may not create accounts, Frank belongs to Fabrikam.
 */

const seed = () =>
  demoSeed({ thumbprint: 'AA'.repeat(20), serialHex: '01', notAfter: '2099-01-01T00:00:00Z' });
const HOUR = 3_600_000;

interface World {
  ctx: EmulatorContext;
  store: StateStore;
  scenarios: ScenarioEngine;
  earlyExpired: Set<string>;
  /** A CRM ticket (and its claims) of the service account, valid for an hour from now unless told. */
  ticket(overrides?: Partial<CrmTicketClaims>): { ticket: string; claims: CrmTicketClaims };
  /** A token as readAuthToken gives it, for Contoso, without impersonation unless told. */
  token(overrides?: Partial<AuthTokenFields>): AuthTokenFields;
}

async function world(): Promise<World> {
  const { store } = await StateStore.open(undefined, seed);
  const tickets = new TicketCodec(randomBytes(32));
  const scenarios = new ScenarioEngine(store);
  const earlyExpired = new Set<string>();
  // resolveCaller and requireRight use these four members of the context; the rest is HTTP plumbing.
  const used: Pick<EmulatorContext, 'store' | 'tickets' | 'scenarios' | 'earlyExpired'> = {
    store,
    tickets,
    scenarios,
    earlyExpired,
  };
  const ctx = used as EmulatorContext;
  let n = 0;
  const ticket = (overrides: Partial<CrmTicketClaims> = {}) => {
    const now = Date.now();
    const claims: CrmTicketClaims = {
      org: 'contoso',
      orgId: DEMO_IDS.contosoOrg,
      liveId: SERVICE_ACCOUNT.liveId,
      iat: now,
      exp: now + HOUR,
      jti: `jti-${++n}`,
      ...overrides,
    };
    return { ticket: tickets.issueCrm(claims), claims };
  };
  const token = (overrides: Partial<AuthTokenFields> = {}): AuthTokenFields => ({
    authenticationType: '1',
    crmTicket: ticket().ticket,
    organizationName: 'contoso',
    callerId: undefined,
    callerIdRaw: undefined,
    ...overrides,
  });
  return { ctx, store, scenarios, earlyExpired, ticket, token };
}

/** The CrmFault `fn` throws; fails the test when it throws nothing or something else. */
function faultOf(fn: () => unknown): CrmFault {
  try {
    fn();
  } catch (error) {
    if (error instanceof CrmFault) return error;
    throw error;
  }
  throw new Error('expected a CrmFault, got none');
}

function impersonating(w: World, userId: string): AuthTokenFields {
  return w.token({ callerId: userId, callerIdRaw: userId });
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('readAuthToken', () => {
  const header = (tokenXml: string): ReturnType<typeof readXml>['root'] =>
    readXml(`<Header xmlns:ws="${WS_NS}" xmlns:ct="${CT_NS}">${tokenXml}</Header>`, { maxDepth: 10 }).root;

  it('reads the four fields in 2007/CoreTypes, in any order, trimming the whitespace around each, CDATA included', () => {
    // xs:int and xs:guid allow whitespace around the value (XmlConvert trims it); CDATA keeps it until then.
    const t = readAuthToken(
      header(
        `<ws:CrmAuthenticationToken><ct:CallerId><![CDATA[
          {C1F3A7D2-4E5B-4A69-9C8D-0B1E2F3A4B5C} ]]>
        </ct:CallerId><ct:OrganizationName> contoso </ct:OrganizationName><ct:CrmTicket> abc= </ct:CrmTicket><ct:AuthenticationType><![CDATA[ 1 ]]></ct:AuthenticationType></ws:CrmAuthenticationToken>`,
      ),
    );
    expect(t).toEqual({
      authenticationType: '1',
      crmTicket: 'abc=',
      organizationName: 'contoso',
      callerId: DEMO_IDS.jonWilson,
      callerIdRaw: '{C1F3A7D2-4E5B-4A69-9C8D-0B1E2F3A4B5C}',
    });
  });

  it('gives undefined for each field left out, and no token at all without a header or a token element', () => {
    const none = {
      authenticationType: undefined,
      crmTicket: undefined,
      organizationName: undefined,
      callerId: undefined,
      callerIdRaw: undefined,
    };
    expect(
      readAuthToken(
        header('<ws:CrmAuthenticationToken><ct:CrmTicket>abc</ct:CrmTicket></ws:CrmAuthenticationToken>'),
      ),
    ).toEqual({
      ...none,
      crmTicket: 'abc',
    });
    expect(readAuthToken(undefined)).toEqual(none);
    expect(readAuthToken(header('<ct:CrmTicket>abc</ct:CrmTicket>'))).toEqual(none);
  });

  it('counts the whole token as missing when one of its fields is in another namespace', () => {
    const t = readAuthToken(
      header(
        '<ws:CrmAuthenticationToken><ct:AuthenticationType>1</ct:AuthenticationType><ct:CrmTicket>abc</ct:CrmTicket><ws:OrganizationName>contoso</ws:OrganizationName></ws:CrmAuthenticationToken>',
      ),
    );
    expect(t.crmTicket).toBeUndefined();
    expect(t.authenticationType).toBeUndefined();
  });

  it('ignores an element that is not a token field, whatever its namespace', () => {
    const t = readAuthToken(
      header(
        '<ws:CrmAuthenticationToken><x:Extra xmlns:x="urn:x">1</x:Extra><ct:CrmTicket>abc</ct:CrmTicket></ws:CrmAuthenticationToken>',
      ),
    );
    expect(t.crmTicket).toBe('abc');
  });

  it('takes an all-zero CallerId as no impersonation and keeps a CallerId that is no GUID only as raw text', () => {
    const zero = readAuthToken(
      header(
        '<ws:CrmAuthenticationToken><ct:CallerId>{00000000-0000-0000-0000-000000000000}</ct:CallerId></ws:CrmAuthenticationToken>',
      ),
    );
    expect(zero.callerId).toBeUndefined();
    expect(zero.callerIdRaw).toBe('{00000000-0000-0000-0000-000000000000}');
    const junk = readAuthToken(
      header('<ws:CrmAuthenticationToken><ct:CallerId>jon</ct:CallerId></ws:CrmAuthenticationToken>'),
    );
    expect(junk.callerId).toBeUndefined();
    expect(junk.callerIdRaw).toBe('jon');
  });
});

describe('resolveCaller: the ticket (0x8004A102, 0x8004A101)', () => {
  it('refuses a token without a CrmTicket with 0x8004A102 saying so', async () => {
    const w = await world();
    const f = faultOf(() => resolveCaller(w.ctx, w.token({ crmTicket: undefined })));
    expect(f.code).toBe('0x8004A102');
    expect(f.message).toBe('The request has no CrmAuthenticationToken header with a CrmTicket.');
  });

  it('refuses any AuthenticationType but 1 (Passport) with 0x8004A102 naming the value sent', async () => {
    const w = await world();
    const two = faultOf(() => resolveCaller(w.ctx, w.token({ authenticationType: '2' })));
    expect(two.code).toBe('0x8004A102');
    expect(two.message).toBe("AuthenticationType '2' is not supported; CRM Online accepts 1 (Passport).");
    const none = faultOf(() => resolveCaller(w.ctx, w.token({ authenticationType: undefined })));
    expect(none.message).toBe("AuthenticationType '' is not supported; CRM Online accepts 1 (Passport).");
  });

  it('decodes the ticket itself when the handler has not, and refuses a garbled one with 0x8004A102', async () => {
    const w = await world();
    expect(resolveCaller(w.ctx, w.token()).caller.id).toBe(DEMO_IDS.erpInContoso);
    const f = faultOf(() => resolveCaller(w.ctx, w.token({ crmTicket: 'bm90IGEgdGlja2V0' })));
    expect(f.code).toBe('0x8004A102');
    expect(f.message).toBe(CRM_ERRORS.BadAuthTicket.description);
  });

  it('uses the claims the handler already decoded', async () => {
    const w = await world();
    const { ticket, claims } = w.ticket();
    const call = resolveCaller(w.ctx, w.token({ crmTicket: ticket }), claims);
    expect(call.claims).toBe(claims);
    expect(call.org.id).toBe(DEMO_IDS.contosoOrg);
  });

  it("matches the token's OrganizationName to the ticket's org case-insensitively", async () => {
    const w = await world();
    expect(resolveCaller(w.ctx, w.token({ organizationName: 'CONTOSO' })).org.name).toBe('contoso');
  });

  it("refuses another org's ticket, and a token without OrganizationName, with 0x8004A102 'invalid for this organization'", async () => {
    const w = await world();
    const fabrikam = w.ticket({ org: 'fabrikam', orgId: DEMO_IDS.fabrikamOrg });
    for (const token of [w.token({ crmTicket: fabrikam.ticket }), w.token({ organizationName: undefined })]) {
      const f = faultOf(() => resolveCaller(w.ctx, token));
      expect(f.code).toBe('0x8004A102');
      expect(f.message).toBe('The ticket specified for authentication is invalid for this organization');
    }
  });

  it('refuses a ticket of an org that no longer exists, or of an earlier org of the same name, with 0x8004A102', async () => {
    const w = await world();
    const gone = w.ticket({ org: 'northwind', orgId: '11111111-2222-4333-8444-555555555555' });
    expect(
      faultOf(() => resolveCaller(w.ctx, w.token({ crmTicket: gone.ticket, organizationName: 'northwind' })))
        .code,
    ).toBe('0x8004A102');
    const earlier = w.ticket({ orgId: '11111111-2222-4333-8444-555555555555' });
    expect(faultOf(() => resolveCaller(w.ctx, w.token({ crmTicket: earlier.ticket }))).code).toBe(
      '0x8004A102',
    );
  });

  it('accepts a ticket until the millisecond before its expiry and refuses it from that millisecond with 0x8004A101', async () => {
    const w = await world();
    const { ticket, claims } = w.ticket();
    const token = w.token({ crmTicket: ticket });
    vi.spyOn(Date, 'now').mockReturnValue(claims.exp - 1);
    expect(resolveCaller(w.ctx, token).caller.id).toBe(DEMO_IDS.erpInContoso);
    vi.spyOn(Date, 'now').mockReturnValue(claims.exp);
    const f = faultOf(() => resolveCaller(w.ctx, token));
    expect(f.code).toBe('0x8004A101');
  });

  it("refuses a ticket issued at or before its org's cut-off (expire on demand), and accepts one issued after it", async () => {
    const w = await world();
    const at = Date.now();
    w.store.ticketCutoffs['contoso'] = at;
    expect(
      faultOf(() => resolveCaller(w.ctx, w.token({ crmTicket: w.ticket({ iat: at }).ticket }))).code,
    ).toBe('0x8004A101');
    expect(resolveCaller(w.ctx, w.token({ crmTicket: w.ticket({ iat: at + 1 }).ticket })).org.name).toBe(
      'contoso',
    );
  });

  it('applies the cut-off of every org and the later of the two cut-offs', async () => {
    const w = await world();
    const at = Date.now();
    w.store.ticketCutoffs['*'] = at;
    expect(
      faultOf(() => resolveCaller(w.ctx, w.token({ crmTicket: w.ticket({ iat: at }).ticket }))).code,
    ).toBe('0x8004A101');
    w.store.ticketCutoffs['contoso'] = at - 1000;
    expect(
      faultOf(() => resolveCaller(w.ctx, w.token({ crmTicket: w.ticket({ iat: at - 500 }).ticket }))).code,
    ).toBe('0x8004A101');
    w.store.ticketCutoffs['*'] = at - 2000;
    expect(
      faultOf(() => resolveCaller(w.ctx, w.token({ crmTicket: w.ticket({ iat: at - 1500 }).ticket }))).code,
    ).toBe('0x8004A101');
    expect(resolveCaller(w.ctx, w.token({ crmTicket: w.ticket({ iat: at - 500 }).ticket })).org.name).toBe(
      'contoso',
    );
  });

  it('refuses a ticket that was expired early with 0x8004A101', async () => {
    const w = await world();
    const { ticket, claims } = w.ticket();
    w.earlyExpired.add(claims.jti);
    expect(faultOf(() => resolveCaller(w.ctx, w.token({ crmTicket: ticket }))).code).toBe('0x8004A101');
  });
});

describe('resolveCaller: RANDOM_EXPIRY', () => {
  it('expires a ticket when the draw is below the probability, and the ticket stays expired after the scenario', async () => {
    const w = await world();
    const { ticket, claims } = w.ticket();
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    w.scenarios.add({ name: 'RANDOM_EXPIRY', endpoint: 'crm', params: { probability: 0.6 } });
    expect(faultOf(() => resolveCaller(w.ctx, w.token({ crmTicket: ticket }))).code).toBe('0x8004A101');
    expect(w.earlyExpired.has(claims.jti)).toBe(true);
    w.scenarios.clear();
    expect(faultOf(() => resolveCaller(w.ctx, w.token({ crmTicket: ticket }))).code).toBe('0x8004A101');
  });

  it('leaves the ticket alone when the draw equals the probability', async () => {
    const w = await world();
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    w.scenarios.add({ name: 'RANDOM_EXPIRY', params: { probability: 0.5 } });
    expect(resolveCaller(w.ctx, w.token()).caller.id).toBe(DEMO_IDS.erpInContoso);
    expect(w.earlyExpired.size).toBe(0);
  });

  it('applies only to the org, account and user it targets', async () => {
    const w = await world();
    w.scenarios.add({
      name: 'RANDOM_EXPIRY',
      org: 'contoso',
      account: SERVICE_ACCOUNT.liveId,
      user: DEMO_IDS.jonWilson,
      params: { probability: 1 },
    });
    expect(resolveCaller(w.ctx, w.token()).actingFor).toBeUndefined();
    expect(faultOf(() => resolveCaller(w.ctx, impersonating(w, DEMO_IDS.jonWilson))).code).toBe('0x8004A101');
  });

  it('forgets the early-expired tickets once it remembers more than 100 000, keeping the one just expired', async () => {
    const w = await world();
    w.scenarios.add({ name: 'RANDOM_EXPIRY', params: { probability: 1 } });
    for (let i = 0; i < 100_000; i++) w.earlyExpired.add(`old-${i}`);
    const first = w.ticket();
    faultOf(() => resolveCaller(w.ctx, w.token({ crmTicket: first.ticket })));
    expect(w.earlyExpired.size).toBe(100_001);
    const second = w.ticket();
    faultOf(() => resolveCaller(w.ctx, w.token({ crmTicket: second.ticket })));
    expect([...w.earlyExpired]).toEqual([second.claims.jti]);
  });
});

describe('resolveCaller: org and caller', () => {
  it('refuses a disabled org with 0x8004A104 naming it, by state and by the DISABLED_ORG scenario', async () => {
    const w = await world();
    w.scenarios.add({ name: 'DISABLED_ORG', endpoint: 'crm', org: 'contoso' });
    const byScenario = faultOf(() => resolveCaller(w.ctx, w.token()));
    expect(byScenario.code).toBe('0x8004A104');
    expect(byScenario.message).toBe('The organization contoso is disabled.');
    w.scenarios.clear();
    const org = w.store.org('contoso');
    if (org) org.enabled = false;
    expect(faultOf(() => resolveCaller(w.ctx, w.token())).code).toBe('0x8004A104');
  });

  it('refuses a ticket whose account is no user of the org with 0x8004A102', async () => {
    const w = await world();
    const frank = w.ticket({ liveId: 'frankm@fabrikam.example' });
    const f = faultOf(() => resolveCaller(w.ctx, w.token({ crmTicket: frank.ticket })));
    expect(f.code).toBe('0x8004A102');
    expect(f.message).toBe('The ticket belongs to no user of this organization');
  });

  it('refuses a disabled service account with 0x80040225 naming it', async () => {
    const w = await world();
    const erp = w.store.user(DEMO_IDS.erpInContoso);
    if (erp) erp.enabled = false;
    const f = faultOf(() => resolveCaller(w.ctx, w.token()));
    expect(f.code).toBe('0x80040225');
    expect(f.message).toBe('The user ERP_Integration is disabled.');
  });

  it('answers the service account, no one acted for, without a CallerId', async () => {
    const w = await world();
    const call = resolveCaller(w.ctx, w.token());
    expect(call.caller.id).toBe(DEMO_IDS.erpInContoso);
    expect(call.actingFor).toBeUndefined();
    expect(call.org.name).toBe('contoso');
  });
});

describe('resolveCaller: impersonation (0x80040203, 0x80040220, 0x80040217, 0x80040225)', () => {
  it('refuses a CallerId that is no GUID with 0x80040203 quoting it', async () => {
    const w = await world();
    const f = faultOf(() => resolveCaller(w.ctx, w.token({ callerIdRaw: 'jon' })));
    expect(f.code).toBe('0x80040203');
    expect(f.message).toBe("CallerId 'jon' is not a GUID.");
  });

  it('acts for an enabled user of the org when the service account holds the proxy role', async () => {
    const w = await world();
    const call = resolveCaller(w.ctx, impersonating(w, DEMO_IDS.jonWilson));
    expect(call.caller.id).toBe(DEMO_IDS.erpInContoso);
    expect(call.actingFor?.id).toBe(DEMO_IDS.jonWilson);
  });

  it('refuses impersonation without prvActOnBehalfOfAnotherUser with 0x80040220, by state and by NO_PROXY_ROLE', async () => {
    const w = await world();
    const fabrikam = w.ticket({ org: 'fabrikam', orgId: DEMO_IDS.fabrikamOrg });
    const token = w.token({
      crmTicket: fabrikam.ticket,
      organizationName: 'fabrikam',
      callerId: DEMO_IDS.frankMiller,
      callerIdRaw: DEMO_IDS.frankMiller,
    });
    const f = faultOf(() => resolveCaller(w.ctx, token));
    expect(f.code).toBe('0x80040220');
    expect(f.message).toBe(
      'The user ERP_Integration does not hold the privilege prvActOnBehalfOfAnotherUser (Act on Behalf of Another User) and cannot act for another user.',
    );
    w.scenarios.add({ name: 'NO_PROXY_ROLE', endpoint: 'crm', org: 'contoso' });
    expect(faultOf(() => resolveCaller(w.ctx, impersonating(w, DEMO_IDS.jonWilson))).code).toBe('0x80040220');
  });

  it('refuses a CallerId of another org or of no user with 0x80040217 in the words of CRM 4.0', async () => {
    const w = await world();
    const f = faultOf(() => resolveCaller(w.ctx, impersonating(w, DEMO_IDS.frankMiller)));
    expect(f.code).toBe('0x80040217');
    expect(f.message).toBe(`systemuser With Id = ${DEMO_IDS.frankMiller} Does Not Exist`);
    expect(
      faultOf(() => resolveCaller(w.ctx, impersonating(w, '11111111-2222-4333-8444-555555555555'))).code,
    ).toBe('0x80040217');
  });

  it('refuses acting for a disabled user with 0x80040225 naming them, by state and by DISABLED_USER', async () => {
    const w = await world();
    const f = faultOf(() => resolveCaller(w.ctx, impersonating(w, DEMO_IDS.disabledUser)));
    expect(f.code).toBe('0x80040225');
    expect(f.message).toBe(
      `The user Dana Dorsey (${DEMO_IDS.disabledUser}) is disabled and cannot be acted for.`,
    );
    w.scenarios.add({ name: 'DISABLED_USER', endpoint: 'crm', user: DEMO_IDS.jonWilson });
    expect(faultOf(() => resolveCaller(w.ctx, impersonating(w, DEMO_IDS.jonWilson))).code).toBe('0x80040225');
    expect(resolveCaller(w.ctx, impersonating(w, DEMO_IDS.noCreateAccountUser)).actingFor?.id).toBe(
      DEMO_IDS.noCreateAccountUser,
    );
  });
});

describe('requireRight: the intersection of both users’ rights (0x80040220, 0x80040231)', () => {
  async function as(userId?: string): Promise<{ w: World; call: CrmCaller }> {
    const w = await world();
    return { w, call: resolveCaller(w.ctx, userId ? impersonating(w, userId) : w.token()) };
  }

  it('names privileges as CRM spells them', () => {
    expect(privilegeName('read', 'systemuser')).toBe('prvReadUser');
    expect(privilegeName('read', 'businessunit')).toBe('prvReadBusinessUnit');
    expect(privilegeName('create', 'account')).toBe('prvCreateAccount');
    expect(privilegeName('write', 'contact')).toBe('prvWriteContact');
    expect(privilegeName('delete', 'lead')).toBe('prvDeleteLead');
  });

  it('lets the service account alone do what it holds, and refuses what it lacks with 0x80040220 naming the privilege', async () => {
    const { w, call } = await as();
    expect(() => requireRight(w.ctx, call, 'account', 'delete')).not.toThrow();
    const f = faultOf(() => requireRight(w.ctx, call, 'systemuser', 'write'));
    expect(f.code).toBe('0x80040220');
    expect(f.message).toBe(
      'The user ERP_Integration does not hold the privilege prvWriteUser on systemuser.',
    );
  });

  it('refuses with 0x80040220 when the service account lacks the right even if the user acted for holds it', async () => {
    const { w, call } = await as(DEMO_IDS.jonWilson);
    call.caller.rights = { '*': ['read'] };
    expect(faultOf(() => requireRight(w.ctx, call, 'account', 'create')).code).toBe('0x80040220');
  });

  it('refuses with 0x80040231 naming the user acted for when that user lacks the right', async () => {
    const { w, call } = await as(DEMO_IDS.noCreateAccountUser);
    const f = faultOf(() => requireRight(w.ctx, call, 'account', 'create'));
    expect(f.code).toBe('0x80040231');
    expect(f.message).toBe(
      'The user Noah Park (acted for) does not hold the privilege prvCreateAccount on account.',
    );
    expect(() => requireRight(w.ctx, call, 'account', 'write')).not.toThrow();
  });

  it("takes a user's rights on an entity from its own entry, and from '*' only for an entity without one", async () => {
    const { w, call } = await as(DEMO_IDS.jonWilson);
    const jon = call.actingFor;
    if (!jon) throw new Error('not impersonating');
    jon.rights = { account: ['create'], '*': ['read'] };
    expect(() => requireRight(w.ctx, call, 'account', 'create')).not.toThrow();
    expect(faultOf(() => requireRight(w.ctx, call, 'account', 'read')).code).toBe('0x80040231');
    expect(() => requireRight(w.ctx, call, 'contact', 'read')).not.toThrow();
    expect(faultOf(() => requireRight(w.ctx, call, 'contact', 'create')).code).toBe('0x80040231');
    jon.rights = {};
    expect(faultOf(() => requireRight(w.ctx, call, 'contact', 'read')).code).toBe('0x80040231');
  });

  it('USER_WITHOUT_RIGHT takes exactly the right and entity it names from the user it targets', async () => {
    const { w, call } = await as(DEMO_IDS.jonWilson);
    const check = (entity: string, right: Right): string | undefined => {
      try {
        requireRight(w.ctx, call, entity, right);
        return undefined;
      } catch (error) {
        return error instanceof CrmFault ? error.code : String(error);
      }
    };
    w.scenarios.add({
      name: 'USER_WITHOUT_RIGHT',
      endpoint: 'crm',
      user: DEMO_IDS.jonWilson,
      params: { right: 'create', entity: 'account' },
    });
    expect(check('account', 'create')).toBe('0x80040231');
    expect(check('account', 'write')).toBeUndefined();
    expect(check('contact', 'create')).toBeUndefined();
    w.scenarios.clear();
    w.scenarios.add({ name: 'USER_WITHOUT_RIGHT', user: DEMO_IDS.jonWilson, params: { entity: 'contact' } });
    expect(check('contact', 'read')).toBe('0x80040231');
    expect(check('contact', 'delete')).toBe('0x80040231');
    expect(check('account', 'read')).toBeUndefined();
    w.scenarios.clear();
    w.scenarios.add({ name: 'USER_WITHOUT_RIGHT', user: DEMO_IDS.jonWilson, params: { right: 'write' } });
    expect(check('lead', 'write')).toBe('0x80040231');
    expect(check('lead', 'read')).toBeUndefined();
    w.scenarios.clear();
    w.scenarios.add({ name: 'USER_WITHOUT_RIGHT', user: DEMO_IDS.noCreateAccountUser });
    expect(check('contact', 'read')).toBeUndefined();
  });

  it('USER_WITHOUT_RIGHT does not touch a call without impersonation', async () => {
    const { w, call } = await as();
    w.scenarios.add({ name: 'USER_WITHOUT_RIGHT' });
    expect(() => requireRight(w.ctx, call, 'account', 'create')).not.toThrow();
  });
});
