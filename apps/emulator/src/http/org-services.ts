import { crmFaultReply } from '../crm/crm-service.handler';
import { readAuthToken } from '../crm/crm-caller.resolver';
import { CrmFault } from '../soap/crm-error-codes.constants';
import { versionFromContentType } from '../soap/soap-action.util';
import type { EmulatorContext, SoapService } from './emulator.context';

/**
 * The CrmService at one org's URL (`/<org>/MSCrmServices/2007/CrmService.asmx`). A CRM ticket is
 * for one org (docs/protocol.md §9), and each org has its own CrmService URL (§2, §4.3): a call whose
 * ticket, or whose token's OrganizationName, names another org is refused with 0x8004A102
 * (BadAuthTicket, §6.3 "ticket for another org") before the CrmService runs. Everything else —
 * a missing or garbled ticket, expiry, the org's state, impersonation — is the CrmService's own check.
 */
export function crmServiceForOrg(crm: SoapService, org: string, ctx: EmulatorContext): SoapService {
  return {
    endpoint: crm.endpoint,
    prepare(envelope, req) {
      const prepared = crm.prepare(envelope, req);
      return {
        ...prepared,
        run: () => {
          const token = readAuthToken(envelope.header);
          const named = token.organizationName?.toLowerCase();
          const claims = token.crmTicket === undefined ? undefined : ctx.tickets.readCrm(token.crmTicket);
          if ((claims && claims.org !== org) || (named !== undefined && named !== org)) {
            throw new CrmFault(
              'BadAuthTicket',
              `The ticket specified for authentication is invalid: this CrmService URL serves the organization ${org} only.`,
            );
          }
          return prepared.run();
        },
      };
    },
    faultReply: (error, envelope, req) => crm.faultReply(error, envelope, req),
  };
}

/**
 * The MetadataService at one org's URL: its WSDL is served (`?WSDL`, see the router) because
 * OrganizationDetail advertises the URL; no metadata request is implemented, so a POST answers the
 * NotImplemented fault (0x80040219) in the CrmService's fault shape.
 */
export function metadataServiceForOrg(org: string, ctx: EmulatorContext): SoapService {
  return {
    endpoint: 'crm',
    prepare() {
      throw new CrmFault(
        'NotImplemented',
        `The emulator describes the MetadataService of ${org} (?WSDL) but implements no metadata request.`,
      );
    },
    faultReply: (error, envelope, req) =>
      crmFaultReply(error, envelope?.version ?? versionFromContentType(req), ctx),
  };
}
