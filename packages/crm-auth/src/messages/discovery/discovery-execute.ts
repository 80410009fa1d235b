/**
 * What every discovery message shares: `Execute/Request xsi:type=…` out, `ExecuteResponse/Response`
 * back (docs/protocol.md §4.1), and the OrganizationDetail table.
 */
import { el, serializeDocument, type XNode } from '../../xml/xml-writer';
import { CONTENT_TYPE, NS, SOAP_ACTION } from '../constants';
import { soap11Envelope } from '../envelope';
import { f, type FieldTable } from '../fields';
import type { MessageSpec, MessageWrapper, OperationName } from '../message';
import type { OrganizationDetail, SoapRequest } from '../types';

/** A discovery request: `Execute/Request xsi:type="<Op>Request"` with cds-qualified children (default namespace). */
export function buildDiscoveryRequest(
  operation: OperationName,
  fields: ReadonlyArray<readonly [string, string]>,
): SoapRequest {
  const children: XNode[] = fields.map(([name, value]) => el(name, null, value));
  const request = el('Request', [['xsi:type', `${operation}Request`]], children);
  const body = el('Execute', [['xmlns', NS.cds]], [request]);
  return {
    xml: serializeDocument(soap11Envelope([], body)),
    soapAction: SOAP_ACTION.discoveryExecute,
    contentType: CONTENT_TYPE.soap11,
  };
}

/** The wrappers of a discovery message of `operation` in direction `kind`. */
export function discoveryWrapper(operation: OperationName, kind: 'request' | 'response'): MessageWrapper {
  return kind === 'request'
    ? { ns: NS.cds, name: 'Execute', executeType: `${operation}Request` }
    : { ns: NS.cds, name: 'ExecuteResponse', executeType: `${operation}Response` };
}

/** A discovery message spec read with one field table. */
export function discoverySpec<T>(
  operation: OperationName,
  kind: 'request' | 'response',
  read: MessageSpec<T>['read'],
): MessageSpec<T> {
  return {
    service: 'discovery',
    operation,
    kind,
    label: `${operation}${kind === 'request' ? 'Request' : 'Response'}`,
    wrappers: [discoveryWrapper(operation, kind)],
    read,
  };
}

/** OrganizationDetail (docs/protocol.md §4.3), in its documented child order. */
export const ORGANIZATION_DETAIL: FieldTable<OrganizationDetail> = {
  crmMetadataServiceUrl: f.text('CrmMetadataServiceUrl'),
  crmServiceUrl: f.nonEmpty('CrmServiceUrl'),
  friendlyName: f.text('FriendlyName'),
  organizationId: f.guid('OrganizationId'),
  organizationName: f.nonEmpty('OrganizationName'),
  webApplicationUrl: f.text('WebApplicationUrl'),
};
