import { describe, expect, it } from 'vitest';
import type { CertificateSummary, CertificatesService } from '../certificates/certificates.service';
import type { LedgerService } from '../crm/ledger.service';
import type { OrgDirectory, OrgRecord, RunStatus } from '../orgs/org-directory';
import type { TicketHealthService, TicketSummary } from '../tickets/ticket-health.service';
import type { TicketsService } from '../tickets/tickets.service';
import { OverviewService, certificateAttention } from './overview.service';

const DAY = 86_400_000;

/** An org's calls of the last 24 hours, as the ledger counts them. */
type CallCounts = NonNullable<ReturnType<Awaited<ReturnType<LedgerService['callCounts24h']>>['get']>>;

const org = (id: string, friendlyName: string, over: Partial<OrgRecord> = {}): OrgRecord =>
  ({
    id,
    friendlyName,
    organizationName: null,
    status: 'active',
    certificateId: `cert-${id}`,
    ...over,
  }) as OrgRecord;

const cert = (id: string, over: Partial<CertificateSummary> = {}): CertificateSummary => ({
  id,
  name: id,
  notAfter: new Date(Date.now() + 365 * DAY).toISOString(),
  daysToExpiry: 365,
  status: 'valid',
  ...over,
});

const ticket = (over: Partial<TicketSummary> = {}): TicketSummary => ({
  state: 'valid',
  crmTicketExpiresAt: null,
  passportTicketExpiresAt: null,
  issuedAt: null,
  lastRefreshAt: null,
  lastRefreshLatencyMs: null,
  refreshCount: 0,
  expiredFaults24h: 0,
  failures24h: 0,
  lastErrorCode: null,
  ...over,
});

function setup(opts: {
  orgs: OrgRecord[];
  certs?: CertificateSummary[];
  calls?: Record<string, CallCounts>;
  runs?: Record<string, RunStatus>;
  tickets?: Record<string, TicketSummary>;
  open?: string[];
}) {
  const ledger = { callCounts24h: async () => new Map(Object.entries(opts.calls ?? {})) } as LedgerService;
  const directory = {
    list: async () => opts.orgs,
    latestRunStatuses: async () => new Map(Object.entries(opts.runs ?? {})),
  } as unknown as OrgDirectory;
  const certificates = { summaries: async () => opts.certs ?? [] } as unknown as CertificatesService;
  const tickets = {
    breakerState: (id: string) => (opts.open?.includes(id) ? 'open' : 'closed'),
  } as unknown as TicketsService;
  const health = {
    summary: async (id: string) => opts.tickets?.[id] ?? null,
  } as unknown as TicketHealthService;
  return new OverviewService(directory, certificates, tickets, health, ledger);
}

describe('certificateAttention', () => {
  const now = Date.parse('2026-12-03T10:00:00Z');
  it('names the days left of an expiring certificate, and nothing for a valid one', () => {
    expect(certificateAttention(cert('c', { status: 'expiring', daysToExpiry: 12 }), now)).toBe(
      'Certificate expires in 12 days',
    );
    expect(certificateAttention(cert('c'), now)).toBeNull();
  });

  it('tells an expired invalid certificate (days left below zero, or notAfter reached) from an otherwise invalid one', () => {
    const future = new Date(now + DAY).toISOString();
    expect(
      certificateAttention(cert('c', { status: 'invalid', daysToExpiry: -1, notAfter: future }), now),
    ).toBe('Certificate expired');
    expect(
      certificateAttention(
        cert('c', { status: 'invalid', daysToExpiry: 0, notAfter: new Date(now).toISOString() }),
        now,
      ),
    ).toBe('Certificate expired');
    expect(
      certificateAttention(
        cert('c', { status: 'invalid', daysToExpiry: 0, notAfter: new Date(now + 1).toISOString() }),
        now,
      ),
    ).toBe('Certificate invalid');
  });
});

describe('OverviewService.overview', () => {
  it('lists each reason an org needs attention, one line each, in a fixed order', async () => {
    const o = org('a', 'Alpha');
    const overview = await setup({
      orgs: [o],
      certs: [cert('cert-a', { status: 'expiring', daysToExpiry: 9 })],
      calls: { a: { total: 10, failed: 3 } },
      runs: { a: 'failed' },
      tickets: { a: ticket({ state: 'failing', expiredFaults24h: 4 }) },
      open: ['a'],
    }).overview();
    expect(overview.orgs[0]).toMatchObject({
      id: 'a',
      calls24h: 10,
      failures24h: 3,
      expiredFaults24h: 4,
      breaker: 'open',
      certificate: { id: 'cert-a' },
      attention: [
        'The last onboarding check failed',
        'Ticket failing',
        'Certificate expires in 9 days',
        '3 failed calls in 24 h',
        'Circuit open',
      ],
    });
  });

  it('flags failed and onboarding orgs by their status, and a failed last run only for an active org', async () => {
    const overview = await setup({
      orgs: [org('f', 'F', { status: 'failed' }), org('n', 'N', { status: 'onboarding' })],
      runs: { f: 'failed', n: 'failed' },
    }).overview();
    expect(overview.orgs.map((i) => [i.id, i.attention])).toEqual([
      ['f', ['Onboarding failed']],
      ['n', ['Onboarding in progress']],
    ]);
  });

  it('does not flag a valid, expiring or missing ticket, calls without failures, or a run still running', async () => {
    const overview = await setup({
      orgs: [org('a', 'A'), org('b', 'B'), org('c', 'C')],
      tickets: {
        a: ticket({ state: 'expiring' }),
        b: ticket({ state: 'missing' }),
        c: ticket({ state: 'expired' }),
      },
      calls: { a: { total: 5, failed: 0 } },
      runs: { a: 'running', b: 'succeeded' },
    }).overview();
    expect(overview.orgs.map((i) => [i.id, i.attention])).toEqual([
      ['c', ['Ticket expired']],
      ['a', []],
      ['b', []],
    ]);
    expect(overview.orgs.find((i) => i.id === 'a')).toMatchObject({ calls24h: 5, failures24h: 0 });
  });

  it('answers zero calls, no ticket and no certificate for an org with none of them', async () => {
    const [item] = (await setup({ orgs: [org('a', 'A')] }).overview()).orgs;
    expect(item).toMatchObject({
      calls24h: 0,
      failures24h: 0,
      expiredFaults24h: 0,
      ticket: null,
      certificate: null,
      breaker: 'closed',
    });
  });

  it('puts the orgs with the most lines first, then by friendly name', async () => {
    const overview = await setup({
      orgs: [
        org('1', 'bravo'),
        org('2', 'Alpha'),
        org('3', 'charlie', { status: 'failed' }),
        org('4', 'delta'),
      ],
      open: ['3', '4'],
    }).overview();
    expect(overview.orgs.map((i) => i.friendlyName)).toEqual(['charlie', 'delta', 'Alpha', 'bravo']);
  });

  it('totals the orgs, the active ones, the ones needing attention and every certificate due for renewal', async () => {
    const overview = await setup({
      orgs: [org('a', 'A'), org('b', 'B', { status: 'failed' }), org('c', 'C', { status: 'onboarding' })],
      certs: [
        cert('unused-expiring', { daysToExpiry: 30 }),
        cert('x', { daysToExpiry: 31 }),
        cert('expired', { daysToExpiry: -2, status: 'invalid' }),
      ],
    }).overview();
    expect(overview.totals).toEqual({ orgs: 3, active: 1, failing: 2, certificatesExpiring: 2 });
  });
});
