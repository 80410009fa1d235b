/**
 * The retry loop of a {@link CrmSession}'s CrmService calls. Each call takes the cached CRM ticket and
 * sends it, with the OrganizationDetail it came with, to that detail's CrmServiceUrl. An expired or bad
 * ticket fault invalidates only the ticket generation that failed (so a herd meeting the same fault joins
 * one refresh) and retries; a write is re-sent only when the fault proves it did not run.
 *
 * Two budgets bound the retries. An expired-ticket fault on a ticket that had already served calls, or
 * on the first ticket after one that had, is an early expiry: a new event rather than the same problem
 * again. Up to {@link MAX_EARLY_EXPIRIES} of those are retried per call without spending
 * `maxTicketRetries`; a call can meet several in a row through no fault of its own, because a herd of
 * calls in flight retries together on the new ticket, and an expiry that one of them meets fails the
 * others too. Any other refusal (a bad-ticket fault, or an expired fault on a ticket that follows one
 * that never served a call) counts against `maxTicketRetries` (default 1): new tickets refused at once
 * point at a lasting problem, so the call gives up fast. A read is tried once more after a transient failure (a
 * timeout, a reset or refused connection, HTTP 429/502/503/504), after a short jittered pause or the
 * server's Retry-After when that is at most 2 s.
 */
import type { CrmServiceApi } from '../clients/crm-service-client';
import type { CallOptions } from '../clients/round-trip';
import { CrmAuthError, isCrmAuthError } from '../errors';
import type { CrmAuthenticationToken } from '../messages/types';
import { abortable, type RefreshingCache } from './refreshing-cache';
import type { CrmTicketValue } from './session-tickets';

/** Transient failures worth one more try for a read; never for a write. */
const TRANSIENT_STATUS = new Set([429, 502, 503, 504]);
/** The longest pause before a read's one transient retry (a Retry-After above it is not waited for). */
export const MAX_TRANSIENT_DELAY_MS = 2_000;
/** Refusals of tickets that had already served calls (early expiries) retried per call. */
export const MAX_EARLY_EXPIRIES = 6;

/** What the loop needs from its session. */
export interface TicketCallContext {
  crm: RefreshingCache<CrmTicketValue>;
  maxTicketRetries: number;
  /** The newest ticket generation that at least one call succeeded with (session-wide, updated here; 0: none). */
  proven: { generation: number };
  /** The CrmService client for a CrmServiceUrl (one per URL). */
  client: (crmServiceUrl: string) => CrmServiceApi;
  /** An expired or bad ticket fault was met (for the session's counts and events). */
  onTicketFault: (code: 'ERR_CRM_EXPIRED_TICKET' | 'ERR_CRM_BAD_TICKET', operation: string) => void;
  /** The org's unique name for an error, once known. */
  orgField: () => { organizationName?: string };
}

/** One CrmService call: `idempotent` for the reads (WhoAmI, Retrieve, RetrieveMultiple). */
export async function callWithTicket<T>(
  ctx: TicketCallContext,
  operation: string,
  idempotent: boolean,
  callerId: string | null,
  call: CallOptions,
  send: (client: CrmServiceApi, token: CrmAuthenticationToken, call: CallOptions) => Promise<T>,
): Promise<T> {
  let minGeneration = 0;
  let ticketRetries = 0;
  let earlyExpiries = 0;
  let transientRetried = false;
  for (;;) {
    const entry = await ctx.crm.get({ minGeneration, ...call });
    // The ticket and the URL come from one entry: a CRM ticket goes only to the CrmServiceUrl that
    // came with it in RetrieveCrmTicket's OrganizationDetail (or a store entry bound to it).
    const token: CrmAuthenticationToken = {
      authenticationType: 1,
      crmTicket: entry.value.crmTicket,
      organizationName: entry.value.organizationDetail.organizationName,
      callerId,
    };
    const client = ctx.client(entry.value.organizationDetail.crmServiceUrl);
    try {
      const result = await send(client, token, call);
      if (entry.generation > ctx.proven.generation) ctx.proven.generation = entry.generation;
      return result;
    } catch (err) {
      if (isCrmAuthError(err, 'ERR_CRM_EXPIRED_TICKET', 'ERR_CRM_BAD_TICKET')) {
        ctx.onTicketFault(err.code as 'ERR_CRM_EXPIRED_TICKET' | 'ERR_CRM_BAD_TICKET', operation);
        // Only this generation: the rest of a herd that met the same fault joins one refresh.
        ctx.crm.invalidate(entry.generation);
        minGeneration = entry.generation;
        // A write is re-sent only when the server proves it did not run it (a CRM fault does).
        if (!idempotent && err.notExecuted !== true) throw err;
        // An expiry of a ticket that served calls, or of the one right after it: its own budget.
        const early =
          err.code === 'ERR_CRM_EXPIRED_TICKET' &&
          ctx.proven.generation > 0 &&
          entry.generation <= ctx.proven.generation + 1;
        if (early ? earlyExpiries >= MAX_EARLY_EXPIRIES : ticketRetries >= ctx.maxTicketRetries) {
          const refreshes = ticketRetries + earlyExpiries;
          throw new CrmAuthError(
            'ERR_RETRIES_EXHAUSTED',
            early
              ? `${operation}: ${earlyExpiries + 1} tickets expired early during this call (each one while serving calls, or right after one that had); gave up after ${refreshes} refresh(es)`
              : `${operation}: the ticket was refused again after ${refreshes} refresh(es)`,
            {
              cause: err,
              operation,
              ...ctx.orgField(),
              ...(err.notExecuted ? { notExecuted: true } : {}),
            },
          );
        }
        if (early) earlyExpiries += 1;
        else ticketRetries += 1;
        continue;
      }
      // Reads may be tried once more after a transient failure; writes never (they may have run).
      if (idempotent && !transientRetried && isTransient(err)) {
        const delay = transientDelay(err);
        if (delay !== undefined) {
          transientRetried = true;
          await sleep(delay, call.signal);
          continue;
        }
      }
      throw err;
    }
  }
}

function isTransient(err: unknown): boolean {
  if (!isCrmAuthError(err)) return false;
  if (
    err.code === 'ERR_TIMEOUT' ||
    err.code === 'ERR_CONNECTION_RESET' ||
    err.code === 'ERR_CONNECTION_REFUSED'
  )
    return true;
  return (
    err.code === 'ERR_HTTP_STATUS' && err.httpStatus !== undefined && TRANSIENT_STATUS.has(err.httpStatus)
  );
}

/** Full jitter up to 250 ms, or the server's Retry-After when it asks for no more than the cap. */
function transientDelay(err: unknown): number | undefined {
  const after = isCrmAuthError(err) ? err.retryAfterMs : undefined;
  if (after !== undefined) return after <= MAX_TRANSIENT_DELAY_MS ? after : undefined;
  return Math.floor(Math.random() * 250);
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return abortable(
    new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      t.unref?.();
    }),
    signal,
  );
}
