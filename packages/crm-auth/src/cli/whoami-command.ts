import { readFile, stat } from 'node:fs/promises';
import { CertificateBundle } from '../certificates/certificate-bundle';
import {
  DEFAULT_SUPPORTED_ROOTS,
  supportedRootFromPem,
  type SupportedRoot,
} from '../certificates/supported-roots';
import { CrmServiceClient } from '../clients/crm-service-client';
import { DiscoveryClient } from '../clients/discovery-client';
import { WlidClient } from '../clients/wlid-client';
import { CrmAuthError } from '../errors';
import { WLID } from '../messages/constants';
import type { CrmAuthenticationToken } from '../messages/types';
import { matchOrganization } from '../session/match-organization';
import { type CliCommand, type CliIo, CliUsageError } from './cli-command';
import { parseOptions } from './parse-options';

/** Files given to whoami are certificates and keys: a few kilobytes. */
const MAX_INPUT_BYTES = 1024 * 1024;
const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;
/** The environment variable read when `--password` is not given (keeps it out of `ps`). */
const PASSWORD_ENV = 'CRM_AUTH_PASSWORD';

interface WhoamiArgs {
  discovery: string;
  org: string;
  sts: string;
  pfx?: string;
  password?: string;
  cert?: string;
  key?: string;
  chain?: string;
  as?: string;
  ca?: string;
}

/** Every option of whoami; each takes a value. */
const OPTIONS = ['discovery', 'org', 'sts', 'pfx', 'password', 'cert', 'key', 'chain', 'as', 'ca'] as const;

/**
 * `crm-auth whoami`: runs the whole flow against a host with a certificate, printing each step
 * with its timing, then who the service account is and who it acts for. Tickets, keys and
 * passwords are never printed.
 */
export const whoamiCommand: CliCommand = {
  name: 'whoami',
  synopsis:
    'whoami --discovery URL --org NAME (--pfx FILE [--password P] | --cert FILE --key FILE [--chain FILE]) [--sts URL] [--as HEXPUID] [--ca FILE]',
  summary: `run the certificate flow and show who the service account is and acts for (password also from ${PASSWORD_ENV})`,
  failureLabel: 'failed',
  async run(argv, io) {
    const args = whoamiArgs(argv, io);
    const out = (line: string): void => io.stdout(`${line}\n`);
    const ca = args.ca ? pemCertificates(await readCapped(args.ca, 'utf8'), args.ca) : undefined;

    const bundle = await step(out, 'certificate', async () => {
      const b = args.pfx
        ? CertificateBundle.fromPkcs12(await readCapped(args.pfx), args.password ?? '')
        : CertificateBundle.fromPem({
            certificatePem: await readCapped(args.cert as string, 'utf8'),
            privateKeyPem: await readCapped(args.key as string, 'utf8'),
            ...(args.chain ? { chainPem: await readCapped(args.chain, 'utf8') } : {}),
            ...(args.password !== undefined ? { passphrase: args.password } : {}),
          });
      return {
        value: b,
        detail: `${b.commonName ?? b.subject} · SHA-1 ${b.thumbprintSha1Hex} · valid until ${b.notAfter.toISOString()}`,
      };
    });
    const roots: SupportedRoot[] = [
      ...DEFAULT_SUPPORTED_ROOTS,
      ...(ca ?? []).map((pem, i) => supportedRootFromPem(`--ca #${i + 1}`, pem)),
    ];
    for (const problem of bundle.validate({ roots }).problems)
      out(`      ${problem.severity}: ${problem.code}: ${problem.message}`);

    const common = { ...(ca ? { ca } : {}), timeoutMs: 30_000 };
    const discovery = new DiscoveryClient({ url: args.discovery, ...common });
    const wlid = new WlidClient({ stsUrl: args.sts, certificate: bundle, ...common });
    let crm: CrmServiceClient | undefined;
    try {
      const { policy } = await step(out, 'RetrievePolicy', async () => {
        const r = await discovery.retrievePolicy();
        return { value: r, detail: r.policy };
      });
      const passport = await step(out, 'RequestSecurityToken', async () => {
        const t = await wlid.requestTicket({ policy });
        return { value: t, detail: `Passport ticket valid until ${t.expires.toISOString()}` };
      });
      const org = await step(out, 'RetrieveOrganizations', async () => {
        const { organizationDetails } = await discovery.retrieveOrganizations(passport.ticket);
        const found = matchOrganization(organizationDetails, args.org);
        return {
          value: found,
          detail: `"${found.friendlyName}" → ${found.organizationName} (${organizationDetails.length} org(s))`,
        };
      });
      const ticket = await step(out, 'RetrieveCrmTicket', async () => {
        const t = await discovery.retrieveCrmTicket(org.organizationName, passport.ticket);
        return {
          value: t,
          detail: `CRM ticket valid until ${t.expirationDate.toISOString()} · ${t.organizationDetail.crmServiceUrl}`,
        };
      });
      crm = new CrmServiceClient({ url: ticket.organizationDetail.crmServiceUrl, ...common });
      const token: CrmAuthenticationToken = {
        authenticationType: 1,
        crmTicket: ticket.crmTicket,
        organizationName: ticket.organizationDetail.organizationName,
        callerId: null,
      };
      const client = crm;
      const self = await step(out, 'WhoAmI', async () => {
        const r = await client.whoAmI(token);
        return { value: r, detail: `userId ${r.userId}` };
      });
      let actsFor: { name: string; line: string } | undefined;
      if (args.as) {
        const puid = args.as.toUpperCase();
        const userId = await step(out, 'RetrieveCrmUserIdByExternalId', async () => {
          const r = await discovery.retrieveCrmUserIdByExternalId({
            externalId: puid,
            organizationName: ticket.organizationDetail.organizationName,
            passportTicket: passport.ticket,
          });
          return { value: r.crmUserId, detail: `${puid} → ${r.crmUserId}` };
        });
        // WhoAmI under impersonation still answers the service account, so the user acted for is
        // read as that user: an impersonated Retrieve of their own systemuser row, which CRM refuses
        // (0x80040220) when the service account lacks prvActOnBehalfOfAnotherUser.
        const name = await step(out, 'Retrieve systemuser (impersonated)', async () => {
          const { entity } = await client.retrieve(
            { ...token, callerId: userId },
            { entityName: 'systemuser', id: userId, columns: ['fullname'] },
          );
          const fullname = entity.attributes.fullname;
          const value = typeof fullname === 'string' && fullname !== '' ? fullname : '(no name)';
          return { value, detail: `${value} (${userId})` };
        });
        actsFor = { name, line: `${name} (${userId}, PUID ${puid})` };
      }
      const serviceAccount = await fullName(client, token, self.userId);
      out('');
      out(
        `Organization:    ${ticket.organizationDetail.friendlyName} (${ticket.organizationDetail.organizationName})`,
      );
      out(`Service account: ${serviceAccount} (${self.userId})`);
      out(`Acts for:        ${actsFor?.line ?? '(nobody: add --as HEXPUID to impersonate a user)'}`);
      if (actsFor) out(`Calls run as:    ${serviceAccount}, acting for ${actsFor.name}`);
      return 0;
    } finally {
      await Promise.allSettled([discovery.close(), wlid.close(), crm?.close()]);
    }
  },
};

/** The user's full name, or a placeholder when it cannot be read (a read right is not guaranteed). */
async function fullName(
  client: CrmServiceClient,
  token: CrmAuthenticationToken,
  userId: string,
): Promise<string> {
  try {
    const { entity } = await client.retrieve(token, {
      entityName: 'systemuser',
      id: userId,
      columns: ['fullname'],
    });
    const name = entity.attributes.fullname;
    return typeof name === 'string' && name !== '' ? name : '(no name)';
  } catch {
    return '(name not readable)';
  }
}

async function step<T>(
  out: (line: string) => void,
  name: string,
  fn: () => Promise<{ value: T; detail: string }>,
): Promise<T> {
  const started = performance.now();
  try {
    const { value, detail } = await fn();
    out(
      `ok    ${name.padEnd(31)} ${String(Math.round(performance.now() - started)).padStart(5)} ms  ${detail}`,
    );
    return value;
  } catch (err) {
    out(`FAIL  ${name.padEnd(31)} ${String(Math.round(performance.now() - started)).padStart(5)} ms`);
    throw err;
  }
}

function whoamiArgs(argv: readonly string[], io: CliIo): WhoamiArgs {
  const { values } = parseOptions(argv, OPTIONS);
  const get = (n: (typeof OPTIONS)[number]): string | undefined => values[n];
  const discovery = get('discovery');
  const org = get('org');
  if (!discovery || !org) throw new CliUsageError('--discovery and --org are required');
  const pfx = get('pfx');
  const cert = get('cert');
  const key = get('key');
  if (pfx ? cert !== undefined || key !== undefined : cert === undefined || key === undefined) {
    throw new CliUsageError('give either --pfx FILE, or --cert FILE and --key FILE');
  }
  const as = get('as');
  if (as !== undefined && !/^[0-9a-fA-F]{16}$/.test(as))
    throw new CliUsageError('--as takes a HexPUID (16 hex digits)');
  const password = get('password') ?? io.env[PASSWORD_ENV];
  const optional: Array<[keyof WhoamiArgs, string | undefined]> = [
    ['pfx', pfx],
    ['cert', cert],
    ['key', key],
    ['chain', get('chain')],
    ['as', as],
    ['ca', get('ca')],
    ['password', password],
  ];
  const args: WhoamiArgs = { discovery, org, sts: get('sts') ?? WLID.defaultStsUrl };
  for (const [k, v] of optional) if (v !== undefined) args[k] = v;
  return args;
}

async function readCapped(file: string): Promise<Buffer>;
async function readCapped(file: string, encoding: 'utf8'): Promise<string>;
async function readCapped(file: string, encoding?: 'utf8'): Promise<Buffer | string> {
  const info = await stat(file);
  if (!info.isFile()) throw new CliUsageError(`${file} is not a file`);
  if (info.size > MAX_INPUT_BYTES)
    throw new CrmAuthError('ERR_CERT_UNREADABLE', `${file} is larger than ${MAX_INPUT_BYTES} bytes`);
  return encoding ? readFile(file, encoding) : readFile(file);
}

function pemCertificates(text: string, file: string): string[] {
  const blocks = text.match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) throw new CrmAuthError('ERR_CERT_UNREADABLE', `${file} holds no PEM certificate`);
  return blocks;
}
