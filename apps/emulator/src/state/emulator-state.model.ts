/** An access right on an entity, as CRM's privileges group them. */
export type Right = 'read' | 'create' | 'write' | 'delete';
export const ALL_RIGHTS: readonly Right[] = ['read', 'create', 'write', 'delete'];

/** A Windows Live identity. The PUID never changes; the Live ID (sign-in name) could. */
export interface LiveAccount {
  liveId: string;
  /** HexPUID: 16 upper-case hex digits. */
  puid: string;
  firstName: string;
  lastName: string;
}

/** A CRM Online organization. */
export interface OrgState {
  /** OrganizationId, lower-case GUID. */
  id: string;
  /** OrganizationName: the unique name used on the wire. */
  name: string;
  friendlyName: string;
  enabled: boolean;
  businessUnitId: string;
  businessUnitName: string;
  /** The org's time zone, used for the text of CrmDateTime values (e.g. -480 = Pacific). */
  utcOffsetMinutes: number;
}

/** A systemuser of one org. A service account is a systemuser in every org it serves. */
export interface UserState {
  /** systemuserid, lower-case GUID. */
  id: string;
  org: string;
  fullName: string;
  firstName: string;
  lastName: string;
  domainName: string;
  liveId: string;
  enabled: boolean;
  /** Holds prvActOnBehalfOfAnotherUser (the proxy role). */
  proxyRole: boolean;
  /** Rights per entity logical name; `*` applies to entities not listed. */
  rights: Record<string, Right[]>;
  isServiceAccount?: boolean;
  /** Dataverse: the user's Entra ID object id (`azureactivedirectoryobjectid`), the `CallerObjectId` that names it. */
  entraObjectId?: string;
  /** Dataverse: set on an application user, the app's client id (`applicationid`). */
  applicationId?: string;
  /** What this seeded user is there to show (read-only, disabled, …). */
  note?: string;
}

/** One stored attribute value. */
export type StoredAttr =
  | { t: 's'; v: string }
  | { t: 'ref'; type: string; id: string; name?: string }
  | { t: 'date'; v: number }
  | { t: 'bool'; v: boolean };

/** One entity record; `attrs` keeps insertion order, which Retrieve with AllColumns follows. */
export interface EntityRecord {
  id: string;
  attrs: Record<string, StoredAttr>;
}

/** A client certificate known to the STS. */
export interface CertRegistration {
  /** SHA-1, upper-case hex. */
  thumbprint: string;
  serialHex: string;
  issuerCa: 'root' | 'intermediate' | 'none';
  commonName: string;
  /** Live ID of the service account the certificate signs in as. */
  account?: string;
  notAfter: string;
  revokedAt?: string;
}

/** Every scenario name, named for what it shows. */
export const SCENARIO_NAMES = [
  'DISABLED_ORG',
  'NO_PROXY_ROLE',
  'DISABLED_USER',
  'USER_WITHOUT_RIGHT',
  'REVOKED_CERTIFICATE',
  'SLOW',
  'DROP_CONNECTION',
  'HTTP_500',
  'MALFORMED_REPLY',
  'HTML_LOGIN_PAGE',
  'RANDOM_EXPIRY',
  'THROTTLED',
  'RPS_MAYBE',
  /** Identity platform (endpoint entra): the app is not consented in the tenant, so a token answers AADSTS700016. */
  'NO_CONSENT',
  /** Identity platform: the assertion's certificate is treated as not registered on the app (AADSTS700027). */
  'WRONG_CERTIFICATE',
  /** Identity platform: tokens issued live `params.seconds`, after which the Dataverse Web API answers 401. */
  'TOKEN_EXPIRY',
] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

/** Endpoints a transport scenario can target. */
export type ScenarioEndpoint = 'sts' | 'discovery' | 'crm' | 'rps' | 'entra' | 'all';

/** An active scenario. */
export interface ScenarioState {
  id: string;
  name: ScenarioName;
  org?: string;
  account?: string;
  user?: string;
  endpoint: ScenarioEndpoint;
  params: Record<string, string | number | boolean>;
  /** For "the next N calls": how many calls it still applies to. */
  remaining?: number;
  createdAt: string;
}

/** The JSON snapshot written to `<dataDir>/state.json`. */
export interface PersistedState {
  version: 1;
  orgs: OrgState[];
  liveAccounts: LiveAccount[];
  users: UserState[];
  records: Record<string, Record<string, EntityRecord[]>>;
  certs: CertRegistration[];
  scenarios: ScenarioState[];
  /** Per org (or `*`): tickets issued at or before this time (epoch ms) count as expired. */
  ticketCutoffs: Record<string, number>;
  crl: { number: number; nextUpdate: number };
}
