import type {
  CrmServiceApi,
  RetrieveArgs,
  RetrieveMultipleResult,
  WhoAmIResult,
} from '../../src/clients/crm-service-client';
import type { CrmTicket, DiscoveryApi } from '../../src/clients/discovery-client';
import type { PassportTicket, WlidApi } from '../../src/clients/wlid-client';
import { CertificateBundle } from '../../src/certificates/certificate-bundle';
import { CrmAuthError } from '../../src/errors';
import type { QueryExpression } from '../../src/messages/crm/query-expression';
import type { CrmAuthenticationToken, Entity, OrganizationDetail } from '../../src/messages/types';
import { CrmSession, type CrmSessionOptions } from '../../src/session/crm-session';
import { standardHierarchy } from './test-pki';

/** Typed fakes of the three services, with call counts and switches, on a shared fake clock. */

export const HOUR = 60 * 60_000;

export class FakeClock {
  now = Date.UTC(2026, 10, 24, 9, 0, 0);
  readonly read = (): number => this.now;
  advance(ms: number): void {
    this.now += ms;
  }
}

export function fault(
  code: 'ERR_CRM_EXPIRED_TICKET' | 'ERR_CRM_BAD_TICKET' | 'ERR_CRM_OBJECT_NOT_FOUND',
  faultCode: string,
): CrmAuthError {
  return new CrmAuthError(code, `fault ${faultCode}`, { faultCode, notExecuted: true });
}

export const contoso: OrganizationDetail = {
  crmMetadataServiceUrl: 'https://contoso.crm.example/MSCrmServices/2007/MetadataService.asmx',
  crmServiceUrl: 'https://contoso.crm.example/MSCrmServices/2007/CrmService.asmx',
  friendlyName: 'Contoso Ltd',
  organizationId: '5f1d0c2e-0000-4000-8000-00000000c0de',
  organizationName: 'contoso',
  webApplicationUrl: 'https://contoso.crm.example/',
};

export class FakeWlid implements WlidApi {
  calls = 0;
  lifetimeMs = 24 * HOUR;
  constructor(private readonly clock: FakeClock) {}
  async requestTicket(args: { policy: string }): Promise<PassportTicket> {
    this.calls += 1;
    if (args.policy !== 'MBI_SSL') throw new Error('unexpected policy');
    return {
      ticket: `t=passport-${this.calls}&p=`,
      created: new Date(this.clock.now),
      expires: new Date(this.clock.now + this.lifetimeMs),
    };
  }
}

export class FakeDiscovery implements DiscoveryApi {
  calls = { policy: 0, orgs: 0, crmTicket: 0, userId: 0 };
  crmLifetimeMs = 8 * HOUR;
  /** Passport tickets the fake refuses (as expired). */
  refusedPassports = new Set<string>();
  /** When set, RetrieveCrmTicket waits for this (one per call, in order). */
  gates: Array<Promise<void>> = [];
  /** When set, the next RetrieveCrmTicket calls fail with these. */
  failures: Error[] = [];
  organizations: OrganizationDetail[] = [contoso];
  issuedFor = contoso;
  users = new Map<string, string>([['0003BFFD8F3A5B21', '6a2c1e0b-0000-4000-8000-0000000000a1']]);
  constructor(private readonly clock: FakeClock) {}

  async retrievePolicy(): Promise<{ policy: string }> {
    this.calls.policy += 1;
    return { policy: 'MBI_SSL' };
  }
  async retrieveOrganizations(
    passportTicket: string,
  ): Promise<{ organizationDetails: OrganizationDetail[] }> {
    this.calls.orgs += 1;
    this.#checkPassport(passportTicket);
    return { organizationDetails: this.organizations };
  }
  async retrieveCrmTicket(organizationName: string, passportTicket: string): Promise<CrmTicket> {
    this.calls.crmTicket += 1;
    const n = this.calls.crmTicket;
    const gate = this.gates.shift();
    if (gate) await gate;
    const failure = this.failures.shift();
    if (failure) throw failure;
    this.#checkPassport(passportTicket);
    if (organizationName !== 'contoso') throw fault('ERR_CRM_OBJECT_NOT_FOUND', '0x80040217');
    return {
      crmTicket: `crm-ticket-${n}`,
      expirationDate: new Date(this.clock.now + this.crmLifetimeMs),
      organizationDetail: this.issuedFor,
    };
  }
  async retrieveCrmUserIdByExternalId(args: {
    externalId: string;
    passportTicket: string;
  }): Promise<{ crmUserId: string }> {
    this.calls.userId += 1;
    this.#checkPassport(args.passportTicket);
    const id = this.users.get(args.externalId);
    if (!id) throw fault('ERR_CRM_OBJECT_NOT_FOUND', '0x80040217');
    return { crmUserId: id };
  }
  #checkPassport(ticket: string): void {
    if (this.refusedPassports.has(ticket)) throw fault('ERR_CRM_BAD_TICKET', '0x8004A102');
  }
}

export class FakeCrmService implements CrmServiceApi {
  calls: Record<string, number> = {
    whoAmI: 0,
    retrieve: 0,
    retrieveMultiple: 0,
    create: 0,
    update: 0,
    delete: 0,
  };
  tokens: CrmAuthenticationToken[] = [];
  /** What Create and Update were given, and what Retrieve and Delete named, in order. */
  sent: Array<{ op: string; entity?: Entity; args?: RetrieveArgs; entityName?: string; id?: string }> = [];
  /** CRM tickets the fake answers with the expired fault. */
  expired = new Set<string>();
  /** Every ticket is expired (for the retry bound). */
  allExpired = false;
  /** Errors the next calls of an operation throw, in order. */
  failures: Record<string, Error[]> = {};
  /** When set, every second call that meets an expired ticket answers only after this (a slow reply). */
  lateFaults: Promise<void> | undefined;
  #expiredSeen = 0;

  async whoAmI(token: CrmAuthenticationToken): Promise<WhoAmIResult> {
    await this.#enter('whoAmI', token);
    return {
      userId: token.callerId ?? 'service-account-id',
      businessUnitId: 'bu',
      organizationId: contoso.organizationId,
    };
  }
  async retrieve(token: CrmAuthenticationToken, args: RetrieveArgs): Promise<{ entity: Entity }> {
    this.sent.push({ op: 'retrieve', args });
    await this.#enter('retrieve', token);
    return { entity: { logicalName: args.entityName, attributes: { [`${args.entityName}id`]: args.id } } };
  }
  async retrieveMultiple(
    token: CrmAuthenticationToken,
    query: QueryExpression,
  ): Promise<RetrieveMultipleResult> {
    await this.#enter('retrieveMultiple', token);
    return {
      moreRecords: false,
      pagingCookie: null,
      entities: [{ logicalName: query.entityName, attributes: {} }],
    };
  }
  async create(token: CrmAuthenticationToken, entity?: Entity): Promise<{ id: string }> {
    this.sent.push({ op: 'create', ...(entity ? { entity } : {}) });
    await this.#enter('create', token);
    return { id: `00000000-0000-4000-8000-${String(this.calls.create).padStart(12, '0')}` };
  }
  async update(token: CrmAuthenticationToken, entity?: Entity): Promise<void> {
    this.sent.push({ op: 'update', ...(entity ? { entity } : {}) });
    await this.#enter('update', token);
  }
  async delete(token: CrmAuthenticationToken, entityName?: string, id?: string): Promise<void> {
    this.sent.push({ op: 'delete', ...(entityName ? { entityName } : {}), ...(id ? { id } : {}) });
    await this.#enter('delete', token);
  }
  async #enter(op: string, token: CrmAuthenticationToken): Promise<void> {
    this.calls[op] = (this.calls[op] ?? 0) + 1;
    this.tokens.push(token);
    const failure = this.failures[op]?.shift();
    if (failure) throw failure;
    if (this.allExpired || this.expired.has(token.crmTicket)) {
      this.#expiredSeen += 1;
      if (this.lateFaults && this.#expiredSeen % 2 === 0) await this.lateFaults;
      throw fault('ERR_CRM_EXPIRED_TICKET', '0x8004A101');
    }
  }
}

export interface Harness {
  clock: FakeClock;
  wlid: FakeWlid;
  discovery: FakeDiscovery;
  crm: FakeCrmService;
  session: CrmSession;
  events: Array<{ type: string }>;
}

let bundle: CertificateBundle | undefined;

/** The service-account bundle of the standard test hierarchy. */
export function serviceAccountBundle(): CertificateBundle {
  const { leaf, intermediate } = standardHierarchy();
  bundle ??= CertificateBundle.fromPem({
    certificatePem: leaf.pem,
    privateKeyPem: leaf.key.privateKeyPem,
    chainPem: intermediate.pem,
  });
  return bundle;
}

/** A session over the fakes. */
export function harness(
  overrides: Partial<CrmSessionOptions> = {},
  shared?: Partial<Omit<Harness, 'session' | 'events'>>,
): Harness {
  const clock = shared?.clock ?? new FakeClock();
  const wlid = shared?.wlid ?? new FakeWlid(clock);
  const discovery = shared?.discovery ?? new FakeDiscovery(clock);
  const crm = shared?.crm ?? new FakeCrmService();
  const events: Array<{ type: string }> = [];
  const session = new CrmSession({
    discoveryUrl: 'https://dev.crm.example/MSCRMServices/2007/Passport/CrmDiscoveryService.asmx',
    organizationName: 'contoso',
    certificate: serviceAccountBundle(),
    clock: clock.read,
    onEvent: (e) => events.push(e),
    clients: { wlid, discovery, crmService: () => crm },
    ...overrides,
  });
  return { clock, wlid, discovery, crm, session, events };
}

/** A promise with its resolve handle. */
export function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Lets pending promise callbacks run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 10; i += 1) await new Promise((r) => setImmediate(r));
}
