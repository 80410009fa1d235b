import { describe, expect, it } from 'vitest';
import { DomainException } from '../common/domain-exception';
import type { AppConfig } from '../config/app-config';
import type { OrgDirectory, OrgRecord } from '../orgs/org-directory';
import type { TicketEventEntity } from './ticket-event.entity';
import { TicketHealthService } from './ticket-health.service';
import type { TicketEventBucket, TicketHealthRow, TicketsRepository } from './tickets.repository';
import type { TicketsService } from './tickets.service';

const HOUR = 3_600_000;
const ORG = { id: 'o1', friendlyName: 'Contoso' } as OrgRecord;
const ORG2 = { id: 'o2', friendlyName: 'Fabrikam' } as OrgRecord;

function healthRow(over: Partial<TicketHealthRow> = {}): TicketHealthRow {
  return {
    crmExpiresAt: new Date(Date.now() + 8 * HOUR),
    passportExpiresAt: new Date('2026-12-04T10:00:00Z'),
    crmIssuedAt: new Date('2026-12-03T10:00:00Z'),
    lastRefreshAt: new Date('2026-12-03T11:00:00Z'),
    lastRefreshLatencyMs: 120,
    refreshCount: 3,
    lastErrorCode: null,
    expiredFaults24h: 2,
    failures24h: 1,
    ...over,
  };
}

function setup(opts: {
  rows?: Record<string, TicketHealthRow>;
  events?: Partial<TicketEventEntity>[];
  series?: TicketEventBucket[];
  orgs?: OrgRecord[];
}) {
  const asked: string[] = [];
  const repo = {
    healthRow: async (orgId: string) => opts.rows?.[orgId] ?? null,
    recentEvents: async (orgId: string, limit: number) => {
      asked.push(`events ${orgId} ${limit}`);
      return opts.events ?? [];
    },
    hourlySeries: async (orgId: string) => {
      asked.push(`series ${orgId}`);
      return opts.series ?? [];
    },
  } as unknown as TicketsRepository;
  const orgs = opts.orgs ?? [ORG];
  const directory = {
    find: async (id: string) => orgs.find((o) => o.id === id) ?? null,
    list: async () => orgs,
  } as unknown as OrgDirectory;
  const tickets = {
    breakerState: (orgId: string) => (orgId === 'o2' ? 'open' : 'closed'),
  } as unknown as TicketsService;
  const config = { ticketRefreshAheadSec: 300 } as AppConfig;
  return { service: new TicketHealthService(repo, config, directory, tickets), asked };
}

describe('TicketHealthService.summary', () => {
  it('is null for an org without a ticket row', async () => {
    expect(await setup({}).service.summary('o1')).toBeNull();
  });

  it('maps the row: dates as ISO strings, counters as they are, the state from the expiry and the last error', async () => {
    const row = healthRow();
    expect(await setup({ rows: { o1: row } }).service.summary('o1')).toEqual({
      state: 'valid',
      crmTicketExpiresAt: row.crmExpiresAt!.toISOString(),
      passportTicketExpiresAt: '2026-12-04T10:00:00.000Z',
      issuedAt: '2026-12-03T10:00:00.000Z',
      lastRefreshAt: '2026-12-03T11:00:00.000Z',
      lastRefreshLatencyMs: 120,
      refreshCount: 3,
      expiredFaults24h: 2,
      failures24h: 1,
      lastErrorCode: null,
    });
  });

  it('reads the refresh-ahead window from the config, and a last error as failing', async () => {
    const soon = healthRow({ crmExpiresAt: new Date(Date.now() + 200_000) });
    const failing = healthRow({ lastErrorCode: '0x80048306' });
    const { service } = setup({ rows: { o1: soon, o2: failing } });
    expect((await service.summary('o1'))?.state).toBe('expiring');
    expect(await service.summary('o2')).toMatchObject({ state: 'failing', lastErrorCode: '0x80048306' });
  });

  it('answers null dates for a cleared row, whose ticket is missing', async () => {
    const cleared = healthRow({
      crmExpiresAt: null,
      passportExpiresAt: null,
      crmIssuedAt: null,
      lastRefreshAt: null,
    });
    expect(await setup({ rows: { o1: cleared } }).service.summary('o1')).toMatchObject({
      state: 'missing',
      crmTicketExpiresAt: null,
      passportTicketExpiresAt: null,
      issuedAt: null,
      lastRefreshAt: null,
    });
  });
});

describe('TicketHealthService.health', () => {
  it('answers ORG_NOT_FOUND (404) for an unknown org, before reading its events', async () => {
    const { service, asked } = setup({});
    const err = await service.health('nope').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DomainException);
    expect(err).toMatchObject({ status: 404, code: 'ORG_NOT_FOUND' });
    expect(asked).toEqual([]);
  });

  it('lists the latest 200 events and the hourly series with ISO times, and the breaker', async () => {
    const at = new Date('2026-12-03T10:15:00Z');
    const bucket = new Date('2026-12-03T10:00:00Z');
    const { service, asked } = setup({
      rows: { o1: healthRow() },
      events: [
        { id: '9', type: 'refreshed', at, latencyMs: 80, errorCode: null, orgId: 'o1', instance: 'api-1' },
      ],
      series: [{ bucket, issued: 1, refreshed: 2, expired: 3, failures: 4 }],
    });
    const h = await service.health('o1');
    expect(asked).toEqual(['events o1 200', 'series o1']);
    expect(h.orgId).toBe('o1');
    expect(h.ticket?.refreshCount).toBe(3);
    expect(h.events).toEqual([
      { id: '9', type: 'refreshed', at: '2026-12-03T10:15:00.000Z', latencyMs: 80, errorCode: null },
    ]);
    expect(h.series).toEqual([
      { bucketStart: '2026-12-03T10:00:00.000Z', issued: 1, refreshed: 2, expiredFaults: 3, failures: 4 },
    ]);
    expect(h.breaker).toBe('closed');
  });
});

describe('TicketHealthService.healthAll', () => {
  it('has one item per org, in the directory order, with its summary and breaker', async () => {
    const { service } = setup({ orgs: [ORG, ORG2], rows: { o2: healthRow() } });
    const all = await service.healthAll();
    expect(all.items.map((i) => [i.orgId, i.friendlyName, i.ticket?.state ?? null, i.breaker])).toEqual([
      ['o1', 'Contoso', null, 'closed'],
      ['o2', 'Fabrikam', 'valid', 'open'],
    ]);
  });
});
