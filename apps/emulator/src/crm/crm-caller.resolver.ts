import { CrmFault } from '../soap/crm-error-codes.constants';
import type { EmulatorContext } from '../http/emulator.context';
import type { OrgState, Right, UserState } from '../state/emulator-state.model';
import { isGuid, normalizeGuid } from '../state/state.store';
import type { CrmTicketClaims } from '../tickets/ticket.codec';
import { CT_NS, WS_NS } from '../soap/namespaces.constants';
import { nsChild, text, type XmlElement } from '../xml/xml-node.util';

/** The CrmAuthenticationToken as sent, before any check. */
export interface AuthTokenFields {
  authenticationType: string | undefined;
  crmTicket: string | undefined;
  organizationName: string | undefined;
  /** Lower-case GUID, or undefined when absent or all zeros (no impersonation). */
  callerId: string | undefined;
  callerIdRaw: string | undefined;
}

/** Who is calling, for whom, in which org: the outcome of the checks of docs/protocol.md §12.1, items 4–5. */
export interface CrmCaller {
  org: OrgState;
  /** The service account's systemuser in this org. */
  caller: UserState;
  /** The user acted for (CallerId), when impersonating. */
  actingFor: UserState | undefined;
  claims: CrmTicketClaims;
}

const ZERO_GUID = '00000000-0000-0000-0000-000000000000';

const TOKEN_FIELDS = new Set(['AuthenticationType', 'CrmTicket', 'OrganizationName', 'CallerId']);
const NO_TOKEN: AuthTokenFields = {
  authenticationType: undefined,
  crmTicket: undefined,
  organizationName: undefined,
  callerId: undefined,
  callerIdRaw: undefined,
};

/**
 * Reads the token from the SOAP header as XmlSerializer binds it (docs/protocol.md §5.1): the
 * element `{2007/WebServices}CrmAuthenticationToken` with its fields in 2007/CoreTypes, in any
 * order. A token element in another namespace is no token; a field in another namespace makes the
 * token count as missing (resolveCaller then refuses it as it refuses no token). A second token or a
 * repeated field is refused.
 */
export function readAuthToken(header: XmlElement | undefined): AuthTokenFields {
  const token = nsChild(header, WS_NS, 'CrmAuthenticationToken');
  if (!token) return NO_TOKEN;
  if (token.children.some((c) => TOKEN_FIELDS.has(c.local) && c.ns !== CT_NS)) return NO_TOKEN;
  const field = (name: string): string | undefined => text(nsChild(token, CT_NS, name))?.trim();
  const authenticationType = field('AuthenticationType');
  const crmTicket = field('CrmTicket');
  const organizationName = field('OrganizationName');
  const callerIdRaw = field('CallerId');
  const callerId =
    callerIdRaw && isGuid(callerIdRaw) && normalizeGuid(callerIdRaw) !== ZERO_GUID
      ? normalizeGuid(callerIdRaw)
      : undefined;
  return { authenticationType, crmTicket, organizationName, callerId, callerIdRaw };
}

/** Privilege name as CRM spells it, e.g. prvCreateAccount. */
export function privilegeName(right: Right, entity: string): string {
  const verb =
    right === 'read' ? 'Read' : right === 'create' ? 'Create' : right === 'write' ? 'Write' : 'Delete';
  const noun =
    entity === 'systemuser'
      ? 'User'
      : entity === 'businessunit'
        ? 'BusinessUnit'
        : entity.charAt(0).toUpperCase() + entity.slice(1);
  return `prv${verb}${noun}`;
}

function holds(user: UserState, entity: string, right: Right): boolean {
  const rights = user.rights[entity] ?? user.rights['*'] ?? [];
  return rights.includes(right);
}

/**
 * Checks the ticket and the impersonation rules, in CRM's order: ticket (8004A102 / 8004A101), org
 * (8004A104), caller, then prvActOnBehalfOfAnotherUser (80040220), the user acted for exists
 * (80040217) and is enabled (80040225).
 */
export function resolveCaller(
  ctx: EmulatorContext,
  token: AuthTokenFields,
  decoded?: CrmTicketClaims | undefined,
): CrmCaller {
  if (token.crmTicket === undefined) {
    throw new CrmFault('BadAuthTicket', 'The request has no CrmAuthenticationToken header with a CrmTicket.');
  }
  if (token.authenticationType !== '1') {
    throw new CrmFault(
      'BadAuthTicket',
      `AuthenticationType '${token.authenticationType ?? ''}' is not supported; CRM Online accepts 1 (Passport).`,
    );
  }
  const orgName = (token.organizationName ?? '').toLowerCase();
  // The handler may already have decoded the ticket to identify the call; the MAC is checked either way.
  const claims = decoded ?? ctx.tickets.readCrm(token.crmTicket);
  if (!claims) throw new CrmFault('BadAuthTicket');
  if (claims.org !== orgName) {
    throw new CrmFault(
      'BadAuthTicket',
      'The ticket specified for authentication is invalid for this organization',
    );
  }
  const org = ctx.store.org(orgName);
  if (!org || org.id !== claims.orgId) throw new CrmFault('BadAuthTicket');
  const now = Date.now();
  const cutoff = Math.max(ctx.store.ticketCutoffs[orgName] ?? 0, ctx.store.ticketCutoffs['*'] ?? 0);
  if (now >= claims.exp || claims.iat <= cutoff || ctx.earlyExpired.has(claims.jti)) {
    throw new CrmFault('ExpiredAuthTicket');
  }
  const scenarioCtx = { org: orgName, account: claims.liveId, user: token.callerId };
  if (
    ctx.scenarios.take(
      'RANDOM_EXPIRY',
      'crm',
      scenarioCtx,
      (s) => Math.random() < Number(s.params['probability']),
    )
  ) {
    // Once expired early, the ticket stays expired, as a real one would.
    if (ctx.earlyExpired.size > 100_000) ctx.earlyExpired.clear();
    ctx.earlyExpired.add(claims.jti);
    throw new CrmFault('ExpiredAuthTicket');
  }
  if (!org.enabled || ctx.scenarios.take('DISABLED_ORG', 'crm', scenarioCtx)) {
    throw new CrmFault('OrganizationDisabled', `The organization ${org.name} is disabled.`);
  }
  const caller = ctx.store.userByLiveId(orgName, claims.liveId);
  if (!caller) throw new CrmFault('BadAuthTicket', 'The ticket belongs to no user of this organization');
  if (!caller.enabled) throw new CrmFault('UserDisabled', `The user ${caller.fullName} is disabled.`);
  if (token.callerIdRaw && !isGuid(token.callerIdRaw)) {
    throw new CrmFault('InvalidArgument', `CallerId '${token.callerIdRaw}' is not a GUID.`);
  }
  if (token.callerId === undefined) return { org, caller, actingFor: undefined, claims };

  if (!caller.proxyRole || ctx.scenarios.take('NO_PROXY_ROLE', 'crm', scenarioCtx)) {
    throw new CrmFault(
      'PrivilegeDenied',
      `The user ${caller.fullName} does not hold the privilege prvActOnBehalfOfAnotherUser (Act on Behalf of Another User) and cannot act for another user.`,
    );
  }
  const target = ctx.store.user(token.callerId);
  if (!target || target.org !== orgName) {
    throw new CrmFault('ObjectDoesNotExist', `systemuser With Id = ${token.callerId} Does Not Exist`);
  }
  if (!target.enabled || ctx.scenarios.take('DISABLED_USER', 'crm', scenarioCtx)) {
    throw new CrmFault(
      'UserDisabled',
      `The user ${target.fullName} (${target.id}) is disabled and cannot be acted for.`,
    );
  }
  return { org, caller, actingFor: target, claims };
}

/**
 * The effective rights are the intersection of both users' (docs/protocol.md §10.1): the caller lacking
 * the right is 80040220, the user acted for lacking it is 80040231.
 */
export function requireRight(ctx: EmulatorContext, call: CrmCaller, entity: string, right: Right): void {
  const privilege = privilegeName(right, entity);
  if (!holds(call.caller, entity, right)) {
    throw new CrmFault(
      'PrivilegeDenied',
      `The user ${call.caller.fullName} does not hold the privilege ${privilege} on ${entity}.`,
    );
  }
  const target = call.actingFor;
  if (!target) return;
  const scenarioCtx = { org: call.org.name, account: call.claims.liveId, user: target.id };
  const lacksByScenario = ctx.scenarios.take(
    'USER_WITHOUT_RIGHT',
    'crm',
    scenarioCtx,
    (s) =>
      (s.params['right'] === undefined || s.params['right'] === right) &&
      (s.params['entity'] === undefined || s.params['entity'] === entity),
  );
  if (!holds(target, entity, right) || lacksByScenario) {
    throw new CrmFault(
      'PrincipalPrivilegeDenied',
      `The user ${target.fullName} (acted for) does not hold the privilege ${privilege} on ${entity}.`,
    );
  }
}
