import type { SoapVersion } from '../xml/soap-envelope.parser';
import { escapeXmlText } from '../xml/xml-escape.util';
import { SOAP11_NS, SOAP12_NS, XSD_NS, XSI_NS } from './namespaces.constants';
import type { CrmFault } from './crm-error-codes.constants';

/** Content types per SOAP version; 1.2 carries the action in the media type instead of SOAPAction. */
export function soapContentType(version: SoapVersion): string {
  return version === '1.1' ? 'text/xml; charset=utf-8' : 'application/soap+xml; charset=utf-8';
}

const HEAD: Record<SoapVersion, string> = {
  '1.1':
    `<?xml version="1.0" encoding="utf-8"?>\n` +
    `<soap:Envelope xmlns:soap="${SOAP11_NS}" xmlns:xsi="${XSI_NS}" xmlns:xsd="${XSD_NS}">\n` +
    `  <soap:Body>\n`,
  '1.2':
    `<?xml version="1.0" encoding="utf-8"?>\n` +
    `<soap:Envelope xmlns:soap="${SOAP12_NS}" xmlns:xsi="${XSI_NS}" xmlns:xsd="${XSD_NS}">\n` +
    `  <soap:Body>\n`,
};
const TAIL = `  </soap:Body>\n</soap:Envelope>\n`;

/**
 * Wraps body XML (already indented by four spaces, one element per line) in an ASMX-style envelope,
 * laid out like the fixtures so that byte-level comparisons stay meaningful.
 */
export function soapEnvelope(version: SoapVersion, bodyXml: string): string {
  return HEAD[version] + bodyXml + TAIL;
}

/** The CRM fault of docs/protocol.md §6.1, in the request's SOAP version. */
export function crmFaultXml(version: SoapVersion, fault: CrmFault): string {
  const detail =
    `        <error>\n` +
    `          <code>${fault.code}</code>\n` +
    `          <description>${escapeXmlText(fault.message)}</description>\n` +
    `          <type>Platform</type>\n` +
    `        </error>\n`;
  const faultString =
    fault.faultCode === 'Server' ? 'Server was unable to process request.' : escapeXmlText(fault.message);
  if (version === '1.1') {
    return soapEnvelope(
      version,
      `    <soap:Fault>\n` +
        `      <faultcode>soap:${fault.faultCode}</faultcode>\n` +
        `      <faultstring>${faultString}</faultstring>\n` +
        `      <detail>\n${detail}      </detail>\n` +
        `    </soap:Fault>\n`,
    );
  }
  const code = fault.faultCode === 'Server' ? 'soap:Receiver' : 'soap:Sender';
  return soapEnvelope(
    version,
    `    <soap:Fault>\n` +
      `      <soap:Code>\n        <soap:Value>${code}</soap:Value>\n      </soap:Code>\n` +
      `      <soap:Reason>\n        <soap:Text xml:lang="en">${faultString}</soap:Text>\n      </soap:Reason>\n` +
      `      <soap:Detail>\n${detail}      </soap:Detail>\n` +
      `    </soap:Fault>\n`,
  );
}
