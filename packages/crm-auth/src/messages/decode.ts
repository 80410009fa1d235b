import { notYet } from './stub';
import type { ParseOptions, SoapVersion } from './types';

/** Operation names `decodeMessage` reports. */
export type OperationName =
  | 'RetrievePolicy'
  | 'RetrieveOrganizations'
  | 'RetrieveCrmTicket'
  | 'RetrieveCrmUserIdByExternalId'
  | 'WhoAmI'
  | 'Retrieve'
  | 'RetrieveMultiple'
  | 'Create'
  | 'Update'
  | 'Delete'
  | 'RequestSecurityToken';

/** A JSON value as `decodeMessage` produces it. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Any supported SOAP message as JSON, exactly as shared/fixtures/README.md defines it. */
export interface DecodedMessage {
  service: 'discovery' | 'crm' | 'wlid';
  kind: 'request' | 'response' | 'fault';
  /** Null for a fault. */
  operation: OperationName | null;
  soapVersion: SoapVersion;
  /** CrmService requests only. */
  header?: {
    authenticationType: number;
    crmTicket: string;
    organizationName: string;
    callerId: string | null;
  };
  /** Absent on a fault. */
  body?: { [key: string]: JsonValue };
  /** Faults only. */
  fault?: { code: string; name: string; description: string; type: string };
}

/** Decodes any supported request, response or fault to its JSON form. Throws CrmAuthError on refused input. */
export function decodeMessage(_xml: string, _opts?: ParseOptions): DecodedMessage {
  return notYet('decodeMessage');
}
