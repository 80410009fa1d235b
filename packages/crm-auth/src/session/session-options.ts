/**
 * The options of a {@link CrmSession}: what each one means, its default, and the one check of them all
 * (`checkSessionOptions`, run once by the constructor). Also the checks of the per-call arguments
 * (`callerId`, a PUID). Misuse is a CrmAuthError ERR_INVALID_OPTIONS naming the option, thrown by the
 * helpers of `src/option-checks.ts` that every class of the package uses.
 */
import { CertificateBundle } from '../certificates/certificate-bundle';
import { normalizeThumbprint } from '../certificates/thumbprint';
import type { CrmServiceApi } from '../clients/crm-service-client';
import type { DiscoveryApi } from '../clients/discovery-client';
import type { CallOptions } from '../clients/round-trip';
import type { WlidApi } from '../clients/wlid-client';
import { EMPTY_GUID, WLID } from '../messages/constants';
import {
  httpsUrl,
  invalidOptions,
  nonBlankString,
  nonNegativeNumber,
  optionalFunction,
  optionalPemList,
  positiveNumber,
  requireObject,
} from '../option-checks';
import type { OnBehalfOf } from './org-session';
import type { SessionEvent } from './session-event';
import { MemoryTicketStore, type TicketStore } from './ticket-store';
import { MemoryUserIdStore, type UserIdStore } from './user-id-store';

/** Options of {@link CrmSession}. Checked once, in the constructor. */
export interface CrmSessionOptions {
  /** `https://dev.crm.dynamics.com/MSCRMServices/2007/Passport/CrmDiscoveryService.asmx` or the emulator's. */
  discoveryUrl: string;
  /** The Windows Live STS. Default `https://login.live.com/RST2.srf`. */
  stsUrl?: string;
  /** `wsp:AppliesTo` of the Passport ticket. Default `crm.dynamics.com`. */
  partnerDomain?: string;
  /** The org's unique name. Give this or `friendlyName`. */
  organizationName?: string;
  /**
   * The org's display name, resolved once with RetrieveOrganizations by {@link matchOrganization}
   * (a unique name matches too; a name two orgs share is ERR_ORG_AMBIGUOUS).
   */
  friendlyName?: string;
  /** The service account's certificate (TLS client certificate to the STS). */
  certificate: CertificateBundle;
  /** Trusted server CAs in PEM (replace Node's store). */
  ca?: ReadonlyArray<string>;
  /** Where tickets are shared between processes. Default: memory. */
  ticketStore?: TicketStore;
  /**
   * PUID → systemuserid cache for this org. Default: memory. `null`: no cache in the session, every
   * resolveUserId asks discovery (for a caller that keeps the mapping itself, as the API does in its
   * `user_mappings` table, so that there is one cache to evict).
   */
  userIdStore?: UserIdStore | null;
  /** Epoch ms. Default `Date.now`. */
  clock?: () => number;
  /** Refresh tickets this long before expiry (capped to a quarter of their lifetime). Default 5 min. */
  refreshAheadMs?: number;
  /** Refresh-and-retry rounds after an expired or bad ticket fault. Default 1. */
  maxTicketRetries?: number;
  /** Per remote call. Default 30 000 ms. */
  timeoutMs?: number;
  /**
   * Connections the session opens to discovery and to each CrmService (keep-alive): at most this many calls are
   * in flight to one of them at a time, the rest wait for a connection. Default 32.
   */
  connections?: number;
  /** Per ticket refresh, lock wait included. Default 3 × timeoutMs. */
  refreshTimeoutMs?: number;
  /** How long a resolved user id is cached. Default 1 h. */
  userIdTtlMs?: number;
  /** How long "no such user" is cached. Default 5 min. */
  negativeUserIdTtlMs?: number;
  /**
   * Wraps each ticket refresh, e.g. in a Postgres advisory lock, so that many processes refresh
   * once. The function runs `fn` while holding the lock for `key`.
   */
  refreshLock?: <T>(key: string, fn: () => Promise<T>) => Promise<T>;
  /** Ticket health and metrics. Must not throw (if it does, the error is ignored). */
  onEvent?: (event: SessionEvent) => void;
  /** Replacement clients (tests, custom transports). The session closes only clients it made. */
  clients?: {
    wlid?: WlidApi;
    discovery?: DiscoveryApi;
    crmService?: (crmServiceUrl: string) => CrmServiceApi;
  };
}

/** Per-call options of the session's CrmService methods. */
export interface SessionCallOptions extends CallOptions {
  /** The systemuserid to act for (impersonation); omit to act as the service account. */
  callerId?: string | null;
  /** Who to act for, as an OrgSession call names it (a PUID is looked up); not with `callerId`. */
  onBehalfOf?: OnBehalfOf;
}

/** The options once checked, every default applied. Internal to the session folder. */
export interface SessionSettings {
  discoveryUrl: string;
  stsUrl: string;
  partnerDomain: string;
  organizationName: string | undefined;
  friendlyName: string | undefined;
  certificate: CertificateBundle;
  /** The certificate's SHA-1 thumbprint, plain lower-case hex: the service account in ticket keys. */
  account: string;
  ca: ReadonlyArray<string> | undefined;
  clock: () => number;
  refreshAheadMs: number;
  maxTicketRetries: number;
  timeoutMs: number;
  connections: number;
  refreshTimeoutMs: number;
  userIdTtlMs: number;
  negativeUserIdTtlMs: number;
  ticketStore: TicketStore;
  userIdStore: UserIdStore | null;
  refreshLock: <T>(key: string, fn: () => Promise<T>) => Promise<T>;
  onEvent: ((event: SessionEvent) => void) | undefined;
  clients: CrmSessionOptions['clients'];
}

const DEFAULT_REFRESH_AHEAD_MS = 5 * 60_000;
const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_CONNECTIONS = 32;
const MAX_CONNECTIONS = 4096;
const MAX_TICKET_RETRIES = 5;
const GUID = /^\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?$/;
const HEX_PUID = /^[0-9a-fA-F]{16}$/;

/** Checks every option, in declaration order, and applies the defaults. */
export function checkSessionOptions(options: CrmSessionOptions): SessionSettings {
  requireObject(options, 'CrmSession options');
  const o = options;
  const discoveryUrl = httpsUrl(o.discoveryUrl, 'discoveryUrl');
  const stsUrl = httpsUrl(o.stsUrl ?? WLID.defaultStsUrl, 'stsUrl');
  const partnerDomain = nonBlankString(o.partnerDomain ?? 'crm.dynamics.com', 'partnerDomain');
  if (o.organizationName === undefined && o.friendlyName === undefined) {
    throw invalidOptions('give organizationName (unique name) or friendlyName');
  }
  const organizationName =
    o.organizationName === undefined ? undefined : nonBlankString(o.organizationName, 'organizationName');
  const friendlyName =
    o.friendlyName === undefined ? undefined : nonBlankString(o.friendlyName, 'friendlyName');
  if (!(o.certificate instanceof CertificateBundle))
    throw invalidOptions('certificate must be a CertificateBundle');
  const account = normalizeThumbprint(o.certificate.thumbprintSha1Hex);
  const clock = optionalFunction(o.clock, 'clock') ?? Date.now;
  const refreshAheadMs = nonNegativeNumber(o.refreshAheadMs, DEFAULT_REFRESH_AHEAD_MS, 'refreshAheadMs');
  const maxTicketRetries = nonNegativeNumber(o.maxTicketRetries, 1, 'maxTicketRetries');
  if (!Number.isInteger(maxTicketRetries) || maxTicketRetries > MAX_TICKET_RETRIES)
    throw invalidOptions(`maxTicketRetries must be an integer from 0 to ${MAX_TICKET_RETRIES}`);
  const timeoutMs = positiveNumber(o.timeoutMs, DEFAULT_TIMEOUT_MS, 'timeoutMs');
  const connections = positiveNumber(o.connections, DEFAULT_CONNECTIONS, 'connections');
  if (!Number.isInteger(connections) || connections > MAX_CONNECTIONS)
    throw invalidOptions(`connections must be an integer from 1 to ${MAX_CONNECTIONS}`);
  const refreshTimeoutMs = positiveNumber(o.refreshTimeoutMs, 3 * timeoutMs, 'refreshTimeoutMs');
  const userIdTtlMs = positiveNumber(o.userIdTtlMs, 60 * 60_000, 'userIdTtlMs');
  const negativeUserIdTtlMs = positiveNumber(o.negativeUserIdTtlMs, 5 * 60_000, 'negativeUserIdTtlMs');
  const ca = optionalPemList(o.ca, 'ca');
  return {
    discoveryUrl,
    stsUrl,
    partnerDomain,
    organizationName,
    friendlyName,
    certificate: o.certificate,
    account,
    ca,
    clock,
    refreshAheadMs,
    maxTicketRetries,
    timeoutMs,
    connections,
    refreshTimeoutMs,
    userIdTtlMs,
    negativeUserIdTtlMs,
    ticketStore: o.ticketStore ?? new MemoryTicketStore(),
    userIdStore: o.userIdStore === null ? null : (o.userIdStore ?? new MemoryUserIdStore({ clock })),
    refreshLock: optionalFunction(o.refreshLock, 'refreshLock') ?? ((_key, fn) => fn()),
    onEvent: optionalFunction(o.onEvent, 'onEvent'),
    clients: o.clients,
  };
}

/** A call's `callerId`: a GUID (braces optional, any case) → lower case; absent or the empty GUID → null. */
export function checkCallerId(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || !GUID.test(value)) throw invalidOptions('callerId must be a GUID');
  const id = value.replace(/[{}]/g, '').toLowerCase();
  return id === EMPTY_GUID ? null : id;
}

/** A Live user's HexPUID (16 hex digits, any case) → upper case. */
export function checkHexPuid(value: unknown): string {
  if (typeof value !== 'string' || !HEX_PUID.test(value))
    throw invalidOptions('hexPuid must be 16 hex digits');
  return value.toUpperCase();
}
