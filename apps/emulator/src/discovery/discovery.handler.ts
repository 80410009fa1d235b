import type { IncomingMessage } from 'node:http';
import { crmFaultReply } from '../crm/crm-service.handler';
import { CrmFault } from '../soap/crm-error-codes.constants';
import { CDS_NS, DISCOVERY_SOAP_ACTION } from '../soap/namespaces.constants';
import { soapAction, versionFromContentType } from '../soap/soap-action.util';
import { soapContentType, soapEnvelope } from '../soap/soap-writer';
import type { EmulatorContext, HttpReply, PreparedCall, SoapService } from '../http/emulator.context';
import type { OrgState } from '../state/emulator-state.model';
import { orgUrls } from '../state/org-urls';
import { TicketCodec, type PassportTicketClaims } from '../tickets/ticket.codec';
import { resolveTypeName, type SoapEnvelope } from '../xml/soap-envelope.parser';
import { escapeXmlText } from '../xml/xml-escape.util';
import { attr, child, text, type XmlValue } from '../xml/xml-node.util';

/** Request types the Passport discovery service answers (docs/protocol.md §4.2). */
const DISCOVERY_REQUESTS = [
  'RetrievePolicyRequest',
  'RetrieveOrganizationsRequest',
  'RetrieveOrganizationRequest',
  'RetrieveCrmTicketRequest',
  'RetrieveCrmUserIdByExternalIdRequest',
] as const;
type DiscoveryRequest = (typeof DISCOVERY_REQUESTS)[number];

/** ISO 8601 UTC without milliseconds, as the fixtures write dates. */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * `POST /MSCRMServices/2007/Passport/CrmDiscoveryService.asmx`: one operation, Execute, dispatched
 * on the QName of `Request/@xsi:type` (prefixed or not).
 */
export class DiscoveryHandler implements SoapService {
  readonly endpoint = 'discovery' as const;

  constructor(private readonly ctx: EmulatorContext) {}

  prepare(envelope: SoapEnvelope, req: IncomingMessage): PreparedCall {
    const action = soapAction(req);
    if (action !== undefined && action !== DISCOVERY_SOAP_ACTION) {
      throw new CrmFault(
        'InvalidArgument',
        `Server did not recognize the value of HTTP Header SOAPAction: ${action}.`,
        'Client',
      );
    }
    if (envelope.bodyName !== 'Execute') {
      throw new CrmFault(
        'InvalidArgument',
        `Server did not recognize the operation '${envelope.bodyName}'.`,
        'Client',
      );
    }
    const request = child(envelope.bodyElement, 'Request');
    const rawType = attr(request, 'type');
    const type = resolveTypeName(rawType, envelope.namespaces, CDS_NS);
    if (!type || !(DISCOVERY_REQUESTS as readonly string[]).includes(type)) {
      throw new CrmFault(
        'NotImplemented',
        `The discovery request type '${rawType ?? '(none)'}' is not supported.`,
      );
    }
    const field = (name: string): string | undefined => text(child(request, name))?.trim();
    const passport = field('PassportTicket');
    const claims = passport ? this.ctx.tickets.readPassport(passport) : undefined;
    const orgName = field('OrganizationName');
    const domain = this.servedPartnerDomain(req);
    return {
      operation: type.replace(/Request$/, ''),
      ctx: { org: orgName?.toLowerCase(), account: claims?.liveId },
      run: () => ({
        status: 200,
        headers: { 'content-type': soapContentType(envelope.version) },
        body: soapEnvelope(
          envelope.version,
          this.respond(type as DiscoveryRequest, request, passport, domain),
        ),
      }),
    };
  }

  /**
   * The partner domain this discovery service is for: `dev.crm4.dynamics.com` serves tickets issued
   * for `crm4.dynamics.com` (docs/protocol.md §2). On a host that is no `dev.<partner domain>`
   * (localhost), the first configured partner domain (default `crm.dynamics.com`).
   */
  private servedPartnerDomain(req: IncomingMessage): string {
    const host = (req.headers.host ?? '').toLowerCase().replace(/:\d+$/, '');
    const byHost = this.ctx.partnerDomains.find((d) => host === `dev.${d.toLowerCase()}`);
    return (byHost ?? this.ctx.partnerDomains[0] ?? 'crm.dynamics.com').toLowerCase();
  }

  faultReply(error: unknown, envelope: SoapEnvelope | undefined, req: IncomingMessage): HttpReply {
    return crmFaultReply(error, envelope?.version ?? versionFromContentType(req), this.ctx);
  }

  private respond(
    type: DiscoveryRequest,
    request: XmlValue | undefined,
    passport: string | undefined,
    domain: string,
  ): string {
    const field = (name: string): string => (text(child(request, name)) ?? '').trim();
    let inner: string;
    switch (type) {
      case 'RetrievePolicyRequest':
        inner = `        <Policy>${escapeXmlText(this.ctx.policy)}</Policy>\n`;
        break;
      case 'RetrieveOrganizationsRequest': {
        const claims = this.passport(passport, domain);
        const orgs = [...this.ctx.store.orgs.values()].filter((o) =>
          this.ctx.store.userByLiveId(o.name, claims.liveId),
        );
        inner = orgs.length
          ? `        <OrganizationDetails>\n${orgs.map((o) => this.orgDetail(o, '          ')).join('')}        </OrganizationDetails>\n`
          : `        <OrganizationDetails />\n`;
        break;
      }
      case 'RetrieveOrganizationRequest': {
        const claims = this.passport(passport, domain);
        inner = this.orgDetail(this.memberOrg(field('OrganizationName'), claims), '        ');
        break;
      }
      case 'RetrieveCrmTicketRequest': {
        const claims = this.passport(passport, domain);
        const org = this.memberOrg(field('OrganizationName'), claims);
        const scenarioCtx = { org: org.name, account: claims.liveId };
        if (!org.enabled || this.ctx.scenarios.take('DISABLED_ORG', 'discovery', scenarioCtx)) {
          throw new CrmFault('OrganizationDisabled', `The organization ${org.name} is disabled.`);
        }
        const user = this.ctx.store.userByLiveId(org.name, claims.liveId);
        if (user && !user.enabled)
          throw new CrmFault('UserDisabled', `The user ${user.fullName} is disabled.`);
        const now = Date.now();
        const cutoff = Math.max(
          this.ctx.store.ticketCutoffs[org.name] ?? 0,
          this.ctx.store.ticketCutoffs['*'] ?? 0,
        );
        // Whole seconds, so that ExpirationDate on the wire is exactly when the ticket stops working.
        const exp = Math.floor((now + this.ctx.lifetimes.crmTicketSec * 1000) / 1000) * 1000;
        const ticket = this.ctx.tickets.issueCrm({
          org: org.name,
          orgId: org.id,
          liveId: claims.liveId.toLowerCase(),
          iat: Math.max(now, cutoff + 1),
          exp,
          jti: TicketCodec.newId(),
        });
        inner =
          `        <CrmTicket>${escapeXmlText(ticket)}</CrmTicket>\n` +
          `        <ExpirationDate>${isoSeconds(exp)}</ExpirationDate>\n` +
          this.orgDetail(org, '        ');
        break;
      }
      case 'RetrieveCrmUserIdByExternalIdRequest': {
        const claims = this.passport(passport, domain);
        const org = this.memberOrg(field('OrganizationName'), claims);
        const externalId = field('ExternalId');
        const account = this.ctx.store.liveAccountByPuid(externalId);
        const user = account ? this.ctx.store.userByLiveId(org.name, account.liveId) : undefined;
        if (!user) {
          throw new CrmFault(
            'ObjectDoesNotExist',
            `No user with ExternalId ${externalId} exists in ${org.name}.`,
          );
        }
        inner = `        <CrmUserId>${user.id}</CrmUserId>\n`;
        break;
      }
    }
    return (
      `    <ExecuteResponse xmlns="${CDS_NS}">\n` +
      `      <Response xsi:type="${type.replace(/Request$/, 'Response')}">\n${inner}      </Response>\n` +
      `    </ExecuteResponse>\n`
    );
  }

  /**
   * A Passport ticket is good for the partner domain it was issued for (its `wsp:AppliesTo`): a ticket
   * for `crm4.dynamics.com` is refused by `crm.dynamics.com`'s discovery service like any ticket it
   * cannot accept, 0x8004A102 (docs/protocol.md §6.3, discovery: bad Passport ticket).
   */
  private passport(ticket: string | undefined, domain: string): PassportTicketClaims {
    if (!ticket) throw new CrmFault('BadAuthTicket', 'The request has no PassportTicket.');
    const claims = this.ctx.tickets.readPassport(ticket);
    if (!claims) throw new CrmFault('BadAuthTicket');
    if (claims.appliesTo !== domain) {
      throw new CrmFault(
        'BadAuthTicket',
        `The Passport ticket specified for authentication is invalid: it was issued for ${claims.appliesTo}, not ${domain}.`,
      );
    }
    if (Date.now() >= claims.exp) throw new CrmFault('ExpiredAuthTicket');
    return claims;
  }

  /** The org by unique name, provided the Passport account is one of its users. */
  private memberOrg(name: string, claims: PassportTicketClaims): OrgState {
    const org = name ? this.ctx.store.org(name) : undefined;
    if (!org || !this.ctx.store.userByLiveId(org.name, claims.liveId)) {
      throw new CrmFault('ObjectDoesNotExist', `Organization With Name = ${name} Does Not Exist`);
    }
    return org;
  }

  private orgDetail(org: OrgState, indent: string): string {
    const i2 = `${indent}  `;
    // Each org its own service URLs (state/org-urls.ts); the CRM ticket is good only at its org's.
    const urls = orgUrls(this.ctx.urls.base, org.name);
    return (
      `${indent}<OrganizationDetail>\n` +
      `${i2}<CrmMetadataServiceUrl>${escapeXmlText(urls.metadataService)}</CrmMetadataServiceUrl>\n` +
      `${i2}<CrmServiceUrl>${escapeXmlText(urls.crmService)}</CrmServiceUrl>\n` +
      `${i2}<FriendlyName>${escapeXmlText(org.friendlyName)}</FriendlyName>\n` +
      `${i2}<OrganizationId>${org.id}</OrganizationId>\n` +
      `${i2}<OrganizationName>${escapeXmlText(org.name)}</OrganizationName>\n` +
      `${i2}<WebApplicationUrl>${escapeXmlText(urls.webApplication)}</WebApplicationUrl>\n` +
      `${indent}</OrganizationDetail>\n`
    );
  }
}
