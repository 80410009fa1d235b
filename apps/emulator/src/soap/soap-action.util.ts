import type { IncomingMessage } from 'node:http';
import type { SoapVersion } from '../xml/soap-envelope.parser';

/** The SOAP action of a request: the SOAPAction header (1.1) or the `action` media-type parameter (1.2). */
export function soapAction(req: IncomingMessage): string | undefined {
  const header = req.headers['soapaction'];
  const raw = Array.isArray(header) ? header[0] : header;
  if (raw !== undefined && raw.trim() !== '' && raw.trim() !== '""') return raw.trim().replace(/^"|"$/g, '');
  const contentType = req.headers['content-type'] ?? '';
  const m = /;\s*action\s*=\s*(?:"([^"]*)"|([^;\s]+))/i.exec(contentType);
  const action = m?.[1] ?? m?.[2];
  return action === undefined || action === '' ? undefined : action;
}

/** Best guess of the SOAP version from the media type, for faults about bodies that did not parse. */
export function versionFromContentType(req: IncomingMessage): SoapVersion {
  return /application\/soap\+xml/i.test(req.headers['content-type'] ?? '') ? '1.2' : '1.1';
}
