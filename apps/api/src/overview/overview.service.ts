import { Injectable } from '@nestjs/common';
import { needsRenewal } from '../certificates/certificate-status';
import { type CertificateSummary, CertificatesService } from '../certificates/certificates.service';
import { LedgerService } from '../crm/ledger.service';
import { OrgDirectory } from '../orgs/org-directory';
import { TicketHealthService } from '../tickets/ticket-health.service';
import { TicketsService } from '../tickets/tickets.service';
import type { OverviewDto, OverviewOrgDto } from './dto/overview.response';

/** The overview's line about an org's certificate, from the status its own page shows. */
export function certificateAttention(c: CertificateSummary, now = Date.now()): string | null {
  if (c.status === 'expiring') return `Certificate expires in ${c.daysToExpiry} days`;
  if (c.status === 'invalid')
    return c.daysToExpiry < 0 || Date.parse(c.notAfter) <= now
      ? 'Certificate expired'
      : 'Certificate invalid';
  return null;
}

/**
 * Every org at a glance, the ones that need attention first. The overview has no table of its own: it reads
 * the orgs, certificates, tickets and crm (the call ledger) contexts through their exported services.
 */
@Injectable()
export class OverviewService {
  constructor(
    private readonly orgs: OrgDirectory,
    private readonly certificates: CertificatesService,
    private readonly tickets: TicketsService,
    private readonly ticketHealth: TicketHealthService,
    private readonly ledger: LedgerService,
  ) {}

  async overview(): Promise<OverviewDto> {
    const orgs = await this.orgs.list();
    const certs = new Map((await this.certificates.summaries()).map((c) => [c.id, c]));
    const calls = await this.ledger.callCounts24h();
    const lastRun = await this.orgs.latestRunStatuses();
    const items: OverviewOrgDto[] = await Promise.all(
      orgs.map(async (o) => {
        const ticket = await this.ticketHealth.summary(o.id);
        const c = certs.get(o.certificateId) ?? null;
        const attention: string[] = [];
        if (o.status === 'failed') attention.push('Onboarding failed');
        if (o.status === 'onboarding') attention.push('Onboarding in progress');
        if (o.status === 'active' && lastRun.get(o.id) === 'failed')
          attention.push('The last onboarding check failed');
        if (ticket && (ticket.state === 'failing' || ticket.state === 'expired'))
          attention.push(`Ticket ${ticket.state}`);
        const certificateLine = c && certificateAttention(c);
        if (certificateLine) attention.push(certificateLine);
        const f = calls.get(o.id);
        if (f && f.failed > 0) attention.push(`${f.failed} failed calls in 24 h`);
        if (this.tickets.breakerState(o.id) !== 'closed') attention.push('Circuit open');
        return {
          id: o.id,
          friendlyName: o.friendlyName,
          organizationName: o.organizationName,
          status: o.status,
          ticket,
          certificate: c,
          calls24h: f?.total ?? 0,
          failures24h: f?.failed ?? 0,
          expiredFaults24h: ticket?.expiredFaults24h ?? 0,
          breaker: this.tickets.breakerState(o.id),
          attention,
        };
      }),
    );
    items.sort(
      (a, b) => b.attention.length - a.attention.length || a.friendlyName.localeCompare(b.friendlyName),
    );
    return {
      orgs: items,
      totals: {
        orgs: items.length,
        active: items.filter((i) => i.status === 'active').length,
        failing: items.filter((i) => i.attention.length > 0).length,
        certificatesExpiring: [...certs.values()].filter((c) => needsRenewal(c.daysToExpiry)).length,
      },
    };
  }
}
