import { randomBytes, randomUUID } from 'node:crypto';
import type { Lifetimes } from '../http/emulator.context';
import { normalizeThumbprint, type IssueCertificateRequest, type IssuedCertificate, type PkiStore } from '../pki/pki.store';
import type { CallCounter, CallCounts } from '../scenarios/call.counter';
import { ControlInputError, type ScenarioEngine, type ScenarioInput } from '../scenarios/scenario.engine';
import {
  ALL_RIGHTS,
  type CertRegistration,
  type EntityRecord,
  type LiveAccount,
  type OrgState,
  type PersistedState,
  type Right,
  type ScenarioState,
  type StoredAttr,
  type UserState,
} from '../state/emulator-state.model';
import { isGuid, normalizeGuid, type StateStore } from '../state/state.store';

/** `GET /_control/state`. */
export interface EmulatorStateView {
  orgs: OrgState[];
  users: Array<UserState & { puid: string | undefined }>;
  accounts: Array<LiveAccount & { certificates: string[] }>;
  certificates: CertRegistration[];
  scenarios: ScenarioState[];
  lifetimes: Lifetimes;
}

/** A record as `GET /_control/records` shows it: lookups as objects, dates as ISO 8601 UTC. */
export interface RecordView {
  entity: string;
  id: string;
  attributes: Record<string, string | boolean | { id: string; type: string; name?: string }>;
}

/** `PUT /_control/lifetimes`. */
export interface LifetimesInput {
  crmTicketSec?: number;
  passportTicketSec?: number;
  rpsTicketSec?: number;
}

/** `POST /_control/users`. */
export interface AddUserInput {
  org: string;
  liveId: string;
  firstName: string;
  lastName: string;
  fullName?: string;
  domainName?: string;
  id?: string;
  puid?: string;
  enabled?: boolean;
  proxyRole?: boolean;
  isServiceAccount?: boolean;
  rights?: Record<string, Right[]>;
}

/** `POST /_control/orgs`. */
export interface AddOrgInput {
  name: string;
  friendlyName: string;
  id?: string;
  enabled?: boolean;
  utcOffsetMinutes?: number;
}

/** `PATCH /_control/orgs/:name`. */
export interface OrgPatch {
  enabled?: boolean;
  friendlyName?: string;
}

/** `PATCH /_control/users/:id`. */
export interface UserPatch {
  enabled?: boolean;
  proxyRole?: boolean;
  rights?: Record<string, Right[]>;
  fullName?: string;
}

/** One record of one org: `PATCH` / `DELETE /_control/records/:org/:entity/:id`. */
export interface RecordRef {
  org: string;
  entity: string;
  id: string;
}

/** The stamps a control write may set: a systemuserid of the record's org, or null to clear the stamp. */
export const STAMP_FIELDS = ['createdby', 'createdonbehalfby', 'modifiedby', 'modifiedonbehalfby', 'ownerid'] as const;
export type RecordStamps = Partial<Record<(typeof STAMP_FIELDS)[number], string | null>>;

/** The control operations, in-process and typed; the HTTP control API maps onto these one to one. */
export interface EmulatorControl {
  /** Back to the seed (demo or empty): state, scenarios, counts and lifetimes. */
  reset(): Promise<void>;
  state(): EmulatorStateView;
  addScenario(input: ScenarioInput): ScenarioState;
  removeScenario(id: string): boolean;
  clearScenarios(): void;
  setLifetimes(input: LifetimesInput): Lifetimes;
  /** Every CRM ticket issued so far for `org` (all orgs when absent) now counts as expired. */
  expireTickets(input?: { org?: string }): { org: string; expiredAt: string };
  counts(): CallCounts;
  resetCounts(): void;
  records(query: { org: string; entity?: string }): RecordView[];
  /** Issues a client certificate; registers its thumbprint to `account` when given. */
  issueCertificate(input: IssueCertificateRequest): Promise<IssuedCertificate>;
  revokeCertificate(input: { thumbprintSha1Hex: string }): CertRegistration;
  /** Sets the CRLs' nextUpdate to now + seconds (negative: already stale). */
  extendCrl(input: { seconds: number }): { nextUpdate: string };
  addOrg(input: AddOrgInput): OrgState;
  addUser(input: AddUserInput): UserState;
  updateOrg(name: string, patch: OrgPatch): OrgState;
  updateUser(id: string, patch: UserPatch): UserState;
  /**
   * Removes a user from its org (its Live account stays): acting for it then answers 0x80040217 and
   * RetrieveCrmUserIdByExternalId finds no user for its PUID. Records keep the stamps naming it.
   */
  deleteUser(id: string): UserState;
  /**
   * Rewrites a record's stamps behind any client's back, as if another user (or another tool) had
   * written it: each given stamp is set to that user of the org, or cleared with null; modifiedon
   * becomes now. Returns the record as `records()` shows it.
   */
  stampRecord(record: RecordRef, stamps: RecordStamps): RecordView;
  /** Deletes a record behind any client's back (no CrmService call, nothing counted). */
  deleteRecord(record: RecordRef): RecordView;
}

function bool(value: unknown, name: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw new ControlInputError(`${name} must be a boolean`);
  return value;
}

function str(value: unknown, name: string, required: true): string;
function str(value: unknown, name: string, required?: false): string | undefined;
function str(value: unknown, name: string, required = false): string | undefined {
  if (value === undefined || value === null || value === '') {
    if (required) throw new ControlInputError(`${name} is required`);
    return undefined;
  }
  if (typeof value !== 'string' || value.length > 500) throw new ControlInputError(`${name} must be a string`);
  return value.trim();
}

function rightsOf(value: unknown): Record<string, Right[]> | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ControlInputError('rights must be an object of entity → rights');
  }
  const out: Record<string, Right[]> = {};
  for (const [entity, list] of Object.entries(value)) {
    if (!Array.isArray(list) || !list.every((r) => ALL_RIGHTS.includes(r as Right))) {
      throw new ControlInputError(`rights.${entity} must be a list of ${ALL_RIGHTS.join(', ')}`);
    }
    out[entity.toLowerCase()] = list as Right[];
  }
  return out;
}

function viewAttr(value: StoredAttr): RecordView['attributes'][string] {
  switch (value.t) {
    case 's':
      return value.v;
    case 'ref':
      return value.name === undefined ? { id: value.id, type: value.type } : { id: value.id, type: value.type, name: value.name };
    case 'date':
      return new Date(value.v).toISOString();
    case 'bool':
      return value.v;
  }
}

function viewRecord(entity: string, record: EntityRecord): RecordView {
  const attributes: RecordView['attributes'] = {};
  for (const [name, value] of Object.entries(record.attrs)) attributes[name] = viewAttr(value);
  return { entity, id: record.id, attributes };
}

/** Wiring the control needs from the running emulator. */
export interface ControlDeps {
  store: StateStore;
  pki: PkiStore;
  scenarios: ScenarioEngine;
  counter: CallCounter;
  lifetimes: Lifetimes;
  defaultLifetimes: Lifetimes;
  seed: () => PersistedState;
  earlyExpired: Set<string>;
}

/** Creates the in-process control of one emulator. */
export function createEmulatorControl(deps: ControlDeps): EmulatorControl {
  const { store } = deps;

  const orgOrThrow = (name: string): OrgState => {
    const org = store.org(name);
    if (!org) throw new ControlNotFoundError(`No org named '${name}'`);
    return org;
  };

  /** The record and its table, without creating an empty table for a wrong name. */
  const recordOrThrow = (ref: RecordRef): { org: OrgState; entity: string; table: Map<string, EntityRecord>; record: EntityRecord } => {
    const org = orgOrThrow(str(ref.org, 'org', true));
    const entity = str(ref.entity, 'entity', true).toLowerCase();
    const id = str(ref.id, 'id', true);
    if (!isGuid(id)) throw new ControlInputError('id must be a GUID');
    const table = store.records.get(org.name)?.get(entity);
    const record = table?.get(normalizeGuid(id));
    if (!table || !record) throw new ControlNotFoundError(`No ${entity} ${normalizeGuid(id)} in ${org.name}`);
    return { org, entity, table, record };
  };

  return {
    async reset() {
      store.load(deps.seed());
      deps.counter.reset();
      deps.earlyExpired.clear();
      Object.assign(deps.lifetimes, deps.defaultLifetimes);
      await store.flush();
    },

    state() {
      const certsByAccount = new Map<string, string[]>();
      for (const c of store.certs.values()) {
        if (!c.account) continue;
        const key = c.account.toLowerCase();
        certsByAccount.set(key, [...(certsByAccount.get(key) ?? []), c.thumbprint]);
      }
      return {
        orgs: [...store.orgs.values()],
        users: [...store.users.values()].map((u) => ({ ...u, puid: store.liveAccount(u.liveId)?.puid })),
        accounts: [...store.liveAccounts.values()].map((a) => ({
          ...a,
          certificates: certsByAccount.get(a.liveId.toLowerCase()) ?? [],
        })),
        certificates: [...store.certs.values()],
        scenarios: deps.scenarios.list(),
        lifetimes: { ...deps.lifetimes },
      };
    },

    addScenario: (input) => deps.scenarios.add(input),
    removeScenario: (id) => deps.scenarios.remove(id),
    clearScenarios: () => deps.scenarios.clear(),

    setLifetimes(input) {
      const entries: Array<[keyof Lifetimes, unknown]> = [
        ['crmTicketSec', input.crmTicketSec],
        ['passportTicketSec', input.passportTicketSec],
        ['rpsTicketSec', input.rpsTicketSec],
      ];
      for (const [key, value] of entries) {
        if (value === undefined) continue;
        if (typeof value !== 'number' || !Number.isFinite(value) || value < 1 || value > 31_536_000) {
          throw new ControlInputError(`${key} must be a number of seconds between 1 and 31536000`);
        }
      }
      for (const [key, value] of entries) if (typeof value === 'number') deps.lifetimes[key] = Math.floor(value);
      return { ...deps.lifetimes };
    },

    expireTickets(input) {
      const org = input?.org ? orgOrThrow(input.org).name : '*';
      const now = Date.now();
      store.ticketCutoffs[org] = now;
      store.changed();
      return { org, expiredAt: new Date(now).toISOString() };
    },

    counts: () => deps.counter.snapshot(),
    resetCounts: () => deps.counter.reset(),

    records(query) {
      const org = orgOrThrow(query.org);
      const byEntity = store.records.get(org.name);
      const out: RecordView[] = [];
      if (!byEntity) return out;
      for (const [entity, table] of byEntity) {
        if (query.entity && query.entity.toLowerCase() !== entity) continue;
        for (const record of table.values()) out.push(viewRecord(entity, record));
      }
      return out;
    },

    async issueCertificate(input) {
      const commonName = str(input.commonName, 'commonName', true);
      const account = str(input.account, 'account');
      if (account && !store.liveAccount(account)) {
        throw new ControlInputError(`No Live account '${account}'; add a user with that Live ID first`);
      }
      for (const key of ['clientAuth', 'signWithLeaf', 'selfSigned'] as const) bool(input[key], key);
      let issued: IssuedCertificate;
      try {
        issued = await deps.pki.issue({ ...input, commonName });
      } catch (error) {
        if (error instanceof TypeError) throw new ControlInputError(error.message);
        throw error;
      }
      const registration: CertRegistration = {
        thumbprint: issued.thumbprintSha1Hex,
        serialHex: issued.serialHex,
        issuerCa: issued.issuerCa,
        commonName,
        notAfter: issued.notAfter,
      };
      if (account) registration.account = account.toLowerCase();
      store.certs.set(registration.thumbprint, registration);
      store.changed();
      return issued;
    },

    revokeCertificate(input) {
      const thumbprint = normalizeThumbprint(str(input.thumbprintSha1Hex, 'thumbprintSha1Hex', true));
      const cert = store.certs.get(thumbprint);
      if (!cert) throw new ControlNotFoundError(`No certificate with thumbprint ${thumbprint}`);
      cert.revokedAt ??= new Date().toISOString();
      store.crl.number += 1;
      store.changed();
      return cert;
    },

    extendCrl(input) {
      const seconds = input.seconds;
      if (typeof seconds !== 'number' || !Number.isFinite(seconds) || Math.abs(seconds) > 315_360_000) {
        throw new ControlInputError('seconds must be a number (negative for an already stale CRL)');
      }
      store.crl.nextUpdate = Date.now() + seconds * 1000;
      store.crl.number += 1;
      store.changed();
      return { nextUpdate: new Date(store.crl.nextUpdate).toISOString() };
    },

    addOrg(input) {
      const name = str(input.name, 'name', true).toLowerCase();
      if (!/^[a-z0-9][a-z0-9_-]{0,63}$/.test(name)) throw new ControlInputError('name must be a unique name such as contoso');
      if (store.org(name)) throw new ControlInputError(`An org named '${name}' exists`);
      const id = input.id ? normalizeGuid(str(input.id, 'id', true)) : randomUUID();
      if (!isGuid(id)) throw new ControlInputError('id must be a GUID');
      const offset = input.utcOffsetMinutes ?? 0;
      if (typeof offset !== 'number' || !Number.isInteger(offset) || Math.abs(offset) > 840) {
        throw new ControlInputError('utcOffsetMinutes must be an integer between -840 and 840');
      }
      const friendlyName = str(input.friendlyName, 'friendlyName', true);
      const org: OrgState = {
        id,
        name,
        friendlyName,
        enabled: bool(input.enabled, 'enabled') ?? true,
        businessUnitId: randomUUID(),
        businessUnitName: friendlyName,
        utcOffsetMinutes: offset,
      };
      store.orgs.set(name, org);
      store.changed();
      return org;
    },

    addUser(input) {
      const org = orgOrThrow(str(input.org, 'org', true));
      const liveId = str(input.liveId, 'liveId', true).toLowerCase();
      if (store.userByLiveId(org.name, liveId)) {
        throw new ControlInputError(`${liveId} is already a user of ${org.name}`);
      }
      const firstName = str(input.firstName, 'firstName', true);
      const lastName = str(input.lastName, 'lastName', true);
      const id = input.id ? normalizeGuid(str(input.id, 'id', true)) : randomUUID();
      if (!isGuid(id) || store.users.has(id)) throw new ControlInputError('id must be a new GUID');
      let account = store.liveAccount(liveId);
      const puid = str(input.puid, 'puid')?.toUpperCase();
      if (puid !== undefined && !/^[0-9A-F]{16}$/.test(puid)) {
        throw new ControlInputError('puid must be 16 hex digits (HexPUID)');
      }
      if (account && puid && account.puid !== puid) {
        throw new ControlInputError(`${liveId} already has PUID ${account.puid}`);
      }
      if (puid && !account && store.liveAccountByPuid(puid)) throw new ControlInputError(`PUID ${puid} is taken`);
      if (!account) {
        account = { liveId, puid: puid ?? `0003${randomBytes(6).toString('hex').toUpperCase()}`, firstName, lastName };
        store.liveAccounts.set(liveId, account);
      }
      const user: UserState = {
        id,
        org: org.name,
        fullName: str(input.fullName, 'fullName') ?? `${firstName} ${lastName}`,
        firstName,
        lastName,
        domainName: str(input.domainName, 'domainName') ?? `${firstName}${lastName.charAt(0)}`,
        liveId,
        enabled: bool(input.enabled, 'enabled') ?? true,
        proxyRole: bool(input.proxyRole, 'proxyRole') ?? false,
        rights: rightsOf(input.rights) ?? {
          account: [...ALL_RIGHTS],
          contact: [...ALL_RIGHTS],
          lead: [...ALL_RIGHTS],
          opportunity: [...ALL_RIGHTS],
          '*': ['read'],
        },
      };
      if (bool(input.isServiceAccount, 'isServiceAccount')) user.isServiceAccount = true;
      store.users.set(id, user);
      store.changed();
      return user;
    },

    updateOrg(name, patch) {
      const org = orgOrThrow(name);
      const enabled = bool(patch.enabled, 'enabled');
      const friendlyName = str(patch.friendlyName, 'friendlyName');
      if (enabled !== undefined) org.enabled = enabled;
      if (friendlyName !== undefined) org.friendlyName = friendlyName;
      store.changed();
      return org;
    },

    updateUser(id, patch) {
      const user = isGuid(id) ? store.user(id) : undefined;
      if (!user) throw new ControlNotFoundError(`No user with id ${id}`);
      const enabled = bool(patch.enabled, 'enabled');
      const proxyRole = bool(patch.proxyRole, 'proxyRole');
      const rights = rightsOf(patch.rights);
      const fullName = str(patch.fullName, 'fullName');
      if (enabled !== undefined) user.enabled = enabled;
      if (proxyRole !== undefined) user.proxyRole = proxyRole;
      if (rights !== undefined) user.rights = rights;
      if (fullName !== undefined) user.fullName = fullName;
      store.changed();
      return user;
    },

    deleteUser(id) {
      const user = isGuid(id) ? store.user(id) : undefined;
      if (!user) throw new ControlNotFoundError(`No user with id ${id}`);
      store.users.delete(user.id);
      store.changed();
      return user;
    },

    stampRecord(ref, stamps) {
      const { org, entity, record } = recordOrThrow(ref);
      if (typeof stamps !== 'object' || stamps === null || Array.isArray(stamps)) throw new ControlInputError('stamps must be an object');
      const unknown = Object.keys(stamps).filter((k) => !(STAMP_FIELDS as readonly string[]).includes(k));
      if (unknown.length) throw new ControlInputError(`Unknown stamp ${unknown[0]}; known: ${STAMP_FIELDS.join(', ')}`);
      const next: Array<[string, StoredAttr | null]> = [];
      for (const field of STAMP_FIELDS) {
        const value = stamps[field];
        if (value === undefined) continue;
        if (value === null) {
          next.push([field, null]);
          continue;
        }
        const userId = str(value, field, true);
        const user = isGuid(userId) ? store.user(userId) : undefined;
        if (!user || user.org !== org.name) throw new ControlInputError(`${field} must be the systemuserid of a user of ${org.name}`);
        next.push([field, { t: 'ref', type: 'systemuser', id: user.id, name: user.fullName }]);
      }
      for (const [field, value] of next) {
        if (value === null) delete record.attrs[field];
        else record.attrs[field] = value;
      }
      record.attrs['modifiedon'] = { t: 'date', v: Date.now() };
      store.changed();
      return viewRecord(entity, record);
    },

    deleteRecord(ref) {
      const { entity, table, record } = recordOrThrow(ref);
      table.delete(record.id);
      store.changed();
      return viewRecord(entity, record);
    },
  };
}

/** A control request about something that does not exist; the HTTP layer maps it to 404. */
export class ControlNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ControlNotFoundError';
  }
}
