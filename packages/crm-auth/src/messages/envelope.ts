/**
 * The SOAP envelope, both ways: {@link openEnvelope} checks the structure of a parsed message and
 * finds its one payload element; {@link soap11Envelope} and {@link soap12Envelope} wrap outgoing ones.
 */
import { CrmAuthError } from '../errors';
import type { XmlElement } from '../xml/xml-element';
import { el, type XNode } from '../xml/xml-writer';
import { NS } from './constants';
import type { SoapVersion } from './types';

/** A structurally valid envelope. */
export interface Envelope {
  readonly soapVersion: SoapVersion;
  /** The envelope namespace (1.1 or 1.2). */
  readonly ns: string;
  readonly header: XmlElement | undefined;
  /** The single child of Body: a Fault or the message wrapper. */
  readonly payload: XmlElement;
}

function malformed(problem: string): CrmAuthError {
  return new CrmAuthError('ERR_XML_MALFORMED', `invalid SOAP envelope: ${problem}`);
}

/** Checks root, Header and Body. Throws ERR_XML_MALFORMED for anything that is not one clean envelope. */
export function openEnvelope(root: XmlElement): Envelope {
  const soapVersion = root.ns === NS.soap11 ? '1.1' : root.ns === NS.soap12 ? '1.2' : undefined;
  if (root.name !== 'Envelope' || !soapVersion) {
    throw new CrmAuthError('ERR_XML_MALFORMED', `not a SOAP envelope: the root element is ${root.name}`);
  }
  let header: XmlElement | undefined;
  let body: XmlElement | undefined;
  for (const c of root.children) {
    if (c.ns === root.ns && c.name === 'Header' && !header && !body) header = c;
    else if (c.ns === root.ns && c.name === 'Body' && !body) body = c;
    // A second Body (or Header) could carry a different request past a check of the first: refuse.
    else throw malformed(`unexpected ${c.name} element in Envelope (exactly one Body allowed)`);
  }
  if (!body) throw malformed('no Body');
  const [payload, extra] = body.children;
  if (!payload) throw malformed('empty Body');
  if (extra) throw malformed('more than one element in Body');
  return { soapVersion, ns: root.ns, header, payload };
}

const XSI_XSD: ReadonlyArray<readonly [string, string]> = [
  ['xmlns:xsi', NS.xsi],
  ['xmlns:xsd', NS.xsd],
];

/** A SOAP 1.1 envelope as ASMX clients write it (prefix `soap`, xsi and xsd declared). */
export function soap11Envelope(headerBlocks: readonly XNode[], payload: XNode): XNode {
  const children: XNode[] = [];
  if (headerBlocks.length > 0) children.push(el('soap:Header', null, headerBlocks));
  children.push(el('soap:Body', null, [payload]));
  return el('soap:Envelope', [['xmlns:soap', NS.soap11], ...XSI_XSD], children);
}

/** A SOAP 1.2 envelope (prefix `s`), with extra namespace declarations on the root. */
export function soap12Envelope(
  declarations: ReadonlyArray<readonly [string, string]>,
  headerBlocks: readonly XNode[],
  payload: XNode,
): XNode {
  const children: XNode[] = [];
  if (headerBlocks.length > 0) children.push(el('s:Header', null, headerBlocks));
  children.push(el('s:Body', null, [payload]));
  return el('s:Envelope', [['xmlns:s', NS.soap12], ...declarations], children);
}
