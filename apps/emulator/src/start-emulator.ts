import { X509Certificate } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import { isIP, type Socket } from 'node:net';
import path from 'node:path';
import { createEmulatorControl, type EmulatorControl, expireCrmTickets } from './control/emulator.control';
import { CrmServiceHandler } from './crm/crm-service.handler';
import { DataverseHandler } from './dataverse/dataverse.handler';
import { DiscoveryHandler } from './discovery/discovery.handler';
import { DEMO_ENTRA, demoEntraSeed, EntraDirectory } from './entra/entra-directory';
import { EntraHandler } from './entra/entra.handler';
import type { EmulatorContext, EmulatorUrls, Lifetimes } from './http/emulator.context';
import { createRouter } from './http/emulator.router';
import { CrlPublisher } from './pki/crl.publisher';
import { PkiStore } from './pki/pki.store';
import { RpsHandler } from './rps/rps.handler';
import { CallCounter } from './scenarios/call.counter';
import { CrmBarrier } from './scenarios/crm-barrier';
import { ScenarioEngine } from './scenarios/scenario.engine';
import { demoSeed, emptySeed, SERVICE_ACCOUNT } from './state/demo-seed';
import { orgUrls } from './state/org-urls';
import { StateStore } from './state/state.store';
import { StsHandler } from './sts/sts.handler';
import { TicketCodec } from './tickets/ticket.codec';

/** Options of startEmulator. */
export interface EmulatorOptions {
  /** 0 = a random free port (tests); the CLI defaults to 8443. */
  port?: number;
  /** Listen address, default '127.0.0.1'. */
  host?: string;
  /** Names for URLs and the server certificate's SANs, default ['localhost']; URLs use the first. */
  hostnames?: string[];
  /** CA, keys and persisted state; created if missing. */
  dataDir: string;
  /** Where the demo certificate files, the CA and the RPS signing certificate are written; default <dataDir>/demo. */
  demoDir?: string;
  /** 'demo' (default) loads the demo seed on first start; 'none' starts empty. */
  seed?: 'demo' | 'none';
  /**
   * Keep the records and scenarios in <dataDir>/state.json across restarts (default true). false keeps them in
   * memory only: a long load test then does not pay for rewriting a file that grows with every record.
   */
  persistState?: boolean;
  /** Default 8 h. */
  crmTicketLifetimeSec?: number;
  /** Default 24 h. */
  passportTicketLifetimeSec?: number;
  /** Default 600 s. */
  rpsTicketLifetimeSec?: number;
  /** Partner domains the STS accepts as AppliesTo; default crm.dynamics.com, crm4.dynamics.com, crm5.dynamics.com. */
  partnerDomains?: string[];
  /** Log sink; default: no logging. Secrets are never passed to it. */
  log?: (line: string) => void;
}

/** Files written for the demo service account. */
export interface DemoFiles {
  certPath: string;
  keyPath: string;
  chainPath: string;
  pfxPath: string;
  pfxPassword: string;
  caCertPath: string;
  rpsSigningCertPath: string;
  serviceAccountLiveId: string;
}

/** A running emulator. */
export interface RunningEmulator {
  /** e.g. https://localhost:8443 */
  url: string;
  port: number;
  discoveryUrl: string;
  /**
   * The org-less CrmService path, an alias where the token's OrganizationName picks the org. Discovery
   * never advertises it: each org has its own URL, {@link RunningEmulator.crmServiceUrlFor}.
   */
  crmServiceUrl: string;
  /** An org's own CrmService URL, as OrganizationDetail gives it: `<url>/<org>/MSCrmServices/2007/CrmService.asmx`. */
  crmServiceUrlFor(organizationName: string): string;
  stsUrl: string;
  rpsLoginUrl: string;
  /** The emulator root CA: servers must trust it, and it is a supported root for client certificates. */
  caCertPem: string;
  caCertPath: string;
  demo: DemoFiles;
  /** The control API's operations, in-process and typed. */
  control: EmulatorControl;
  /** The identity platform (Entra ID) of the demo: its authority, tenant, the ISV's app and the Dataverse environment. */
  entra: {
    /** The authority host: `<url>`; a tenant's token endpoint is `<url>/<tenant>/oauth2/v2.0/token`. */
    authorityUrl: string;
    tenantId: string;
    tenantDomain: string;
    /** The ISV's app (client id); its certificate is the demo certificate. */
    clientId: string;
    /** The demo Dataverse environment's URL: the resource of the token (`<environmentUrl>/.default`). */
    environmentUrl: string;
    /** The directory behind the endpoints (tenants, apps, consents, issued tokens), in-process. */
    directory: EntraDirectory;
  };
  /** Closes the server and every socket, and flushes the state to disk. */
  close(): Promise<void>;
}

const DEFAULT_LIFETIMES: Lifetimes = {
  crmTicketSec: 8 * 3600,
  passportTicketSec: 24 * 3600,
  rpsTicketSec: 600,
};

function checkLifetime(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 1 || value > 31_536_000) {
    throw new TypeError(`${name} must be a number of seconds between 1 and 31536000`);
  }
  return Math.floor(value);
}

function hostForUrl(host: string): string {
  return isIP(host) === 6 ? `[${host}]` : host;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      if (error.code === 'EADDRINUSE') {
        reject(
          new Error(
            `Port ${port} on ${host} is already in use; stop the other process or choose another port.`,
          ),
        );
      } else if (error.code === 'EACCES') {
        reject(new Error(`Not allowed to listen on ${host}:${port}.`));
      } else {
        reject(error);
      }
    };
    const onListening = (): void => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

/**
 * Starts the CRM 4.0 Online emulator: the Windows Live STS, RPS sign-in, the discovery service and
 * CrmService on one HTTPS server, with the control API under /_control.
 */
export async function startEmulator(options: EmulatorOptions): Promise<RunningEmulator> {
  if (!options || typeof options.dataDir !== 'string' || options.dataDir === '') {
    throw new TypeError('startEmulator: dataDir is required');
  }
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new TypeError('port must be an integer 0–65535');
  const host = options.host ?? '127.0.0.1';
  const hostnames = options.hostnames?.length ? options.hostnames : ['localhost'];
  const seed = options.seed ?? 'demo';
  if (seed !== 'demo' && seed !== 'none') throw new TypeError("seed must be 'demo' or 'none'");
  const lifetimes: Lifetimes = {
    crmTicketSec: checkLifetime(
      'crmTicketLifetimeSec',
      options.crmTicketLifetimeSec,
      DEFAULT_LIFETIMES.crmTicketSec,
    ),
    passportTicketSec: checkLifetime(
      'passportTicketLifetimeSec',
      options.passportTicketLifetimeSec,
      DEFAULT_LIFETIMES.passportTicketSec,
    ),
    rpsTicketSec: checkLifetime(
      'rpsTicketLifetimeSec',
      options.rpsTicketLifetimeSec,
      DEFAULT_LIFETIMES.rpsTicketSec,
    ),
  };
  const log = options.log ?? ((): void => undefined);
  const dataDir = path.resolve(options.dataDir);
  const demoDir = path.resolve(options.demoDir ?? path.join(dataDir, 'demo'));
  await mkdir(dataDir, { recursive: true });

  const pki = await PkiStore.open(dataDir, hostnames);
  const demoCert = {
    thumbprint: pki.demo.thumbprintSha1Hex,
    serialHex: pki.demo.serialHex,
    notAfter: new Date(new X509Certificate(pki.demo.certPem).validTo).toISOString(),
  };
  const seedState = seed === 'demo' ? () => demoSeed(demoCert) : () => emptySeed(demoCert);
  const { store, restored } = await StateStore.open(
    options.persistState === false ? undefined : path.join(dataDir, 'state.json'),
    seedState,
  );
  // A reissued demo certificate (new data dir for PKI, or expiry) must stay registered to the account.
  if (restored && !store.certs.has(demoCert.thumbprint)) {
    store.certs.set(demoCert.thumbprint, {
      thumbprint: demoCert.thumbprint,
      serialHex: demoCert.serialHex,
      issuerCa: 'intermediate',
      commonName: 'ERP_Integration',
      notAfter: demoCert.notAfter,
      ...(store.liveAccount(SERVICE_ACCOUNT.liveId) ? { account: SERVICE_ACCOUNT.liveId } : {}),
    });
    store.changed();
  }

  // A data dir from before the Dataverse demo gains its environment and users (records are left alone).
  if (restored && seed === 'demo' && !store.org(DEMO_ENTRA.environmentOrg)) {
    const fresh = demoSeed(demoCert);
    for (const o of fresh.orgs) if (o.name === DEMO_ENTRA.environmentOrg) store.orgs.set(o.name, { ...o });
    for (const u of fresh.users) if (u.org === DEMO_ENTRA.environmentOrg) store.users.set(u.id, { ...u });
    store.changed();
  }

  const demo = await writeDemoFiles(demoDir, pki);
  const scenarios = new ScenarioEngine(store);
  const counter = new CallCounter();
  const earlyExpired = new Set<string>();
  const barrier = new CrmBarrier((then, org) => {
    if (then === 'expire-tickets') expireCrmTickets(store, org);
  }, log);
  const ctx: EmulatorContext = {
    store,
    pki,
    tickets: new TicketCodec(pki.ticketKey),
    scenarios,
    counter,
    barrier,
    lifetimes,
    urls: urlsFor(`https://${hostForUrl(hostnames[0] ?? 'localhost')}:${port}`),
    partnerDomains: options.partnerDomains?.length
      ? options.partnerDomains
      : ['crm.dynamics.com', 'crm4.dynamics.com', 'crm5.dynamics.com'],
    policy: 'MBI_SSL',
    earlyExpired,
    log,
  };
  const crl = new CrlPublisher(pki, store, scenarios);

  const entraDirectory = new EntraDirectory(() =>
    seed === 'demo' ? demoEntraSeed(pki.demo.certPem) : { tenants: [], apps: [] },
  );
  const control = createEmulatorControl({
    store,
    pki,
    scenarios,
    counter,
    lifetimes,
    defaultLifetimes: { ...lifetimes },
    seed: seedState,
    earlyExpired,
    barrier,
    entra: entraDirectory,
  });

  const server = createServer(
    {
      key: pki.serverKeyPem,
      cert: pki.serverCertPem + pki.intermediateCertPem,
      ca: [pki.rootCertPem],
      // Browsers and discovery/CrmService clients come without a certificate; the STS checks its own.
      requestCert: true,
      rejectUnauthorized: false,
      minVersion: 'TLSv1.2',
    },
    createRouter({
      ctx,
      sts: new StsHandler(ctx),
      discovery: new DiscoveryHandler(ctx),
      crm: new CrmServiceHandler(ctx),
      rps: new RpsHandler(ctx),
      control,
      crl,
      entra: new EntraHandler(entraDirectory, () => ctx.urls.base, ctx.scenarios),
      dataverse: new DataverseHandler(ctx, entraDirectory),
    }),
  );
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 30_000;
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('tlsClientError', () => undefined);

  const actualPort = await listen(server, port, host);
  ctx.urls = urlsFor(`https://${hostForUrl(hostnames[0] ?? 'localhost')}:${actualPort}`);
  log(`emulator listening on ${host}:${actualPort} (${ctx.urls.base})`);

  let closing: Promise<void> | undefined;
  return {
    url: ctx.urls.base,
    port: actualPort,
    discoveryUrl: ctx.urls.discovery,
    crmServiceUrl: ctx.urls.crmService,
    crmServiceUrlFor: (organizationName) => orgUrls(ctx.urls.base, organizationName).crmService,
    stsUrl: ctx.urls.sts,
    rpsLoginUrl: ctx.urls.rpsLogin,
    caCertPem: pki.rootCertPem,
    caCertPath: demo.caCertPath,
    demo,
    control,
    entra: {
      authorityUrl: ctx.urls.base,
      tenantId: DEMO_ENTRA.tenantId,
      tenantDomain: DEMO_ENTRA.tenantDomain,
      clientId: DEMO_ENTRA.clientId,
      environmentUrl: `${ctx.urls.base}${DEMO_ENTRA.environmentPath}`,
      directory: entraDirectory,
    },
    close() {
      closing ??= (async () => {
        // Calls held by a barrier are released, so that the server can finish them and close.
        barrier.clear();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const socket of sockets) socket.destroy();
        await closed;
        await store.flush();
      })();
      return closing;
    },
  };
}

function urlsFor(base: string): EmulatorUrls {
  return {
    base,
    discovery: `${base}/MSCRMServices/2007/Passport/CrmDiscoveryService.asmx`,
    crmService: `${base}/MSCrmServices/2007/CrmService.asmx`,
    sts: `${base}/RST2.srf`,
    rpsLogin: `${base}/rps/login`,
    federationMetadata: `${base}/federationmetadata/2006-12/FederationMetaData.xml`,
  };
}

async function writeDemoFiles(demoDir: string, pki: PkiStore): Promise<DemoFiles> {
  await mkdir(demoDir, { recursive: true });
  const file = (name: string): string => path.join(demoDir, name);
  const files: DemoFiles = {
    certPath: file('erp_integration.crt.pem'),
    keyPath: file('erp_integration.key.pem'),
    chainPath: file('erp_integration.chain.pem'),
    pfxPath: file('erp_integration.pfx'),
    pfxPassword: pki.demo.pfxPassword,
    caCertPath: file('emulator-ca.pem'),
    rpsSigningCertPath: file('rps-signing-cert.pem'),
    serviceAccountLiveId: SERVICE_ACCOUNT.liveId,
  };
  await Promise.all([
    writeFile(files.certPath, pki.demo.certPem),
    writeFile(files.keyPath, pki.demo.keyPem, { mode: 0o600 }),
    writeFile(files.chainPath, pki.demo.chainPem),
    writeFile(files.pfxPath, pki.demo.pfx, { mode: 0o600 }),
    writeFile(files.caCertPath, pki.rootCertPem),
    writeFile(files.rpsSigningCertPath, pki.rpsCertPem),
  ]);
  return files;
}
