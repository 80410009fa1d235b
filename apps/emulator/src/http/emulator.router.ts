import type { IncomingMessage, ServerResponse } from 'node:http';
import { handleControl } from '../control/control-api.handler';
import { DataverseHandler } from '../dataverse/dataverse.handler';
import { EntraHandler } from '../entra/entra.handler';
import type { EmulatorControl } from '../control/emulator.control';
import type { CrlPublisher } from '../pki/crl.publisher';
import type { RpsHandler } from '../rps/rps.handler';
import { CrmFault } from '../soap/crm-error-codes.constants';
import { federationMetadataXml } from '../sts/sts.handler';
import { orgServiceFromPath, orgUrls } from '../state/org-urls';
import { crmServiceWsdl } from '../wsdl/crm-service.wsdl';
import { discoveryWsdl } from '../wsdl/discovery.wsdl';
import { metadataServiceWsdl } from '../wsdl/metadata-service.wsdl';
import { parseSoapEnvelope, SoapParseError, type SoapEnvelope } from '../xml/soap-envelope.parser';
import { escapeHtml } from '../xml/xml-escape.util';
import type { EmulatorContext, HttpReply, SoapService } from './emulator.context';
import { crmServiceForOrg, metadataServiceForOrg } from './org-services';
import { applyTransportBefore, truncateReply, writeReply } from './transport-scenarios';

/** Request bodies above this are refused with 413 before they are decoded. */
export const MAX_BODY_BYTES = 2 * 1024 * 1024;

class BodyTooLargeError extends Error {}

/** The body's bytes; the SOAP parser decodes them as strict UTF-8 (invalid UTF-8 is malformed XML). */
async function readBody(req: IncomingMessage): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > MAX_BODY_BYTES) throw new BodyTooLargeError();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLargeError();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function text(status: number, body: string, contentType = 'text/plain; charset=utf-8'): HttpReply {
  return { status, headers: { 'content-type': contentType }, body };
}

/** Services and pages the router dispatches to. */
export interface RouterDeps {
  ctx: EmulatorContext;
  sts: SoapService;
  discovery: SoapService;
  crm: SoapService;
  rps: RpsHandler;
  control: EmulatorControl;
  crl: CrlPublisher;
  /** The identity platform's token, openid-configuration and instance-discovery endpoints. */
  entra: EntraHandler;
  /** The Dataverse Web API subset of the environments. */
  dataverse: DataverseHandler;
}

const PATHS = {
  sts: new Set(['/rst2.srf', '/wstlogin.srf']),
  discovery: '/mscrmservices/2007/passport/crmdiscoveryservice.asmx',
  /**
   * The org-less CrmService path: an alias kept for tools, in the on-premise form where the token's
   * OrganizationName picks the org. Discovery never advertises it; each org's own URL is
   * `/<org>/MSCrmServices/2007/CrmService.asmx` (state/org-urls.ts).
   */
  crm: '/mscrmservices/2007/crmservice.asmx',
  federation: '/federationmetadata/2006-12/federationmetadata.xml',
};

function serviceDescriptionPage(name: string): HttpReply {
  return text(
    200,
    `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>${name}</title></head><body><h1>${name}</h1><p>The service description is at <a href="?WSDL">?WSDL</a>.</p></body></html>\n`,
    'text/html; charset=utf-8',
  );
}

/** The emulator's request listener: one HTTPS server for every endpoint. */
export function createRouter(deps: RouterDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const { ctx } = deps;
  return (req, res) => {
    route(deps, req, res).catch((error: unknown) => {
      ctx.log(`http: ${req.method ?? ''} ${req.url ?? ''} failed: ${(error as Error).message}`);
      if (!res.headersSent) writeReply(res, text(500, 'Internal Server Error'));
      else res.destroy();
    });
  };
}

async function route(deps: RouterDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { ctx } = deps;
  const url = new URL(req.url ?? '/', 'https://emulator.invalid');
  const p = url.pathname.toLowerCase();
  const method = req.method ?? 'GET';
  const wantsWsdl = [...url.searchParams.keys()].some((k) => k.toLowerCase() === 'wsdl');

  if (p.startsWith('/_control/')) return handleControl(deps.control, req, res, url);
  const entraRoute = EntraHandler.match(url.pathname);
  if (entraRoute) {
    ctx.counter.count('entra', entraRoute.kind);
    return writeReply(res, await deps.entra.handle(req, entraRoute, url));
  }
  const dataverseRoute = DataverseHandler.match(url.pathname);
  if (dataverseRoute) {
    ctx.counter.count('dataverse', method);
    return writeReply(res, await deps.dataverse.handle(req, dataverseRoute, url));
  }
  if (PATHS.sts.has(p)) {
    if (method !== 'POST') return writeReply(res, text(405, 'Use POST'));
    return handleSoap(deps, deps.sts, req, res);
  }
  if (p === PATHS.discovery || p === PATHS.crm) {
    const service = p === PATHS.discovery ? deps.discovery : deps.crm;
    if (method === 'POST') return handleSoap(deps, service, req, res);
    if (method === 'GET' && wantsWsdl) {
      const wsdl =
        p === PATHS.discovery ? discoveryWsdl(ctx.urls.discovery) : crmServiceWsdl(ctx.urls.crmService);
      return writeReply(res, text(200, wsdl, 'text/xml; charset=utf-8'));
    }
    if (method === 'GET') {
      return writeReply(
        res,
        serviceDescriptionPage(p === PATHS.discovery ? 'CrmDiscoveryService' : 'CrmService'),
      );
    }
    return writeReply(res, text(405, 'Use POST'));
  }
  const orgService = orgServiceFromPath(p);
  if (orgService) {
    const org = ctx.store.org(orgService.org);
    if (!org) {
      // As no host answers for an org CRM Online does not have.
      req.resume();
      return writeReply(res, text(404, 'Not Found'));
    }
    const urls = orgUrls(ctx.urls.base, org.name);
    const isCrm = orgService.service === 'crm';
    if (method === 'POST') {
      const service = isCrm
        ? crmServiceForOrg(deps.crm, org.name, ctx)
        : metadataServiceForOrg(org.name, ctx);
      return handleSoap(deps, service, req, res);
    }
    if (method === 'GET' && wantsWsdl) {
      const wsdl = isCrm ? crmServiceWsdl(urls.crmService) : metadataServiceWsdl(urls.metadataService);
      return writeReply(res, text(200, wsdl, 'text/xml; charset=utf-8'));
    }
    if (method === 'GET')
      return writeReply(res, serviceDescriptionPage(isCrm ? 'CrmService' : 'MetadataService'));
    return writeReply(res, text(405, 'Use POST'));
  }
  if (p === PATHS.federation && method === 'GET') {
    return writeReply(res, text(200, federationMetadataXml(ctx.urls.sts), 'text/xml; charset=utf-8'));
  }
  if (p.startsWith('/rps/')) return handleRps(deps, req, res, url);
  if (method === 'GET' && (p === '/pki/root.crl' || p === '/pki/intermediate.crl')) {
    const der = deps.crl.crl(p === '/pki/root.crl' ? 'root' : 'intermediate');
    return writeReply(res, { status: 200, headers: { 'content-type': 'application/pkix-crl' }, body: der });
  }
  if (method === 'GET' && (p === '/pki/root.pem' || p === '/pki/intermediate.pem')) {
    const pem = p === '/pki/root.pem' ? ctx.pki.rootCertPem : ctx.pki.intermediateCertPem;
    return writeReply(res, text(200, pem, 'application/x-pem-file'));
  }
  if (method === 'GET' && p === '/')
    return writeReply(res, text(200, indexPage(ctx), 'text/html; charset=utf-8'));
  req.resume();
  writeReply(res, text(404, 'Not Found'));
}

async function handleRps(
  deps: RouterDeps,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const transport = deps.ctx.scenarios.takeTransport('rps', {});
  if (await applyTransportBefore(transport, res)) return;
  const reply = await deps.rps.handle(req, url);
  writeReply(res, reply);
}

/**
 * One SOAP call: read (capped), parse (hardened), identify, count, apply transport scenarios, run,
 * and answer in the request's SOAP version. Every failure becomes a fault; nothing escapes.
 */
async function handleSoap(
  deps: RouterDeps,
  service: SoapService,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const { ctx } = deps;
  let body: Buffer;
  try {
    body = await readBody(req);
  } catch (error) {
    if (!(error instanceof BodyTooLargeError)) throw error;
    ctx.counter.count(service.endpoint, 'rejected');
    const fault = new CrmFault(
      'InvalidArgument',
      `The request body exceeds ${MAX_BODY_BYTES} bytes.`,
      'Client',
      413,
    );
    ctx.counter.fault(service.endpoint, fault.code);
    const reply = service.faultReply(fault, undefined, req);
    res.setHeader('connection', 'close');
    return writeReply(res, { ...reply, status: 413 });
  }
  let envelope: SoapEnvelope | undefined;
  let prepared;
  try {
    envelope = parseSoapEnvelope(body);
    prepared = service.prepare(envelope, req);
  } catch (error) {
    ctx.counter.count(service.endpoint, 'invalid');
    countFault(ctx, service, error);
    const reply = service.faultReply(error, envelope, req);
    return writeReply(res, error instanceof SoapParseError ? { ...reply, status: error.httpStatus } : reply);
  }
  ctx.counter.count(service.endpoint, prepared.operation);
  const transport = ctx.scenarios.takeTransport(service.endpoint, prepared.ctx);
  if (transport.length && (await applyTransportBefore(transport, res))) return;
  let reply: HttpReply;
  try {
    reply = await prepared.run();
  } catch (error) {
    countFault(ctx, service, error);
    reply = service.faultReply(error, envelope, req);
  }
  if (transport.some((s) => s.name === 'MALFORMED_REPLY')) reply = truncateReply(reply);
  writeReply(res, reply);
}

/** Counts a CRM fault by its code (`/_control/counts`, faults); other errors answer faults of their own kind. */
function countFault(ctx: EmulatorContext, service: SoapService, error: unknown): void {
  if (error instanceof CrmFault) ctx.counter.fault(service.endpoint, error.code);
}

function indexPage(ctx: EmulatorContext): string {
  const u = ctx.urls;
  const rows: Array<[string, string]> = [
    ['Windows Live STS', u.sts],
    ['Federation metadata', u.federationMetadata],
    ['RPS sign-in', u.rpsLogin],
    ['Discovery service (WSDL)', `${u.discovery}?WSDL`],
    ...[...ctx.store.orgs.values()].flatMap((o): Array<[string, string]> => {
      const urls = orgUrls(u.base, o.name);
      return [
        [`CrmService of ${o.name} (WSDL)`, `${urls.crmService}?WSDL`],
        [`MetadataService of ${o.name} (WSDL)`, `${urls.metadataService}?WSDL`],
      ];
    }),
    ['CrmService, org-less alias (WSDL)', `${u.crmService}?WSDL`],
    ['Root CA certificate', `${u.base}/pki/root.pem`],
    ['Root CRL', `${u.base}/pki/root.crl`],
    ['Intermediate CRL', `${u.base}/pki/intermediate.crl`],
    ['RPS signing certificate', `${u.base}/rps/signing-cert.pem`],
  ];
  const list = rows
    .map(
      ([name, href]) => `<li>${escapeHtml(name)}: <a href="${escapeHtml(href)}">${escapeHtml(href)}</a></li>`,
    )
    .join('\n');
  return `<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8"><title>CRM 4.0 Online emulator</title></head>\n<body>\n<main>\n<h1>CRM 4.0 Online emulator</h1>\n<ul>\n${list}\n</ul>\n</main>\n</body>\n</html>\n`;
}
