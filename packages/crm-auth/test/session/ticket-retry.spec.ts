import { describe, expect, it } from 'vitest';
import type { CrmServiceApi } from '../../src/clients/crm-service-client';
import { CrmAuthError } from '../../src/errors';
import type { CrmAuthenticationToken } from '../../src/messages/types';
import type { CacheEntry, RefreshingCache } from '../../src/session/refreshing-cache';
import type { CrmTicketValue } from '../../src/session/session-tickets';
import { callWithTicket, MAX_EARLY_EXPIRIES, type TicketCallContext } from '../../src/session/ticket-retry';

/**
 * A CRM ticket cache whose every refresh makes a new generation, and a CRM that refuses the tickets a
 * test names: `fresh` refuses a ticket as expired before any call succeeded with it, `served` after other
 * calls had (what early expiry does to a ticket shared by calls in flight), `served-bad` as a bad ticket
 * after it had served calls.
 */
type Refusal = 'fresh' | 'served' | 'served-bad' | false;

function setup(opts: { maxTicketRetries: number; refused: (gen: number) => Refusal }) {
  let generation = 1;
  const refreshes: number[] = [];
  const cache = {
    get: async ({ minGeneration = 0 }: { minGeneration?: number } = {}) => {
      if (generation <= minGeneration) {
        generation = minGeneration + 1;
        refreshes.push(generation);
      }
      return {
        generation,
        issuedAt: 0,
        expiresAt: Number.MAX_SAFE_INTEGER,
        value: {
          crmTicket: `ticket-${generation}`,
          organizationDetail: { organizationName: 'contoso', crmServiceUrl: 'https://crm.example/' },
        },
      } as unknown as CacheEntry<CrmTicketValue>;
    },
    invalidate: () => undefined,
  } as unknown as RefreshingCache<CrmTicketValue>;
  const faults: string[] = [];
  const ctx: TicketCallContext = {
    crm: cache,
    maxTicketRetries: opts.maxTicketRetries,
    proven: { generation: 0 },
    client: () => ({}) as CrmServiceApi,
    onTicketFault: (code) => faults.push(code),
    orgField: () => ({ organizationName: 'contoso' }),
  };
  const sent: string[] = [];
  const send = async (_c: CrmServiceApi, token: CrmAuthenticationToken) => {
    sent.push(token.crmTicket);
    const gen = Number(token.crmTicket.split('-')[1]);
    const refused = opts.refused(gen);
    // Another call succeeded with this ticket before it died.
    if ((refused === 'served' || refused === 'served-bad') && ctx.proven.generation < gen)
      ctx.proven.generation = gen;
    if (refused === 'served-bad') {
      throw new CrmAuthError('ERR_CRM_BAD_TICKET', 'The ticket specified for authentication is invalid', {
        notExecuted: true,
      });
    }
    if (refused) {
      throw new CrmAuthError('ERR_CRM_EXPIRED_TICKET', 'The ticket specified for authentication is expired', {
        notExecuted: true,
      });
    }
    return `done with ${token.crmTicket}`;
  };
  const call = () => callWithTicket(ctx, 'Create', false, null, {}, send);
  return { ctx, call, sent, refreshes, faults };
}

const thrown = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e as CrmAuthError,
  );

describe('callWithTicket: the two retry budgets', () => {
  it(`a call meets ${MAX_EARLY_EXPIRIES} tickets in a row that expired early after serving other calls, and still succeeds with maxTicketRetries 0`, async () => {
    const t = setup({ maxTicketRetries: 0, refused: (g) => (g <= MAX_EARLY_EXPIRIES ? 'served' : false) });
    expect(await t.call()).toBe(`done with ticket-${MAX_EARLY_EXPIRIES + 1}`);
    expect(t.refreshes).toHaveLength(MAX_EARLY_EXPIRIES);
    expect(t.faults).toEqual(Array(MAX_EARLY_EXPIRIES).fill('ERR_CRM_EXPIRED_TICKET'));
    expect(t.ctx.proven.generation).toBe(MAX_EARLY_EXPIRIES + 1);
  });

  it(`one more early expiry than ${MAX_EARLY_EXPIRIES} gives up: ERR_RETRIES_EXHAUSTED saying the tickets expired early, with the fault as cause`, async () => {
    const t = setup({ maxTicketRetries: 5, refused: () => 'served' });
    const err = await thrown(t.call());
    expect(err).toBeInstanceOf(CrmAuthError);
    expect(err).toMatchObject({
      code: 'ERR_RETRIES_EXHAUSTED',
      operation: 'Create',
      organizationName: 'contoso',
      notExecuted: true,
      cause: { code: 'ERR_CRM_EXPIRED_TICKET' },
    });
    expect(err!.message).toBe(
      `Create: ${MAX_EARLY_EXPIRIES + 1} tickets expired early during this call (each one while serving calls, or right after one that had); gave up after ${MAX_EARLY_EXPIRIES} refresh(es)`,
    );
    // The early-expiry budget is its own: maxTicketRetries (5) was not spent.
    expect(t.sent).toHaveLength(MAX_EARLY_EXPIRIES + 1);
  });

  it('a new ticket refused before any call succeeded with it spends maxTicketRetries, and the call gives up fast', async () => {
    const t = setup({ maxTicketRetries: 1, refused: () => 'fresh' });
    const err = await thrown(t.call());
    expect(err).toMatchObject({ code: 'ERR_RETRIES_EXHAUSTED', cause: { code: 'ERR_CRM_EXPIRED_TICKET' } });
    expect(err!.message).toBe('Create: the ticket was refused again after 1 refresh(es)');
    expect(t.sent).toEqual(['ticket-1', 'ticket-2']);
    expect(t.ctx.proven.generation).toBe(0);
  });

  it('after a ticket that served calls expires, the next one expiring before serving any is still early (a herd retried on it); the one after that spends maxTicketRetries', async () => {
    const t = setup({ maxTicketRetries: 1, refused: (g) => (g === 1 ? 'served' : 'fresh') });
    const err = await thrown(t.call());
    // ticket-1 and ticket-2 early (free), ticket-3 spends the one retry, ticket-4 gives up.
    expect(err!.message).toBe('Create: the ticket was refused again after 3 refresh(es)');
    expect(t.sent).toEqual(['ticket-1', 'ticket-2', 'ticket-3', 'ticket-4']);
  });

  it('a bad-ticket fault is never an early expiry: even on a ticket that served calls it spends maxTicketRetries', async () => {
    const t = setup({ maxTicketRetries: 1, refused: () => 'served-bad' });
    const err = await thrown(t.call());
    expect(err).toMatchObject({ code: 'ERR_RETRIES_EXHAUSTED', cause: { code: 'ERR_CRM_BAD_TICKET' } });
    expect(err!.message).toBe('Create: the ticket was refused again after 1 refresh(es)');
    expect(t.faults).toEqual(['ERR_CRM_BAD_TICKET', 'ERR_CRM_BAD_TICKET']);
  });

  it('a success records its ticket generation as proven, and an older success never lowers it', async () => {
    const t = setup({ maxTicketRetries: 1, refused: () => false });
    await t.call();
    expect(t.ctx.proven.generation).toBe(1);
    t.ctx.proven.generation = 7;
    await t.call();
    expect(t.ctx.proven.generation).toBe(7);
  });
});
