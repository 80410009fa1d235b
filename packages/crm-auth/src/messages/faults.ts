import type { CrmAuthErrorCode } from '../errors';
import { notYet } from './stub';
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
  /** CRM: `detail/error/type` (e.g. `Platform`). Live: `LiveId`. */
  type: string;
  /** The error code a parser throws for this fault. */
  errorCode: CrmAuthErrorCode;
  /** Local part of the SOAP fault code (`Server`, `Client`, `Receiver`, `Sender`). */
  soapCode: string;
  /** `faultstring` (1.1) or `Reason/Text` (1.2). */
  reason: string;
}

/** The typed fault carried by `xml`, or null when the body holds no Fault. Throws on refused input. */
export function parseFault(_xml: string, _opts?: ParseOptions): CrmFault | null {
  return notYet('parseFault');
}
