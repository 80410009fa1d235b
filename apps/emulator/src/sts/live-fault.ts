import { PSF_NS, SOAP11_NS, SOAP12_NS, WST_NS } from '../soap/namespaces.constants';
import { soapContentType } from '../soap/soap-writer';
import type { HttpReply } from '../http/emulator.context';
import type { SoapVersion } from '../xml/soap-envelope.parser';
import { escapeXmlText } from '../xml/xml-escape.util';

/** Why the STS refuses; each reason has its own psf:code (values chosen by the emulator, docs/protocol.md §7.3). */
export const LIVE_FAULTS = {
  'no-certificate': { code: '0x80048861', text: 'No client certificate was presented.' },
  'not-associated': {
    code: '0x80048862',
    text: 'The certificate presented is not associated with a Windows Live ID.',
  },
  expired: { code: '0x80048863', text: 'The certificate presented has expired.' },
  'not-yet-valid': { code: '0x80048864', text: 'The certificate presented is not yet valid.' },
  'untrusted-chain': {
    code: '0x80048865',
    text: 'The certificate presented does not chain to a supported root certificate.',
  },
  revoked: { code: '0x80048866', text: 'The certificate presented has been revoked.' },
  'not-client-auth': {
    code: '0x80048867',
    text: 'The certificate presented is not valid for client authentication.',
  },
  'invalid-request': { code: '0x80048820', text: 'The request is not a valid RequestSecurityToken.' },
  'unknown-applies-to': { code: '0x80048869', text: 'The AppliesTo address is not a known partner domain.' },
  'unknown-policy': { code: '0x8004886A', text: 'The policy is not supported.' },
  'account-missing': {
    code: '0x8004886B',
    text: 'The Windows Live ID associated with the certificate does not exist.',
  },
} as const;

export type LiveFaultReason = keyof typeof LIVE_FAULTS;

/** A refusal by the STS; written as a psf:error fault. */
export class LiveFault extends Error {
  constructor(
    readonly reason: LiveFaultReason,
    readonly detail?: string,
  ) {
    super(detail ? `${LIVE_FAULTS[reason].text} ${detail}` : LIVE_FAULTS[reason].text);
    this.name = 'LiveFault';
  }
}

/** The `psf:pp` header block Windows Live puts on every reply. */
export function passportHeader(lines: string[], now: Date, declareNs: boolean, indent = '    '): string {
  const i = `${indent}  `;
  const ns = declareNs ? ` xmlns:psf="${PSF_NS}"` : '';
  return (
    `${indent}<psf:pp${ns}>\n` +
    `${i}<psf:serverVersion>1</psf:serverVersion>\n` +
    lines.map((line) => `${i}${line}\n`).join('') +
    `${i}<psf:serverInfo Path="Live1" RollingUpgradeState="ExclusiveNew" LocVersion="0" ServerTime="${now
      .toISOString()
      .replace(/\.\d{3}Z$/, 'Z')}">ONBEHALF-EMULATOR 2026.11.24</psf:serverInfo>\n` +
    `${i}<psf:cookies />\n` +
    `${i}<psf:response />\n` +
    `${indent}</psf:pp>\n`
  );
}

/** A Windows Live fault, laid out like fixtures/wlid/fault-certificate-not-associated.xml. */
export function liveFaultReply(fault: LiveFault, version: SoapVersion, status = 500): HttpReply {
  const { code, text } = LIVE_FAULTS[fault.reason];
  const authFailure =
    fault.reason !== 'invalid-request' &&
    fault.reason !== 'unknown-applies-to' &&
    fault.reason !== 'unknown-policy';
  const reqstatus = authFailure ? '0x80048821' : '0x80048820';
  const subcode = authFailure ? 'wst:FailedAuthentication' : 'wst:InvalidRequest';
  const reason = authFailure ? 'Authentication Failure' : 'Invalid Request';
  const message = fault.detail ? `${text} ${fault.detail}` : text;
  const detail =
    `        <psf:error>\n` +
    `          <psf:value>${reqstatus}</psf:value>\n` +
    `          <psf:internalerror>\n` +
    `            <psf:code>${code}</psf:code>\n` +
    `            <psf:text>${escapeXmlText(message)}&#x000D;&#x000A;</psf:text>\n` +
    `          </psf:internalerror>\n` +
    `        </psf:error>\n`;
  const now = new Date();
  const header = passportHeader(
    ['<psf:authstate>0x80048800</psf:authstate>', `<psf:reqstatus>${reqstatus}</psf:reqstatus>`],
    now,
    false,
  );
  const envelopeNs = version === '1.2' ? SOAP12_NS : SOAP11_NS;
  const fault12 =
    `    <S:Fault>\n` +
    `      <S:Code>\n` +
    `        <S:Value>S:Sender</S:Value>\n` +
    `        <S:Subcode>\n          <S:Value>${subcode}</S:Value>\n        </S:Subcode>\n` +
    `      </S:Code>\n` +
    `      <S:Reason>\n        <S:Text xml:lang="en-US">${reason}</S:Text>\n      </S:Reason>\n` +
    `      <S:Detail>\n${detail}      </S:Detail>\n` +
    `    </S:Fault>\n`;
  const fault11 =
    `    <S:Fault>\n` +
    `      <faultcode>${subcode}</faultcode>\n` +
    `      <faultstring>${reason}</faultstring>\n` +
    `      <detail>\n${detail}      </detail>\n` +
    `    </S:Fault>\n`;
  const body =
    `<?xml version="1.0" encoding="utf-8"?>\n` +
    `<S:Envelope xmlns:S="${envelopeNs}" xmlns:wst="${WST_NS}" xmlns:psf="${PSF_NS}">\n` +
    `  <S:Header>\n${header}  </S:Header>\n` +
    `  <S:Body>\n${version === '1.2' ? fault12 : fault11}  </S:Body>\n` +
    `</S:Envelope>\n`;
  return { status, headers: { 'content-type': soapContentType(version) }, body };
}
