import type { IncomingMessage } from 'node:http';
import type { EmulatorContext, HttpReply } from '../http/emulator.context';
import type { LiveAccount } from '../state/emulator-state.model';
import { escapeHtml } from '../xml/xml-escape.util';
import { loginPageHtml } from './rps-login.page';
import { issueRpsTicket } from './rps-ticket';

const COOKIE = 'RPSSecAuth';
const COOKIE_LIFETIME_MS = 12 * 3_600_000;
const MAX_FORM = 64 * 1024;

function page(status: number, html: string, headers: Record<string, string> = {}): HttpReply {
  return {
    status,
    headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', ...headers },
    body: html,
  };
}

function badRequest(message: string): HttpReply {
  return page(
    400,
    `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Bad request</title></head><body><main><h1>Bad request</h1><p role="alert">${escapeHtml(message)}</p></main></body></html>\n`,
  );
}

/** returnUrl must be an absolute http(s) URL; anything else is refused with 400. */
function parseReturnUrl(value: string | null): URL | undefined {
  if (!value) return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}

function redirect(location: URL, cookie?: string): HttpReply {
  const headers: Record<string, string> = { location: location.toString(), 'cache-control': 'no-store' };
  if (cookie !== undefined) headers['set-cookie'] = cookie;
  return { status: 302, headers, body: '' };
}

function readCookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_FORM) break;
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/**
 * The RPS sign-in (docs/protocol.md §8 and the agreed ticket contract): a page to pick or type a Live ID,
 * a redirect back with `t=<ticket>`, the "Maybe" state (RPSAuthState=2) under RPS_MAYBE, SilentAuth
 * from the emulator's cookie, and logout.
 */
export class RpsHandler {
  constructor(private readonly ctx: EmulatorContext) {}

  async handle(req: IncomingMessage, url: URL): Promise<HttpReply> {
    const p = url.pathname.toLowerCase();
    const method = req.method ?? 'GET';
    if (p === '/rps/signing-cert.pem' && method === 'GET') {
      return {
        status: 200,
        headers: { 'content-type': 'application/x-pem-file' },
        body: this.ctx.pki.rpsCertPem,
      };
    }
    if (p === '/rps/login' && method === 'GET') {
      return url.searchParams.get('mode')?.toLowerCase() === 'silent'
        ? this.silent(req, url)
        : this.loginPage(url);
    }
    if (p === '/rps/login' && method === 'POST') return this.signIn(req);
    if (p === '/rps/logout' && method === 'GET') return this.logout(url);
    req.resume();
    return { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'Not Found' };
  }

  private accounts(): LiveAccount[] {
    const serviceIds = new Set(
      [...this.ctx.store.users.values()].filter((u) => u.isServiceAccount).map((u) => u.liveId.toLowerCase()),
    );
    return [...this.ctx.store.liveAccounts.values()].filter((a) => !serviceIds.has(a.liveId.toLowerCase()));
  }

  private loginPage(url: URL): HttpReply {
    this.ctx.counter.count('rps', 'LoginPage');
    const siteId = url.searchParams.get('siteId') ?? '';
    const returnUrl = parseReturnUrl(url.searchParams.get('returnUrl'));
    if (!returnUrl) return badRequest('returnUrl must be an absolute http(s) URL.');
    if (!siteId || siteId.length > 200) return badRequest('siteId is required.');
    return page(200, loginPageHtml({ siteId, returnUrl: returnUrl.toString(), accounts: this.accounts() }));
  }

  private async signIn(req: IncomingMessage): Promise<HttpReply> {
    this.ctx.counter.count('rps', 'SignIn');
    const form = await readForm(req);
    const siteId = form.get('siteId') ?? '';
    const returnUrl = parseReturnUrl(form.get('returnUrl'));
    if (!returnUrl) return badRequest('returnUrl must be an absolute http(s) URL.');
    if (!siteId || siteId.length > 200) return badRequest('siteId is required.');
    const typed = (form.get('liveId') ?? '').trim();
    const chosen = typed || (form.get('account') ?? '').trim();
    const account = chosen ? this.ctx.store.liveAccount(chosen) : undefined;
    if (!account) {
      return page(
        200,
        loginPageHtml({
          siteId,
          returnUrl: returnUrl.toString(),
          accounts: this.accounts(),
          typed,
          error: chosen
            ? `No Windows Live ID '${chosen}' exists.`
            : 'Pick an account or type a Windows Live ID.',
        }),
      );
    }
    const cookie = this.cookieFor(account);
    if (this.ctx.scenarios.take('RPS_MAYBE', 'rps', { account: account.liveId })) {
      // "Maybe": a ticket exists but cannot be read here; the site is expected to try SilentAuth.
      returnUrl.searchParams.delete('t');
      returnUrl.searchParams.set('RPSAuthState', '2');
      return redirect(returnUrl, cookie);
    }
    returnUrl.searchParams.set(
      't',
      issueRpsTicket(account, siteId, this.ctx.lifetimes.rpsTicketSec, this.ctx.pki.rpsKey),
    );
    return redirect(returnUrl, cookie);
  }

  private silent(req: IncomingMessage, url: URL): HttpReply {
    this.ctx.counter.count('rps', 'SilentAuth');
    const siteId = url.searchParams.get('siteId') ?? '';
    const returnUrl = parseReturnUrl(url.searchParams.get('returnUrl'));
    if (!returnUrl) return badRequest('returnUrl must be an absolute http(s) URL.');
    if (!siteId || siteId.length > 200) return badRequest('siteId is required.');
    const value = readCookie(req, COOKIE);
    const claims = value ? this.ctx.tickets.readRpsCookie(value, Date.now()) : undefined;
    const account = claims ? this.ctx.store.liveAccount(claims.liveId) : undefined;
    if (!account) {
      returnUrl.searchParams.delete('t');
      returnUrl.searchParams.set('RPSAuthState', '1');
      return redirect(returnUrl);
    }
    returnUrl.searchParams.set(
      't',
      issueRpsTicket(account, siteId, this.ctx.lifetimes.rpsTicketSec, this.ctx.pki.rpsKey),
    );
    return redirect(returnUrl);
  }

  private logout(url: URL): HttpReply {
    this.ctx.counter.count('rps', 'Logout');
    const returnUrl = parseReturnUrl(url.searchParams.get('returnUrl'));
    if (!returnUrl) return badRequest('returnUrl must be an absolute http(s) URL.');
    return redirect(returnUrl, `${COOKIE}=; Path=/rps; Max-Age=0; HttpOnly; Secure; SameSite=Lax`);
  }

  private cookieFor(account: LiveAccount): string {
    const value = this.ctx.tickets.issueRpsCookie({
      liveId: account.liveId,
      exp: Date.now() + COOKIE_LIFETIME_MS,
    });
    return `${COOKIE}=${value}; Path=/rps; Max-Age=${COOKIE_LIFETIME_MS / 1000}; HttpOnly; Secure; SameSite=Lax`;
  }
}
