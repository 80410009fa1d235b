/**
 * Every namespace URI, SOAP action, content type and fault code the message layer uses, in one place
 * (docs/protocol.md §2.3, §3, §6, §7). Codecs refer to these names, never to literal URIs.
 */
import type { CrmAuthErrorCode } from '../errors';

/** Namespace URIs, keyed by the short names of docs/protocol.md §2.3. */
export const NS = {
  soap11: 'http://schemas.xmlsoap.org/soap/envelope/',
  soap12: 'http://www.w3.org/2003/05/soap-envelope',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
  xsd: 'http://www.w3.org/2001/XMLSchema',
  xml: 'http://www.w3.org/XML/1998/namespace',
  xmlns: 'http://www.w3.org/2000/xmlns/',
  /** CrmDiscoveryService (Passport). */
  cds: 'http://schemas.microsoft.com/crm/2007/CrmDiscoveryService',
  /** CrmService 2007 wrappers and the CrmAuthenticationToken element. */
  ws: 'http://schemas.microsoft.com/crm/2007/WebServices',
  /** CrmAuthenticationToken children. */
  ct: 'http://schemas.microsoft.com/crm/2007/CoreTypes',
  /** BusinessEntity and the property type classes. */
  ws6: 'http://schemas.microsoft.com/crm/2006/WebServices',
  ct6: 'http://schemas.microsoft.com/crm/2006/CoreTypes',
  /** ColumnSet, QueryExpression. */
  q: 'http://schemas.microsoft.com/crm/2006/Query',
  wsse: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd',
  wsu: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd',
  wsp: 'http://schemas.xmlsoap.org/ws/2004/09/policy',
  wsa: 'http://www.w3.org/2005/08/addressing',
  /** WS-Trust 2005/02, what the Windows Live STS speaks. */
  wst: 'http://schemas.xmlsoap.org/ws/2005/02/trust',
  /** WS-Trust 1.3; accepted on responses in case an STS answers in it. */
  wst13: 'http://docs.oasis-open.org/ws-sx/ws-trust/200512',
  ps: 'http://schemas.microsoft.com/LiveID/SoapServices/v1',
  /** Passport SOAP fault details (`psf:error`). */
  psf: 'http://schemas.microsoft.com/Passport/SoapServices/SOAPFault',
} as const;

/** SOAP actions. CrmService actions are `crmServiceAction(op)`. */
export const SOAP_ACTION = {
  discoveryExecute: 'http://schemas.microsoft.com/crm/2007/CrmDiscoveryService/Execute',
  crmServicePrefix: 'http://schemas.microsoft.com/crm/2007/WebServices/',
  wstIssue: 'http://schemas.xmlsoap.org/ws/2005/02/trust/RST/Issue',
} as const;

/** The CrmService operations Onbehalf calls, as they appear in SOAP actions and wrapper names. */
export type CrmServiceOperation =
  'Execute' | 'Retrieve' | 'RetrieveMultiple' | 'Create' | 'Update' | 'Delete';

/** `http://schemas.microsoft.com/crm/2007/WebServices/<Op>`. */
export function crmServiceAction(op: CrmServiceOperation): string {
  return SOAP_ACTION.crmServicePrefix + op;
}

/** WS-Trust and Windows Live constants for the RequestSecurityToken message (docs/protocol.md §7.2). */
export const WLID = {
  requestTypeIssue: 'http://schemas.xmlsoap.org/ws/2005/02/trust/Issue',
  /** `wsa:To` of the RST. */
  passportTarget: 'http://Passport.NET/tb',
  /** Default STS address (docs/protocol.md §7.4, assumed). */
  defaultStsUrl: 'https://login.live.com/RST2.srf',
} as const;

/** Content types by SOAP version. */
export const CONTENT_TYPE = {
  soap11: 'text/xml; charset=utf-8',
  soap12: 'application/soap+xml; charset=utf-8',
} as const;

/** The all-zero GUID: `CallerId` meaning "no impersonation". */
export const EMPTY_GUID = '00000000-0000-0000-0000-000000000000';

/** The detail substring by which the SDK recognises an expired ticket (MS-WLA, MS-EXC). */
export const EXPIRED_TICKET_MARKER = '8004A101';

/**
 * The CRM fault catalogue (docs/protocol.md §6.2): `detail/error/code` → its SDK name and the
 * {@link CrmAuthErrorCode} a parser throws. Codes absent here map to `ERR_CRM_FAULT`, name `Unknown`.
 */
export const CRM_FAULT_CODES: Readonly<Record<string, { name: string; errorCode: CrmAuthErrorCode }>> =
  Object.freeze({
    '0x8004A101': { name: 'ExpiredAuthTicket', errorCode: 'ERR_CRM_EXPIRED_TICKET' },
    '0x8004A102': { name: 'BadAuthTicket', errorCode: 'ERR_CRM_BAD_TICKET' },
    '0x8004A104': { name: 'OrganizationDisabled', errorCode: 'ERR_CRM_ORG_DISABLED' },
    '0x8004A106': { name: 'ExpiredKey', errorCode: 'ERR_CRM_FAULT' },
    '0x8004A10A': { name: 'MultiplePartnerSecurityRoleWithSameInformation', errorCode: 'ERR_CRM_FAULT' },
    '0x8004A10B': { name: 'MultiplePartnerUserWithSameInformation', errorCode: 'ERR_CRM_FAULT' },
    '0x80040217': { name: 'ObjectDoesNotExist', errorCode: 'ERR_CRM_OBJECT_NOT_FOUND' },
    '0x80040220': { name: 'PrivilegeDenied', errorCode: 'ERR_CRM_PRIVILEGE_DENIED' },
    '0x80040231': { name: 'PrincipalPrivilegeDenied', errorCode: 'ERR_CRM_PRINCIPAL_PRIVILEGE_DENIED' },
    '0x8004021B': { name: 'MissingUserId', errorCode: 'ERR_CRM_FAULT' },
    '0x80040219': { name: 'NotImplemented', errorCode: 'ERR_CRM_FAULT' },
    '0x80045032': {
      name: 'PublishWorkflowWhileActingOnBehalfOfAnotherUserError',
      errorCode: 'ERR_CRM_FAULT',
    },
    '0x80040225': { name: 'UserDisabled', errorCode: 'ERR_CRM_USER_DISABLED' },
  });
