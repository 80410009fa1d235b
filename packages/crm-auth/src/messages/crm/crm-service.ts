/**
 * What every CrmService message shares (docs/protocol.md §5): the CrmAuthenticationToken header, the
 * SOAP 1.1 envelope with the per-operation SOAPAction, and the message spec shape.
 */
import { el, serializeDocument, type XNode } from '../../xml/xml-writer';
import type { XmlElement } from '../../xml/xml-element';
import { requireGuid, requireText } from '../arguments';
import { CrmAuthError } from '../../errors';
import { CONTENT_TYPE, crmServiceAction, type CrmServiceOperation, EMPTY_GUID, NS } from '../constants';
import { soap11Envelope } from '../envelope';
import { extract, f, type FieldTable, type ReadContext } from '../fields';
import type { MessageSpec, MessageWrapper, OperationName } from '../message';
import type { CrmAuthenticationToken, SoapRequest } from '../types';

/** The header as `decodeMessage` shows it: `callerId` null when absent or all zeros. */
export interface DecodedCrmHeader {
  authenticationType: number;
  crmTicket: string;
  organizationName: string;
  callerId: string | null;
}

/** `CrmAuthenticationToken` (ws) with its children in ct, in the WSDL's order (docs/protocol.md §5.1). */
export function crmAuthenticationTokenNode(token: CrmAuthenticationToken): XNode {
  const type = token.authenticationType;
  if (!Number.isInteger(type) || type < 0) {
    throw new CrmAuthError('ERR_INVALID_OPTIONS', 'token.authenticationType must be a non-negative integer');
  }
  const callerId =
    token.callerId === null || token.callerId === undefined
      ? EMPTY_GUID
      : requireGuid(token.callerId, 'token.callerId');
  const ct: ReadonlyArray<readonly [string, string]> = [['xmlns', NS.ct]];
  return el(
    'CrmAuthenticationToken',
    [['xmlns', NS.ws]],
    [
      el('AuthenticationType', ct, String(type)),
      el('CrmTicket', ct, requireText(token.crmTicket, 'token.crmTicket')),
      el('OrganizationName', ct, requireText(token.organizationName, 'token.organizationName')),
      el('CallerId', ct, callerId),
    ],
  );
}

/** A complete CrmService request: SOAP 1.1, token header, `…/WebServices/<operation>` action. */
export function buildCrmRequest(
  token: CrmAuthenticationToken,
  operation: CrmServiceOperation,
  payload: XNode,
): SoapRequest {
  return {
    xml: serializeDocument(soap11Envelope([crmAuthenticationTokenNode(token)], payload)),
    soapAction: crmServiceAction(operation),
    contentType: CONTENT_TYPE.soap11,
  };
}

/** The operation wrapper element (`<Create xmlns="…/2007/WebServices">`). */
export function wrapperNode(name: string, children: readonly XNode[]): XNode {
  return el(name, [['xmlns', NS.ws]], children);
}

/** A CrmService message spec. */
export function crmSpec<T>(
  operation: OperationName,
  kind: 'request' | 'response',
  wrapper: Omit<MessageWrapper, 'ns'>,
  read: MessageSpec<T>['read'],
): MessageSpec<T> {
  return {
    service: 'crm',
    operation,
    kind,
    label: wrapper.executeType ?? wrapper.name,
    wrappers: [{ ns: NS.ws, ...wrapper }],
    read,
  };
}

const HEADER_FIELDS: FieldTable<DecodedCrmHeader> = {
  authenticationType: f.int('AuthenticationType'),
  crmTicket: f.text('CrmTicket'),
  organizationName: f.text('OrganizationName'),
  // All zeros is how "no impersonation" is written.
  callerId: f.map(f.guid('CallerId').optional(), (id) => (id === undefined || id === EMPTY_GUID ? null : id)),
};

/** Reads the CrmAuthenticationToken header block, if the envelope has one. */
export function readCrmHeader(
  header: XmlElement | undefined,
  ctx: ReadContext,
): DecodedCrmHeader | undefined {
  const blocks = header?.children.filter((c) => c.name === 'CrmAuthenticationToken') ?? [];
  const [token] = blocks;
  if (!token) return undefined;
  if (blocks.length > 1)
    throw new CrmAuthError('ERR_UNEXPECTED_MESSAGE', `${ctx.message}: two CrmAuthenticationToken headers`);
  return extract(token, HEADER_FIELDS, ctx);
}
