/**
 * How a message is recognised and read. Each operation file declares a {@link MessageSpec} per
 * direction (data: service, wrapper element, Execute type, reader); {@link parseExpected} and the
 * decoder dispatch on {@link identify}'s key, so adding a message adds data, not dispatch code.
 */
import { CrmAuthError } from '../errors';
import { parseXml } from '../xml/safe-parse';
import { attr, resolveQName, type XmlElement } from '../xml/xml-element';
import { NS } from './constants';
import { type Envelope, openEnvelope } from './envelope';
import { faultError, readFault } from './faults';
import type { ReadContext } from './fields';
import type { ParseOptions } from './types';

/** Operation names as `decodeMessage` reports them. */
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

/** Which service a message belongs to. */
export type ServiceName = 'discovery' | 'crm' | 'wlid';

/** The element that identifies a message: the Body's child, plus the `xsi:type` for Execute wrappers. */
export interface MessageWrapper {
  readonly ns: string;
  readonly name: string;
  /** For `Execute`/`ExecuteResponse`: the local name of `Request/@xsi:type` or `Response/@xsi:type`. */
  readonly executeType?: string;
}

/** One message (one operation, one direction) as data. */
export interface MessageSpec<T> {
  readonly service: ServiceName;
  readonly operation: OperationName;
  readonly kind: 'request' | 'response';
  /** Name used in messages, e.g. `RetrieveCrmTicketResponse`. */
  readonly label: string;
  readonly wrappers: readonly MessageWrapper[];
  /** Reads the payload: the Execute's Request/Response element, or else the wrapper itself. */
  readonly read: (payload: XmlElement, ctx: ReadContext) => T;
}

/** Key of a wrapper, shared by specs and {@link identify}. */
export function wrapperKey(w: MessageWrapper): string {
  return `${w.ns} ${w.name}${w.executeType === undefined ? '' : ` ${w.executeType}`}`;
}

const EXECUTE_NAMESPACES: readonly string[] = [NS.cds, NS.ws];

/** What the Body carries: its dispatch key, the element to read, and a name for messages. */
export interface Identified {
  readonly key: string;
  readonly payload: XmlElement;
  readonly label: string;
}

/** Identifies a non-fault payload. Throws ERR_UNEXPECTED_MESSAGE for an Execute without a usable type. */
export function identify(wrapper: XmlElement): Identified {
  const isExecute = wrapper.name === 'Execute' || wrapper.name === 'ExecuteResponse';
  if (!isExecute || !EXECUTE_NAMESPACES.includes(wrapper.ns)) {
    return { key: wrapperKey(wrapper), payload: wrapper, label: wrapper.name };
  }
  const inner = wrapper.name === 'Execute' ? 'Request' : 'Response';
  const candidates = wrapper.children.filter((c) => c.name === inner);
  const [payload] = candidates;
  if (!payload || candidates.length > 1) {
    throw new CrmAuthError('ERR_UNEXPECTED_MESSAGE', `${wrapper.name} must hold exactly one ${inner}`);
  }
  const rawType = attr(payload, NS.xsi, 'type');
  // xsi:type is a QName: `cds:RetrievePolicyRequest` and unprefixed `RetrievePolicyRequest` are the same.
  const type = rawType === undefined ? null : resolveQName(payload, rawType);
  if (!type || (type.ns !== wrapper.ns && type.ns !== '')) {
    throw new CrmAuthError(
      'ERR_UNEXPECTED_MESSAGE',
      `${wrapper.name}/${inner} has no xsi:type in its namespace`,
    );
  }
  return {
    key: wrapperKey({ ns: wrapper.ns, name: wrapper.name, executeType: type.name }),
    payload,
    label: type.name,
  };
}

/** Parses and opens an envelope (all refusals of the hardened parser apply). */
export function open(xml: string | Uint8Array, opts: ParseOptions = {}): Envelope {
  return openEnvelope(parseXml(xml, opts));
}

/**
 * The common body of every `parse*Response`: refuse hostile input, throw the mapped error for a
 * fault, refuse any other message, then read with the spec's table.
 */
export function parseExpected<T>(xml: string | Uint8Array, spec: MessageSpec<T>, opts: ParseOptions = {}): T {
  const env = open(xml, opts);
  const fault = readFault(env);
  if (fault) throw faultError(fault, spec.operation);
  const found = identify(env.payload);
  if (!spec.wrappers.some((w) => wrapperKey(w) === found.key)) {
    throw new CrmAuthError('ERR_UNEXPECTED_MESSAGE', `expected ${spec.label}, received ${found.label}`, {
      operation: spec.operation,
    });
  }
  return spec.read(found.payload, { message: spec.label, operation: spec.operation });
}
