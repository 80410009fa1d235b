import type { Lifetimes } from '../http/emulator.context';
import type { IssueCertificateRequest, IssuedCertificate } from '../pki/pki.store';
import type { CallCounts } from '../scenarios/call.counter';
import type { BarrierInput, BarrierStatus } from '../scenarios/crm-barrier';
import type { ScenarioInput } from '../scenarios/scenario.engine';
import type {
  CertRegistration,
  LiveAccount,
  OrgState,
  Right,
  ScenarioState,
  UserState,
} from '../state/emulator-state.model';

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
export const STAMP_FIELDS = [
  'createdby',
  'createdonbehalfby',
  'modifiedby',
  'modifiedonbehalfby',
  'ownerid',
] as const;
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
  /**
   * Holds CrmService calls of `operation`, before their ticket is checked, until `count` have
   * arrived (or `timeoutMs` passed: status `timed-out`); then runs `then` (`expire-tickets`: as
   * expireTickets for `org`, all orgs without it) and releases them all at once.
   */
  armBarrier(input: BarrierInput): BarrierStatus;
  /** The barrier armed last and what became of it (arrived, state), or undefined. */
  barrier(): BarrierStatus | undefined;
  /** Releases a waiting barrier's calls without running its `then`. */
  cancelBarrier(): BarrierStatus | undefined;
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
