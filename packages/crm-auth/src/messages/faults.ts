/**
 * SOAP faults of the three services (docs/protocol.md §6, §7.3): reading them from 1.1 or 1.2 envelopes,
 * mapping them through the catalogue, and turning them into CrmAuthErrors.
 */
import { CrmAuthError, type CrmAuthErrorCode } from '../errors';
import { parseXml } from '../xml/safe-parse';
import { deepText, resolveQName, type XmlElement, xmlTrim } from '../xml/xml-element';
import { CRM_FAULT_CODES, EXPIRED_TICKET_MARKER, NS } from './constants';
import { type Envelope, openEnvelope } from './envelope';
import type { ParseOptions, SoapVersion } from './types';

/** A SOAP fault from discovery, CrmService (`service: 'crm'`) or the Windows Live STS (`'wlid'`). */
export interface CrmFault {
  service: 'crm' | 'wlid';
  soapVersion: SoapVersion;
  /** CRM: `0x` + eight upper-case hex digits from `detail/error/code`. Live: the `psf:code` text. */
  code: string;
  /** Catalogue name (`ExpiredAuthTicket`, …) or `Unknown`. */
  name: string;
  description: string;
  /** CRM: `detail/error/type` (e.g. `Platform`). Live: `LiveId`. A fault without either detail: `Soap`. */
  type: string;
  /** The error code a parser throws for this fault. */
  errorCode: CrmAuthErrorCode;
  /** Local part of the SOAP fault code (`Server`, `Client`, `Receiver`, `Sender`). */
  soapCode: string;
  /** `faultstring` (1.1) or `Reason/Text` (1.2). */
  reason: string;
}

/** The typed fault carried by `xml`, or null when its Body holds no Fault. Throws CrmAuthError on refused input. */
export function parseFault(xml: string, opts: ParseOptions = {}): CrmFault | null {
  return readFault(openEnvelope(parseXml(xml, opts)));
}

/** The fault in an opened envelope, or null. */
export function readFault(env: Envelope): CrmFault | null {
  const fault = env.payload;
  if (fault.name !== 'Fault' || fault.ns !== env.ns) return null;

  // Never rely on child order, or on 1.1 vs 1.2 names matching the envelope: look for both.
  const codeEl = child(fault, 'faultcode') ?? child(child(fault, 'Code'), 'Value');
  const soapCodeText = codeEl ? xmlTrim(codeEl.text) : '';
  const soapCode = codeEl ? (resolveQName(codeEl, soapCodeText)?.name ?? soapCodeText) : '';
  const reason = xmlTrim((child(fault, 'faultstring') ?? child(child(fault, 'Reason'), 'Text'))?.text ?? '');
  const detail = child(fault, 'detail') ?? child(fault, 'Detail');
  const error = child(detail, 'error');
  const base = { soapVersion: env.soapVersion, soapCode, reason };

  if (error && error.ns === NS.psf) {
    const internal = child(error, 'internalerror');
    const code = xmlTrim(child(internal, 'code')?.text ?? child(error, 'value')?.text ?? '');
    const description = xmlTrim(child(internal, 'text')?.text ?? reason);
    return {
      service: 'wlid',
      code,
      name: 'Unknown',
      description,
      type: 'LiveId',
      errorCode: 'ERR_WLID_FAULT',
      ...base,
    };
  }
  if (error) {
    const codeText = xmlTrim(child(error, 'code')?.text ?? '');
    const code = normalizeFaultCode(codeText);
    const entry = CRM_FAULT_CODES[code];
    // The code element decides, through the catalogue (0x8004A101 is ERR_CRM_EXPIRED_TICKET there).
    // The SDK's text search for 8004A101 is only a fallback for a detail with no code: a 0x80040217
    // whose description mentions 8004a101 is not an expired ticket.
    const expiredByText =
      codeText === '' &&
      deepText(detail ?? error)
        .toUpperCase()
        .includes(EXPIRED_TICKET_MARKER);
    return {
      service: 'crm',
      code,
      name: entry?.name ?? 'Unknown',
      description: xmlTrim(child(error, 'description')?.text ?? ''),
      type: xmlTrim(child(error, 'type')?.text ?? ''),
      errorCode: expiredByText ? 'ERR_CRM_EXPIRED_TICKET' : (entry?.errorCode ?? 'ERR_CRM_FAULT'),
      ...base,
    };
  }
  // A plain ASMX fault (bad SOAPAction, deserialization error): no CRM detail.
  const expired = detail ? deepText(detail).toUpperCase().includes(EXPIRED_TICKET_MARKER) : false;
  return {
    service: 'crm',
    code: soapCode,
    name: 'Unknown',
    description: reason,
    type: 'Soap',
    errorCode: expired ? 'ERR_CRM_EXPIRED_TICKET' : 'ERR_CRM_FAULT',
    ...base,
  };
}

/** The CrmAuthError a parser throws for `fault`. A fault proves the server refused the request. */
export function faultError(fault: CrmFault, operation?: string): CrmAuthError {
  const who = fault.service === 'wlid' ? 'Windows Live fault' : 'CRM fault';
  const named = fault.name === 'Unknown' ? fault.code : `${fault.code} (${fault.name})`;
  return new CrmAuthError(fault.errorCode, `${who} ${named}: ${fault.description}`.replace(/\s+/g, ' '), {
    faultCode: fault.code,
    faultDescription: fault.description,
    notExecuted: true,
    ...(operation === undefined ? {} : { operation }),
  });
}

/** `0x8004a101`, `0X8004A101`, `8004A101` or `-2147180287` → `0x8004A101`; anything else is kept as sent. */
export function normalizeFaultCode(raw: string): string {
  const hex = /^(?:0[xX])?([0-9A-Fa-f]{8})$/.exec(raw);
  if (hex?.[1]) return `0x${hex[1].toUpperCase()}`;
  if (/^-?[0-9]{1,10}$/.test(raw)) {
    const n = Number(raw);
    if (n >= -0x80000000 && n <= 0xffffffff)
      return `0x${(n >>> 0).toString(16).toUpperCase().padStart(8, '0')}`;
  }
  return raw;
}

function child(el: XmlElement | undefined, name: string): XmlElement | undefined {
  if (!el) return undefined;
  for (const c of el.children) if (c.name === name) return c;
  return undefined;
}
