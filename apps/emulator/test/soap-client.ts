import { readFile } from 'node:fs/promises';
import { XMLParser } from 'fast-xml-parser';
import type { Agent } from 'undici';
import type { Harness, HttpResult } from './emulator-harness';

/** A lenient parser for asserting on replies (the emulator's own parser is for requests). */
const replyParser = new XMLParser({
  ignoreAttributes: false,
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  htmlEntities: true,
});

/** Parses a reply into fast-xml-parser's object form, prefixes removed. */
export function parseReply(xml: string): unknown {
  return replyParser.parse(xml) as unknown;
}

/** Walks a parsed reply by a `/`-separated path of local names; undefined when absent. */
export function at(tree: unknown, path: string): unknown {
  let node = tree;
  for (const key of path.split('/')) {
    if (Array.isArray(node)) node = node[0] as unknown;
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** The text at a path (element text, or `#text` when the element has attributes). */
export function textAt(tree: unknown, path: string): string | undefined {
  const node = at(tree, path);
  if (typeof node === 'string') return node;
  if (typeof node === 'object' && node !== null) {
    const value = (node as Record<string, unknown>)['#text'];
    return typeof value === 'string' ? value : '';
  }
  return undefined;
}

/** The elements at a path as a list (0, 1 or n). */
export function listAt(tree: unknown, path: string): unknown[] {
  const node = at(tree, path);
  if (node === undefined) return [];
  return Array.isArray(node) ? node : [node];
}

const CDS = 'http://schemas.microsoft.com/crm/2007/CrmDiscoveryService';
const WS = 'http://schemas.microsoft.com/crm/2007/WebServices';

/** XML-escapes text for request templates. */
export function esc(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The RST of the certificate flow (SOAP 1.2). */
export function rstXml(opts: { appliesTo?: string; policy?: string; requestType?: string } = {}): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:wsp="http://schemas.xmlsoap.org/ws/2004/09/policy" xmlns:wsa="http://www.w3.org/2005/08/addressing" xmlns:wst="http://schemas.xmlsoap.org/ws/2005/02/trust">
  <s:Header>
    <wsa:Action s:mustUnderstand="1">http://schemas.xmlsoap.org/ws/2005/02/trust/RST/Issue</wsa:Action>
    <wsa:To s:mustUnderstand="1">http://Passport.NET/tb</wsa:To>
  </s:Header>
  <s:Body>
    <wst:RequestSecurityToken Id="RST0">
      <wst:RequestType>${opts.requestType ?? 'http://schemas.xmlsoap.org/ws/2005/02/trust/Issue'}</wst:RequestType>
      <wsp:AppliesTo><wsa:EndpointReference><wsa:Address>${opts.appliesTo ?? 'crm.dynamics.com'}</wsa:Address></wsa:EndpointReference></wsp:AppliesTo>
      <wsp:PolicyReference URI="${opts.policy ?? 'MBI_SSL'}" />
    </wst:RequestSecurityToken>
  </s:Body>
</s:Envelope>`;
}

/** A discovery Execute request in SOAP 1.1 with an unprefixed xsi:type (as RHO wrote it). */
export function discoveryXml(type: string, fields: Record<string, string> = {}): string {
  const children = Object.entries(fields)
    .map(([k, v]) => `<${k}>${esc(v)}</${k}>`)
    .join('');
  return `<?xml version="1.0" encoding="utf-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <soap:Body><Execute xmlns="${CDS}"><Request xsi:type="${type}">${children}</Request></Execute></soap:Body>
</soap:Envelope>`;
}

/** A CrmService request in SOAP 1.1 with the CrmAuthenticationToken header. */
export function crmXml(
  token: { ticket: string; org: string; callerId?: string; authType?: string },
  body: string,
): string {
  return `<?xml version="1.0" encoding="utf-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">
  <soap:Header>
    <CrmAuthenticationToken xmlns="${WS}">
      <AuthenticationType xmlns="http://schemas.microsoft.com/crm/2007/CoreTypes">${token.authType ?? '1'}</AuthenticationType>
      <CrmTicket xmlns="http://schemas.microsoft.com/crm/2007/CoreTypes">${esc(token.ticket)}</CrmTicket>
      <OrganizationName xmlns="http://schemas.microsoft.com/crm/2007/CoreTypes">${token.org}</OrganizationName>
      <CallerId xmlns="http://schemas.microsoft.com/crm/2007/CoreTypes">${token.callerId ?? '00000000-0000-0000-0000-000000000000'}</CallerId>
    </CrmAuthenticationToken>
  </soap:Header>
  <soap:Body>${body}</soap:Body>
</soap:Envelope>`;
}

export const WHOAMI_BODY = `<Execute xmlns="${WS}"><Request xsi:type="WhoAmIRequest" /></Execute>`;

/** The SOAPAction header of a CrmService operation. */
export function crmAction(op: string): Record<string, string> {
  return { soapaction: `"${WS}/${op}"` };
}

export const DISCOVERY_ACTION = { soapaction: `"${CDS}/Execute"` };

/** The fault code (`0x…`) in a CRM fault reply, or undefined. */
export function faultCode(xml: string): string | undefined {
  return /<code>(0x[0-9A-Fa-f]{8})<\/code>/.exec(xml)?.[1];
}

/** The psf:code of a Windows Live fault. */
export function liveFaultCode(xml: string): string | undefined {
  return /<psf:code>([^<]*)<\/psf:code>/.exec(xml)?.[1];
}

/** Signs in at the STS with the demo certificate and returns the Passport ticket. */
export async function passportTicket(h: Harness, client?: Agent): Promise<string> {
  const agent =
    client ??
    h.clientWith({
      certPem: await readFile(h.emu.demo.certPath, 'utf8'),
      keyPem: await readFile(h.emu.demo.keyPath, 'utf8'),
      chainPem: await readFile(h.emu.demo.chainPath, 'utf8'),
    });
  const res = await h.post(
    '/RST2.srf',
    rstXml(),
    { 'content-type': 'application/soap+xml; charset=utf-8' },
    agent,
  );
  const ticket = textAt(
    parseReply(res.body),
    'Envelope/Body/RequestSecurityTokenResponse/RequestedSecurityToken/BinarySecurityToken',
  );
  if (res.status !== 200 || !ticket) throw new Error(`STS refused: ${res.status} ${res.body}`);
  return ticket;
}

/** Runs STS + RetrieveCrmTicket and returns a CRM ticket for `org`. */
export async function crmTicket(
  h: Harness,
  org = 'contoso',
): Promise<{ ticket: string; expirationDate: string; reply: HttpResult }> {
  const passport = await passportTicket(h);
  const reply = await h.post(
    '/MSCRMServices/2007/Passport/CrmDiscoveryService.asmx',
    discoveryXml('RetrieveCrmTicketRequest', { OrganizationName: org, PassportTicket: passport }),
    DISCOVERY_ACTION,
  );
  const tree = parseReply(reply.body);
  const ticket = textAt(tree, 'Envelope/Body/ExecuteResponse/Response/CrmTicket');
  const expirationDate = textAt(tree, 'Envelope/Body/ExecuteResponse/Response/ExpirationDate');
  if (reply.status !== 200 || !ticket || !expirationDate) {
    throw new Error(`RetrieveCrmTicket failed: ${reply.status} ${reply.body}`);
  }
  return { ticket, expirationDate, reply };
}
