/**
 * `decodeMessage`: any supported SOAP message to the JSON of fixtures/README.md. The
 * registry below is the list of every message spec; dispatch is a map lookup on the Body's key.
 */
import { CrmAuthError } from '../errors';
import { readCrmHeader, type DecodedCrmHeader } from './crm/crm-service';
import { CREATE } from './crm/create';
import { DELETE } from './crm/delete';
import { RETRIEVE } from './crm/retrieve';
import { RETRIEVE_MULTIPLE } from './crm/retrieve-multiple';
import { UPDATE } from './crm/update';
import { WHO_AM_I } from './crm/whoami';
import { RETRIEVE_CRM_TICKET } from './discovery/retrieve-crm-ticket';
import { RETRIEVE_CRM_USER_ID_BY_EXTERNAL_ID } from './discovery/retrieve-crm-user-id-by-external-id';
import { RETRIEVE_ORGANIZATIONS } from './discovery/retrieve-organizations';
import { RETRIEVE_POLICY } from './discovery/retrieve-policy';
import { readFault } from './faults';
import {
  identify,
  type MessageSpec,
  open,
  type OperationName,
  type ServiceName,
  wrapperKey,
} from './message';
import type { ParseOptions, SoapVersion } from './types';
import { REQUEST_SECURITY_TOKEN } from './wlid/request-security-token';

/** A JSON value as `decodeMessage` produces it. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Any supported SOAP message as JSON, exactly as fixtures/README.md defines it. */
export interface DecodedMessage {
  /** `crm` for every CRM fault (discovery and CrmService faults look alike), `wlid` for Live faults. */
  service: ServiceName;
  kind: 'request' | 'response' | 'fault';
  /** Null for a fault. */
  operation: OperationName | null;
  soapVersion: SoapVersion;
  /** CrmService requests only; `callerId` null when absent or all zeros. */
  header?: DecodedCrmHeader;
  /** Absent on a fault. */
  body?: { [key: string]: JsonValue };
  /** Faults only. */
  fault?: { code: string; name: string; description: string; type: string };
}

const OPERATIONS = [
  RETRIEVE_POLICY,
  RETRIEVE_ORGANIZATIONS,
  RETRIEVE_CRM_TICKET,
  RETRIEVE_CRM_USER_ID_BY_EXTERNAL_ID,
  WHO_AM_I,
  RETRIEVE,
  RETRIEVE_MULTIPLE,
  CREATE,
  UPDATE,
  DELETE,
  REQUEST_SECURITY_TOKEN,
];

const REGISTRY: ReadonlyMap<string, MessageSpec<unknown>> = new Map(
  OPERATIONS.flatMap((op) => [op.request, op.response] as MessageSpec<unknown>[]).flatMap((spec) =>
    spec.wrappers.map((w) => [wrapperKey(w), spec] as const),
  ),
);

/**
 * Decodes any supported request, response or fault to its JSON form. Throws CrmAuthError on refused
 * input (the hardened parser's codes), a broken envelope (ERR_XML_MALFORMED) or an unsupported
 * message (ERR_UNEXPECTED_MESSAGE, naming it). Faults are returned, not thrown.
 */
export function decodeMessage(xml: string | Uint8Array, opts?: ParseOptions): DecodedMessage {
  const env = open(xml, opts);
  const fault = readFault(env);
  if (fault) {
    const { service, soapVersion, code, name, description, type } = fault;
    return { service, kind: 'fault', operation: null, soapVersion, fault: { code, name, description, type } };
  }
  const found = identify(env.payload);
  const spec = REGISTRY.get(found.key);
  if (!spec) throw new CrmAuthError('ERR_UNEXPECTED_MESSAGE', `unsupported message: ${found.label}`);
  const ctx = { message: spec.label, operation: spec.operation };
  const out: DecodedMessage = {
    service: spec.service,
    kind: spec.kind,
    operation: spec.operation,
    soapVersion: env.soapVersion,
  };
  if (spec.service === 'crm' && spec.kind === 'request') {
    const header = readCrmHeader(env.header, ctx);
    if (header) out.header = header;
  }
  out.body = toJsonObject(spec.read(found.payload, ctx));
  return out;
}

function toJsonObject(value: unknown): { [key: string]: JsonValue } {
  const json = toJson(value);
  return json !== null && typeof json === 'object' && !Array.isArray(json) ? json : {};
}

/** Dates as `toISOString()`, undefined members dropped; everything else is already JSON. */
function toJson(value: unknown): JsonValue {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(toJson);
  if (value !== null && typeof value === 'object') {
    const out: { [key: string]: JsonValue } = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toJson(v);
    return out;
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return null;
}
