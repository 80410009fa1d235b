/**
 * Where a {@link CrmSession}'s two tickets come from: the Passport ticket (RetrievePolicy, then the
 * Windows Live STS) and the CRM ticket (RetrieveCrmTicket with the Passport ticket). Each sits in a
 * {@link RefreshingCache} (one refresh at a time, ahead of expiry, with a cooldown after a failure);
 * each refresh runs under the caller's refresh lock, takes the shared ticket store's entry when it is
 * still fresh, bound to this org and not the ticket just refused, and otherwise asks the service and
 * stores the answer. A refused Passport ticket is replaced once per discovery call.
 */
import type { DiscoveryApi } from '../clients/discovery-client';
import type { PassportTicket, WlidApi } from '../clients/wlid-client';
import { CrmAuthError, isCrmAuthError } from '../errors';
import type { OrganizationDetail } from '../messages/types';
import { ticketStoreCall, underRefreshLock } from './local-fault';
import {
  RefreshingCache,
  refreshTimes,
  type CacheEntry,
  type LoadContext,
  type Loaded,
  type RefreshingCacheOptions,
} from './refreshing-cache';
import type { SessionSettings } from './session-options';
import type { StoredTicket } from './ticket-store';

/** A CRM ticket with the OrganizationDetail it came with (its CrmServiceUrl is where it may go). */
export interface CrmTicketValue {
  crmTicket: string;
  organizationDetail: OrganizationDetail;
}

type CacheHooks<T> = Pick<RefreshingCacheOptions<T>, 'onLoaded' | 'onFailed'>;

export interface SessionTicketsOptions {
  settings: Pick<
    SessionSettings,
    | 'discoveryUrl'
    | 'stsUrl'
    | 'partnerDomain'
    | 'account'
    | 'clock'
    | 'refreshAheadMs'
    | 'refreshTimeoutMs'
    | 'ticketStore'
    | 'refreshLock'
  >;
  wlid: WlidApi;
  discovery: DiscoveryApi;
  /** The org's unique name (resolved first when the session was given a friendly name). */
  organizationName: (signal: AbortSignal | undefined) => Promise<string>;
  passport: CacheHooks<PassportTicket>;
  crm: CacheHooks<CrmTicketValue>;
}

export class SessionTickets {
  readonly passport: RefreshingCache<PassportTicket>;
  readonly crm: RefreshingCache<CrmTicketValue>;
  readonly #o: SessionTicketsOptions;
  readonly #s: SessionTicketsOptions['settings'];
  readonly #stsKey: string;
  #policy: string | undefined;
  /** The CrmServiceUrl of the last RetrieveCrmTicket answer: where this org's tickets go. */
  #boundCrmServiceUrl: string | undefined;

  constructor(options: SessionTicketsOptions) {
    this.#o = options;
    const s = options.settings;
    this.#s = s;
    this.#stsKey = `passport|${new URL(s.stsUrl).host}|${s.partnerDomain}|${s.account}`;
    const common = { clock: s.clock, refreshAheadMs: s.refreshAheadMs, attemptTimeoutMs: s.refreshTimeoutMs };
    this.passport = new RefreshingCache<PassportTicket>({
      name: 'Passport ticket',
      ...common,
      load: (ctx) => this.#loadPassport(ctx),
      ...options.passport,
    });
    this.crm = new RefreshingCache<CrmTicketValue>({
      name: 'CRM ticket',
      ...common,
      load: (ctx) => this.#loadCrmTicket(ctx),
      ...options.crm,
    });
  }

  /** Runs a discovery call with the Passport ticket; a refused Passport ticket is replaced once. */
  async withPassport<T>(
    signal: AbortSignal | undefined,
    call: (passportTicket: string) => Promise<T>,
  ): Promise<T> {
    let minGeneration = 0;
    for (let attempt = 0; ; attempt += 1) {
      const passport: CacheEntry<PassportTicket> = await this.passport.get({
        minGeneration,
        ...(signal ? { signal } : {}),
      });
      try {
        return await call(passport.value.ticket);
      } catch (err) {
        if (attempt === 0 && isCrmAuthError(err, 'ERR_CRM_BAD_TICKET', 'ERR_CRM_EXPIRED_TICKET')) {
          this.passport.invalidate(passport.generation);
          minGeneration = passport.generation;
          continue;
        }
        throw err;
      }
    }
  }

  async #loadPassport(ctx: LoadContext<PassportTicket>): Promise<Loaded<PassportTicket>> {
    const s = this.#s;
    return underRefreshLock(s.refreshLock, this.#stsKey, async () => {
      const stored = await ticketStoreCall('get', () => s.ticketStore.get(this.#stsKey));
      if (stored && this.#storedIsFresh(stored, ctx, ctx.rejected?.ticket)) {
        return {
          value: {
            ticket: stored.ticket,
            created: new Date(stored.issuedAt),
            expires: new Date(stored.expiresAt),
          },
          issuedAt: stored.issuedAt,
          expiresAt: stored.expiresAt,
          fromStore: true,
        };
      }
      if (this.#policy === undefined) {
        const { policy } = await this.#o.discovery.retrievePolicy({ signal: ctx.signal });
        this.#policy = policy;
      }
      const ticket = await this.#o.wlid.requestTicket({
        policy: this.#policy,
        appliesTo: s.partnerDomain,
        signal: ctx.signal,
      });
      const issuedAt = s.clock();
      const expiresAt = ticket.expires.getTime();
      await ticketStoreCall('set', () =>
        s.ticketStore.set(this.#stsKey, { ticket: ticket.ticket, issuedAt, expiresAt }),
      );
      return { value: ticket, issuedAt, expiresAt };
    });
  }

  async #loadCrmTicket(ctx: LoadContext<CrmTicketValue>): Promise<Loaded<CrmTicketValue>> {
    const s = this.#s;
    const organizationName = await this.#o.organizationName(ctx.signal);
    const key = `crm-ticket|${new URL(s.discoveryUrl).host}|${organizationName.toLowerCase()}|${s.account}`;
    return underRefreshLock(s.refreshLock, key, async () => {
      // Another process may have refreshed while this one waited for the lock.
      const stored = await ticketStoreCall('get', () => s.ticketStore.get(key));
      if (
        stored?.organizationDetail &&
        this.#storedIsBound(stored.organizationDetail, organizationName) &&
        this.#storedIsFresh(stored, ctx, ctx.rejected?.crmTicket)
      ) {
        return {
          value: { crmTicket: stored.ticket, organizationDetail: stored.organizationDetail },
          issuedAt: stored.issuedAt,
          expiresAt: stored.expiresAt,
          fromStore: true,
        };
      }
      const result = await this.withPassport(ctx.signal, (passportTicket) =>
        this.#o.discovery.retrieveCrmTicket(organizationName, passportTicket, { signal: ctx.signal }),
      );
      const detail = result.organizationDetail;
      // A ticket is for one org: never use one the service issued for another (docs/protocol.md §9.1).
      if (detail.organizationName.toLowerCase() !== organizationName.toLowerCase()) {
        throw new CrmAuthError(
          'ERR_UNEXPECTED_MESSAGE',
          'RetrieveCrmTicket answered for another organization',
          {
            operation: 'RetrieveCrmTicket',
            organizationName,
          },
        );
      }
      // The CRM ticket goes to CrmServiceUrl: only over TLS.
      if (!isHttpsUrl(detail.crmServiceUrl)) {
        throw new CrmAuthError(
          'ERR_UNEXPECTED_MESSAGE',
          "the organization's CrmServiceUrl is not an https URL",
          {
            operation: 'RetrieveCrmTicket',
          },
        );
      }
      this.#boundCrmServiceUrl = detail.crmServiceUrl;
      const issuedAt = s.clock();
      const expiresAt = result.expirationDate.getTime();
      await ticketStoreCall('set', () =>
        s.ticketStore.set(key, {
          ticket: result.crmTicket,
          issuedAt,
          expiresAt,
          organizationDetail: detail,
        }),
      );
      return { value: { crmTicket: result.crmTicket, organizationDetail: detail }, issuedAt, expiresAt };
    });
  }

  /**
   * A stored CRM ticket is used only with the org and the CrmService URL it was issued with: the
   * entry must name this org and an https CrmServiceUrl and, once this session has had a ticket from
   * discovery itself, that ticket's CrmServiceUrl. An entry for another org, or one whose URL differs
   * (another org's URL, a rewritten row), is left alone and a new ticket is fetched. The store must
   * give back the organizationDetail it was given with the ticket.
   */
  #storedIsBound(detail: OrganizationDetail, organizationName: string): boolean {
    if (detail.organizationName?.toLowerCase() !== organizationName.toLowerCase()) return false;
    if (!isHttpsUrl(detail.crmServiceUrl)) return false;
    return this.#boundCrmServiceUrl === undefined || sameUrl(detail.crmServiceUrl, this.#boundCrmServiceUrl);
  }

  /** A stored ticket is taken when still clear of its refresh window and not the one just refused. */
  #storedIsFresh(stored: StoredTicket, ctx: LoadContext<unknown>, rejected: string | undefined): boolean {
    if (ctx.reason === 'forced') return false;
    if (rejected !== undefined && stored.ticket === rejected) return false;
    return this.#s.clock() < refreshTimes(stored, this.#s.refreshAheadMs).refreshAt;
  }
}

/** A URL from a server or a store (not an option): true when it is an absolute https URL. */
function isHttpsUrl(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    return new URL(value).protocol === 'https:';
  } catch {
    return false;
  }
}

function sameUrl(a: string, b: string): boolean {
  return new URL(a).href === new URL(b).href;
}
