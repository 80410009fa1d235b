import { X509Certificate } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket, DetailedPeerCertificate } from 'node:tls';
import { verifyClientChain } from '../pki/client-chain.verifier';
import { thumbprintSha1 } from '../pki/pki.store';
import {
  FED_NS,
  SOAP11_NS,
  SOAP12_NS,
  WSA_NS,
  WSP_NS,
  WSSE_NS,
  WST_ISSUE,
  WSU_NS,
  WST_NS,
} from '../soap/namespaces.constants';
import { soapContentType } from '../soap/soap-writer';
import type { EmulatorContext, HttpReply, PreparedCall, SoapService } from '../http/emulator.context';
import type { CertRegistration, LiveAccount } from '../state/emulator-state.model';
import { TicketCodec } from '../tickets/ticket.codec';
import { SoapParseError, type SoapEnvelope } from '../xml/soap-envelope.parser';
import { escapeXmlText } from '../xml/xml-escape.util';
import { attr, child, children, text, type XmlValue } from '../xml/xml-node.util';
import { LiveFault, liveFaultReply, passportHeader } from './live-fault';

/** The client certificate chain as the TLS layer received it (leaf first). */
export function peerChain(req: IncomingMessage): X509Certificate[] {
  const socket = req.socket as TLSSocket;
  if (typeof socket.getPeerCertificate !== 'function') return [];
  const peer = socket.getPeerCertificate(true);
  if (!peer || !('raw' in peer) || !peer.raw) return [];
  const chain: X509Certificate[] = [];
  const seen = new Set<string>();
  let current: DetailedPeerCertificate | undefined = peer;
  while (current?.raw && !seen.has(current.fingerprint256) && chain.length < 8) {
    seen.add(current.fingerprint256);
    chain.push(new X509Certificate(current.raw));
    current = current.issuerCertificate;
  }
  return chain;
}

interface RstFields {
  requestType: string;
  appliesTo: string;
  policy: string;
}

function readRst(node: XmlValue): RstFields {
  return {
    requestType: (text(child(node, 'RequestType')) ?? '').trim(),
    appliesTo: (text(child(child(child(node, 'AppliesTo'), 'EndpointReference'), 'Address')) ?? '').trim(),
    policy: (attr(child(node, 'PolicyReference'), 'URI') ?? '').trim(),
  };
}

/**
 * The Windows Live STS (`POST /RST2.srf`, also `/wstlogin.srf`): WS-Trust 2005/02 Issue, with the
 * service account authenticated by its TLS client certificate (docs/protocol.md §1, §7.5). The ticket
 * is issued for the RST's `wsp:AppliesTo` partner domain only. The header's `wsa:To` is not checked:
 * Live clients send `http://Passport.NET/tb` (§7.2), and whether the real STS refused any other value
 * is not known, so the emulator accepts it, another value, or none.
 */
export class StsHandler implements SoapService {
  readonly endpoint = 'sts' as const;

  constructor(private readonly ctx: EmulatorContext) {}

  prepare(envelope: SoapEnvelope, req: IncomingMessage): PreparedCall {
    let requests: XmlValue[];
    let collection = false;
    if (envelope.bodyName === 'RequestSecurityToken') {
      requests = [envelope.bodyElement];
    } else if (envelope.bodyName === 'RequestMultipleSecurityTokens') {
      requests = children(envelope.bodyElement, 'RequestSecurityToken');
      collection = true;
    } else {
      throw new LiveFault(
        'invalid-request',
        `The body element ${envelope.bodyName} is not a RequestSecurityToken.`,
      );
    }
    const chain = peerChain(req);
    const leaf = chain[0];
    const registration = leaf ? this.ctx.store.certs.get(thumbprintSha1(leaf)) : undefined;
    return {
      operation: 'RequestSecurityToken',
      ctx: { account: registration?.account },
      run: () => {
        const account = this.authenticate(chain, registration);
        const fields = requests.map(readRst);
        if (fields.length === 0) throw new LiveFault('invalid-request', 'No RequestSecurityToken was sent.');
        for (const f of fields) this.checkRequest(f);
        return this.respond(envelope, account, fields, collection);
      },
    };
  }

  faultReply(error: unknown, envelope: SoapEnvelope | undefined): HttpReply {
    if (error instanceof SoapParseError) {
      return liveFaultReply(new LiveFault('invalid-request', error.message), '1.2', error.httpStatus);
    }
    const fault = error instanceof LiveFault ? error : new LiveFault('invalid-request');
    if (!(error instanceof LiveFault)) this.ctx.log(`sts: unexpected error: ${(error as Error).message}`);
    return liveFaultReply(fault, envelope?.version ?? '1.2');
  }

  private authenticate(chain: X509Certificate[], registration: CertRegistration | undefined): LiveAccount {
    const leaf = chain[0];
    if (!leaf) throw new LiveFault('no-certificate');
    const thumbprint = thumbprintSha1(leaf);
    const leafRevoked =
      registration?.revokedAt !== undefined ||
      this.ctx.scenarios.take(
        'REVOKED_CERTIFICATE',
        'sts',
        { account: registration?.account },
        (s) => s.params['thumbprint'] === undefined || s.params['thumbprint'] === thumbprint,
      ) !== undefined;
    const result = verifyClientChain({
      leaf,
      presented: chain.slice(1),
      knownIntermediates: [this.ctx.pki.intermediate],
      roots: [this.ctx.pki.root],
      now: new Date(),
      isRevoked: (cert) =>
        cert === leaf ? leafRevoked : this.ctx.store.certs.get(thumbprintSha1(cert))?.revokedAt !== undefined,
    });
    if (!result.ok) throw new LiveFault(result.problem, result.detail);
    if (!registration?.account) throw new LiveFault('not-associated', `Thumbprint ${thumbprint}.`);
    const account = this.ctx.store.liveAccount(registration.account);
    if (!account) throw new LiveFault('account-missing');
    return account;
  }

  private checkRequest(f: RstFields): void {
    if (f.requestType !== WST_ISSUE) {
      throw new LiveFault('invalid-request', `RequestType must be ${WST_ISSUE}.`);
    }
    if (!this.ctx.partnerDomains.some((d) => d.toLowerCase() === f.appliesTo.toLowerCase())) {
      throw new LiveFault('unknown-applies-to', `AppliesTo '${f.appliesTo}'.`);
    }
    if (f.policy !== this.ctx.policy) throw new LiveFault('unknown-policy', `Policy '${f.policy}'.`);
  }

  private respond(
    envelope: SoapEnvelope,
    account: LiveAccount,
    requests: RstFields[],
    collection: boolean,
  ): HttpReply {
    const now = Date.now();
    const exp = Math.floor((now + this.ctx.lifetimes.passportTicketSec * 1000) / 1000) * 1000;
    const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const ind = collection ? '  ' : '';
    const responses = requests.map((f, i) => {
      const ticket = this.ctx.tickets.issuePassport({
        liveId: account.liveId.toLowerCase(),
        puid: account.puid,
        policy: f.policy,
        // The ticket is good only for this partner domain; discovery checks it.
        appliesTo: f.appliesTo.toLowerCase(),
        iat: now,
        exp,
        jti: TicketCodec.newId(),
      });
      const nsDecl = collection
        ? ''
        : ` xmlns:wsse="${WSSE_NS}" xmlns:wsu="${WSU_NS}" xmlns:wsp="${WSP_NS}" xmlns:wsa="${WSA_NS}" xmlns:wst="${WST_NS}"`;
      return (
        `${ind}    <wst:RequestSecurityTokenResponse${nsDecl}>\n` +
        `${ind}      <wst:TokenType>urn:passport:compact</wst:TokenType>\n` +
        `${ind}      <wsp:AppliesTo>\n` +
        `${ind}        <wsa:EndpointReference>\n` +
        `${ind}          <wsa:Address>${escapeXmlText(f.appliesTo)}</wsa:Address>\n` +
        `${ind}        </wsa:EndpointReference>\n` +
        `${ind}      </wsp:AppliesTo>\n` +
        `${ind}      <wst:Lifetime>\n` +
        `${ind}        <wsu:Created>${iso(now)}</wsu:Created>\n` +
        `${ind}        <wsu:Expires>${iso(exp)}</wsu:Expires>\n` +
        `${ind}      </wst:Lifetime>\n` +
        `${ind}      <wst:RequestedSecurityToken>\n` +
        `${ind}        <wsse:BinarySecurityToken Id="Compact${i}">${escapeXmlText(ticket)}</wsse:BinarySecurityToken>\n` +
        `${ind}      </wst:RequestedSecurityToken>\n` +
        `${ind}      <wst:RequestedTokenReference>\n` +
        `${ind}        <wsse:KeyIdentifier ValueType="urn:passport:compact" />\n` +
        `${ind}        <wsse:Reference URI="#Compact${i}" />\n` +
        `${ind}      </wst:RequestedTokenReference>\n` +
        `${ind}    </wst:RequestSecurityTokenResponse>\n`
      );
    });
    const bodyInner = collection
      ? `    <wst:RequestSecurityTokenResponseCollection xmlns:wsse="${WSSE_NS}" xmlns:wsu="${WSU_NS}" xmlns:wsp="${WSP_NS}" xmlns:wsa="${WSA_NS}" xmlns:wst="${WST_NS}">\n` +
        responses.join('') +
        `    </wst:RequestSecurityTokenResponseCollection>\n`
      : responses.join('');
    const header = passportHeader(
      [
        `<psf:PUID>${account.puid}</psf:PUID>`,
        '<psf:authstate>0x48803</psf:authstate>',
        '<psf:reqstatus>0x0</psf:reqstatus>',
      ],
      new Date(now),
      true,
    );
    const soapNs = envelope.version === '1.2' ? SOAP12_NS : SOAP11_NS;
    const body =
      `<?xml version="1.0" encoding="utf-8"?>\n` +
      `<S:Envelope xmlns:S="${soapNs}">\n` +
      `  <S:Header>\n${header}  </S:Header>\n` +
      `  <S:Body>\n${bodyInner}  </S:Body>\n` +
      `</S:Envelope>\n`;
    return { status: 200, headers: { 'content-type': soapContentType(envelope.version) }, body };
  }
}

/** `GET /federationmetadata/2006-12/FederationMetaData.xml`: where the SDK looked up the STS address. */
export function federationMetadataXml(stsUrl: string): string {
  return (
    `<?xml version="1.0" encoding="utf-8"?>\n` +
    `<fed:FederationMetadata xmlns:fed="${FED_NS}" xmlns:wsa="${WSA_NS}">\n` +
    `  <fed:Federation>\n` +
    `    <fed:TargetServiceEndpoint>\n` +
    `      <wsa:Address>${escapeXmlText(stsUrl)}</wsa:Address>\n` +
    `    </fed:TargetServiceEndpoint>\n` +
    `  </fed:Federation>\n` +
    `</fed:FederationMetadata>\n`
  );
}
