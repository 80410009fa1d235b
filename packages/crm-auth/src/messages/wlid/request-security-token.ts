import { type XmlElement } from '../../xml/xml-element';
import { el, serializeDocument } from '../../xml/xml-writer';
import { requireText } from '../arguments';
import { CONTENT_TYPE, NS, SOAP_ACTION, WLID } from '../constants';
import { soap12Envelope } from '../envelope';
import { extract, f, type FieldTable, type ReadContext, unexpected } from '../fields';
import { type MessageSpec, parseExpected } from '../message';
import type { ParseOptions, SoapRequest } from '../types';

interface RstArgs {
  /** The policy from RetrievePolicy, e.g. `MBI_SSL`. */
  policy: string;
  /** The partner domain the ticket is for, e.g. `crm.dynamics.com`. */
  appliesTo: string;
}
interface RstBody {
  requestType: string;
  appliesTo: string;
  policy: string;
}
interface RstrResult {
  ticket: string;
  created: Date;
  expires: Date;
}

const REQUEST_FIELDS: FieldTable<RstBody> = {
  requestType: f.nonEmpty('RequestType'),
  appliesTo: f.nonEmpty('AppliesTo/EndpointReference/Address'),
  policy: f.nonEmpty('PolicyReference/@URI'),
};
const RSTR_FIELDS: FieldTable<RstrResult> = {
  // The compact `t=…&p=` Passport ticket: passed on verbatim (and XML-escaped) to discovery.
  ticket: f.nonEmpty('RequestedSecurityToken/BinarySecurityToken'),
  created: f.date('Lifetime/Created'),
  expires: f.date('Lifetime/Expires'),
};

function hasToken(rstr: XmlElement): boolean {
  return rstr.children.some(
    (c) => c.name === 'RequestedSecurityToken' && c.children.some((t) => t.name === 'BinarySecurityToken'),
  );
}

function readRstr(payload: XmlElement, ctx: ReadContext): RstrResult {
  if (payload.name === 'RequestSecurityTokenResponse') return extract(payload, RSTR_FIELDS, ctx);
  // A collection answers several RSTs (e.g. one for http://Passport.NET/tb); the compact ticket is the one with a BinarySecurityToken.
  const rstr = payload.children.find((c) => c.name === 'RequestSecurityTokenResponse' && hasToken(c));
  if (!rstr) throw unexpected(ctx, 'no RequestSecurityTokenResponse carries a BinarySecurityToken');
  return extract(rstr, RSTR_FIELDS, ctx);
}

const TRUST_NAMESPACES = [NS.wst, NS.wst13];

/** RequestSecurityToken and its response, as data for parsing and decoding. */
export const REQUEST_SECURITY_TOKEN: {
  readonly request: MessageSpec<RstBody>;
  readonly response: MessageSpec<RstrResult>;
} = {
  request: {
    service: 'wlid',
    operation: 'RequestSecurityToken',
    kind: 'request',
    label: 'RequestSecurityToken',
    wrappers: TRUST_NAMESPACES.map((ns) => ({ ns, name: 'RequestSecurityToken' })),
    read: (e, ctx) => extract(e, REQUEST_FIELDS, ctx),
  },
  response: {
    service: 'wlid',
    operation: 'RequestSecurityToken',
    kind: 'response',
    label: 'RequestSecurityTokenResponse',
    wrappers: TRUST_NAMESPACES.flatMap((ns) => [
      { ns, name: 'RequestSecurityTokenResponse' },
      { ns, name: 'RequestSecurityTokenResponseCollection' },
    ]),
    read: readRstr,
  },
};

/**
 * WS-Trust 2005/02 `RequestSecurityToken` in a SOAP 1.2 envelope (docs/protocol.md §7.2). It carries no
 * credential: the service account's certificate authenticates as the TLS client certificate. `wsa:To`
 * is always `http://Passport.NET/tb`, as Live clients sent it, whatever URL the RST is posted to.
 */
export function buildRequestSecurityTokenRequest(a: RstArgs): SoapRequest {
  const mustUnderstand: [string, string][] = [['s:mustUnderstand', '1']];
  const header = [
    el('wsa:Action', mustUnderstand, SOAP_ACTION.wstIssue),
    el('wsa:To', mustUnderstand, WLID.passportTarget),
  ];
  const rst = el(
    'wst:RequestSecurityToken',
    [['Id', 'RST0']],
    [
      el('wst:RequestType', null, WLID.requestTypeIssue),
      el('wsp:AppliesTo', null, [
        el('wsa:EndpointReference', null, [el('wsa:Address', null, requireText(a.appliesTo, 'appliesTo'))]),
      ]),
      el('wsp:PolicyReference', [['URI', requireText(a.policy, 'policy')]]),
    ],
  );
  const declarations: [string, string][] = [
    ['xmlns:wsp', NS.wsp],
    ['xmlns:wsa', NS.wsa],
    ['xmlns:wst', NS.wst],
  ];
  return {
    xml: serializeDocument(soap12Envelope(declarations, header, rst)),
    soapAction: SOAP_ACTION.wstIssue,
    contentType: CONTENT_TYPE.soap12,
  };
}

/**
 * Parses `RequestSecurityTokenResponse`, bare or in a `RequestSecurityTokenResponseCollection`.
 * A `psf:error` fault throws ERR_WLID_FAULT.
 */
export function parseRequestSecurityTokenResponse(xml: string, opts?: ParseOptions): RstrResult {
  return parseExpected(xml, REQUEST_SECURITY_TOKEN.response, opts);
}
