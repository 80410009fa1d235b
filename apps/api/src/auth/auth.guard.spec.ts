import 'reflect-metadata';
import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { describe, expect, it } from 'vitest';
import { AdminOnly, AuditorMay, Public, RequiresScope } from '../common/auth-decorators';
import { DomainException } from '../common/domain-exception';
import type { AppRequest, Principal, Role } from '../common/principal';
import type { AppConfig } from '../config/app-config';
import type { KeyGrant } from './api-key-scopes';
import { AuthGuard } from './auth.guard';
import { AuthService, type ResolvedSession, SESSION_COOKIE } from './auth.service';
import { AdminAuditController } from '../audit/admin-audit.controller';
import { AuditController } from '../audit/audit.controller';
import { MetricsController } from '../metrics/metrics.controller';

const PUBLIC_ORIGIN = 'https://console.example';
const CSRF = 'csrf-token-of-the-session';

const ADMIN_GRANT: KeyGrant = { scopes: ['admin'], orgIds: [] };

function principal(kind: Principal['kind'], role: Role, grant?: KeyGrant): Principal {
  return kind === 'session'
    ? { kind, userId: 'u1', email: 'a@example.test', name: 'A', role, sessionId: 's1', apiKeyId: null }
    : { kind, userId: null, email: 'api-key:k', name: 'k', role, sessionId: null, apiKeyId: 'k1', grant };
}

/** The two AuthService calls the guard makes, recorded, answering with the given role. */
class FakeAuth implements Pick<AuthService, 'resolveApiKey' | 'resolveSession'> {
  readonly apiKeys: string[] = [];
  readonly sessions: string[] = [];
  readonly ips: Array<string | null> = [];
  constructor(
    private readonly role: Role = 'admin',
    private readonly grant: KeyGrant | 'none' = ADMIN_GRANT,
  ) {}
  async resolveApiKey(key: string, ip: string | null = null): Promise<Principal> {
    this.apiKeys.push(key);
    this.ips.push(ip);
    return principal('api-key', this.role, this.grant === 'none' ? undefined : this.grant);
  }
  async resolveSession(token: string): Promise<ResolvedSession> {
    this.sessions.push(token);
    return { principal: principal('session', this.role), csrfToken: CSRF, expiresAt: new Date(0) };
  }
}

interface Route {
  method?: string;
  headers?: Record<string, string | string[]>;
  cookie?: string;
  ip?: string;
  handler?: (...args: never[]) => unknown;
  controller?: object;
  params?: Record<string, string>;
}

function setup(role: Role = 'admin', grant: KeyGrant | 'none' = ADMIN_GRANT) {
  const auth = new FakeAuth(role, grant);
  const guard = new AuthGuard(
    new Reflector(),
    auth as unknown as AuthService,
    { publicOrigin: PUBLIC_ORIGIN } as AppConfig,
  );
  const run = async (r: Route) => {
    const req = {
      method: r.method ?? 'GET',
      headers: r.headers ?? {},
      cookies: r.cookie === undefined ? undefined : { [SESSION_COOKIE]: r.cookie },
      ip: r.ip,
      params: r.params ?? {},
    } as unknown as AppRequest;
    const ec = {
      switchToHttp: () => ({ getRequest: () => req }),
      getHandler: () => r.handler ?? function handler() {},
      getClass: () => r.controller ?? class Controller {},
    } as unknown as ExecutionContext;
    const allowed = await guard.canActivate(ec);
    return { allowed, req };
  };
  const refusal = async (r: Route) => {
    try {
      await run(r);
    } catch (e) {
      if (e instanceof DomainException)
        return e.details === undefined
          ? { status: e.status, code: e.code, message: e.message }
          : { status: e.status, code: e.code, message: e.message, details: e.details };
      throw e;
    }
    throw new Error('the guard let the request through');
  };
  return { auth, run, refusal };
}

const publicRoute = () => {
  const h = function login() {};
  Public()(h);
  return h;
};

describe('AuthGuard: request context', () => {
  it('keeps the first 100 characters of X-Request-Id, the IP and the user agent', async () => {
    const { run } = setup();
    const { req } = await run({
      headers: { 'x-request-id': 'r'.repeat(150), 'user-agent': 'UA/1' },
      ip: '10.0.0.1',
      handler: publicRoute(),
    });
    expect(req.ctx).toEqual({
      principal: null,
      requestId: 'r'.repeat(100),
      ip: '10.0.0.1',
      userAgent: 'UA/1',
    });
  });

  it('takes the first value of a repeated header', async () => {
    const { run } = setup();
    const { req } = await run({
      headers: { 'x-request-id': ['first', 'second'], 'user-agent': ['ua-1', 'ua-2'] },
      handler: publicRoute(),
    });
    expect(req.ctx?.requestId).toBe('first');
    expect(req.ctx?.userAgent).toBe('ua-1');
  });

  it('makes up a UUID request id when the header is missing or empty, and null IP and user agent when absent', async () => {
    const { run } = setup();
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    const missing = (await run({ handler: publicRoute() })).req.ctx!;
    const empty = (await run({ headers: { 'x-request-id': '' }, handler: publicRoute() })).req.ctx!;
    expect(missing.requestId).toMatch(uuid);
    expect(empty.requestId).toMatch(uuid);
    expect(missing.requestId).not.toBe(empty.requestId);
    expect(missing.ip).toBeNull();
    expect(missing.userAgent).toBeNull();
  });

  it('sets the resolved principal on the request context', async () => {
    const { run } = setup('auditor');
    const { req } = await run({ cookie: 'sid' });
    expect(req.ctx?.principal).toEqual(principal('session', 'auditor'));
  });
});

describe('AuthGuard: public routes', () => {
  it('lets a public route through without credentials and without looking any up', async () => {
    const { run, auth } = setup();
    expect((await run({ method: 'GET', handler: publicRoute() })).allowed).toBe(true);
    expect((await run({ method: 'POST', handler: publicRoute() })).allowed).toBe(true);
    expect(auth.apiKeys).toEqual([]);
    expect(auth.sessions).toEqual([]);
  });

  it('refuses an unsafe public request from another origin (login CSRF) with 403 CSRF_INVALID', async () => {
    const { refusal } = setup();
    expect(
      await refusal({
        method: 'POST',
        headers: { origin: 'https://evil.example', host: 'console.example' },
        handler: publicRoute(),
      }),
    ).toEqual({
      status: 403,
      code: 'CSRF_INVALID',
      message: 'The request came from another site and was refused.',
    });
  });

  it('lets an unsafe public request through from the public origin or the Host the request was sent to', async () => {
    const { run } = setup();
    for (const origin of [PUBLIC_ORIGIN, 'http://api.internal:3000', 'https://api.internal:3000']) {
      expect(
        (
          await run({
            method: 'POST',
            headers: { origin, host: 'api.internal:3000' },
            handler: publicRoute(),
          })
        ).allowed,
      ).toBe(true);
    }
  });

  it('does not check the origin of a safe public request', async () => {
    const { run } = setup();
    for (const method of ['GET', 'HEAD', 'OPTIONS']) {
      expect(
        (await run({ method, headers: { origin: 'https://evil.example' }, handler: publicRoute() })).allowed,
      ).toBe(true);
    }
  });

  it('honours @Public() on the controller class as well as on the handler', async () => {
    const { run } = setup();
    class HealthController {}
    Public()(HealthController);
    expect((await run({ controller: HealthController })).allowed).toBe(true);
  });
});

describe('AuthGuard: credentials', () => {
  it('answers 401 AUTH_REQUIRED without a bearer key or a session cookie', async () => {
    const { refusal } = setup();
    expect(await refusal({})).toEqual({
      status: 401,
      code: 'AUTH_REQUIRED',
      message: 'Sign in to continue.',
    });
    expect(await refusal({ cookie: '' })).toMatchObject({ status: 401, code: 'AUTH_REQUIRED' });
  });

  it('resolves "Bearer <key>" (any case, any whitespace) as an API key, before a cookie', async () => {
    const { run, auth } = setup();
    await run({ headers: { authorization: 'Bearer key-1' }, cookie: 'sid' });
    await run({ headers: { authorization: 'bearer key-2' } });
    await run({ headers: { authorization: 'BEARER \t key-3' } });
    expect(auth.apiKeys).toEqual(['key-1', 'key-2', 'key-3']);
    expect(auth.sessions).toEqual([]);
  });

  it('does not take a malformed Authorization header as an API key', async () => {
    const { refusal, auth } = setup();
    for (const authorization of [
      'Bearer',
      'Bearer ',
      'Bearer two words',
      'Basic abc',
      'XBearer abc',
      'Bearer abc ',
      'Bearerabc',
    ]) {
      expect(await refusal({ headers: { authorization } })).toMatchObject({
        status: 401,
        code: 'AUTH_REQUIRED',
      });
    }
    expect(auth.apiKeys).toEqual([]);
  });

  it('takes a whole multi-character key, not part of it', async () => {
    const { run, auth } = setup();
    await run({ headers: { authorization: 'Bearer ob_live_0123456789' } });
    expect(auth.apiKeys).toEqual(['ob_live_0123456789']);
  });

  it('needs no CSRF token with an API key, even from another origin', async () => {
    const { run } = setup();
    expect(
      (
        await run({
          method: 'DELETE',
          headers: { authorization: 'Bearer k', origin: 'https://evil.example' },
        })
      ).allowed,
    ).toBe(true);
  });

  it('resolves the session cookie', async () => {
    const { run, auth } = setup();
    expect((await run({ cookie: 'the-sid' })).allowed).toBe(true);
    expect(auth.sessions).toEqual(['the-sid']);
  });
});

describe('AuthGuard: CSRF for cookie sessions', () => {
  it('needs no CSRF token on safe methods, whatever the origin', async () => {
    const { run } = setup();
    for (const method of ['GET', 'HEAD', 'OPTIONS']) {
      expect(
        (await run({ method, cookie: 'sid', headers: { origin: 'https://evil.example' } })).allowed,
      ).toBe(true);
    }
  });

  it('refuses an unsafe request from another origin with 403 CSRF_INVALID, even with the right token', async () => {
    const { refusal } = setup();
    expect(
      await refusal({
        method: 'POST',
        cookie: 'sid',
        headers: { origin: 'https://evil.example', host: 'console.example', 'x-csrf-token': CSRF },
      }),
    ).toEqual({
      status: 403,
      code: 'CSRF_INVALID',
      message: 'The request came from another site and was refused.',
    });
  });

  it('refuses another origin when the request has no Host header', async () => {
    const { refusal } = setup();
    expect(
      await refusal({
        method: 'POST',
        cookie: 'sid',
        headers: { origin: 'http://undefined', 'x-csrf-token': CSRF },
      }),
    ).toMatchObject({ code: 'CSRF_INVALID' });
    expect(
      await refusal({
        method: 'POST',
        cookie: 'sid',
        headers: { origin: 'https://undefined', 'x-csrf-token': CSRF },
      }),
    ).toMatchObject({ code: 'CSRF_INVALID' });
  });

  it('refuses an unsafe request without the token or with a wrong one, naming the header', async () => {
    const { refusal } = setup();
    const expected = {
      status: 403,
      code: 'CSRF_INVALID',
      message: 'The X-CSRF-Token header is missing or wrong. Reload the page.',
    };
    expect(await refusal({ method: 'POST', cookie: 'sid' })).toEqual(expected);
    expect(
      await refusal({
        method: 'PUT',
        cookie: 'sid',
        headers: { origin: PUBLIC_ORIGIN, 'x-csrf-token': 'wrong' },
      }),
    ).toEqual(expected);
    expect(
      await refusal({ method: 'DELETE', cookie: 'sid', headers: { 'x-csrf-token': `${CSRF}x` } }),
    ).toEqual(expected);
  });

  it('lets an unsafe request through with the session token, from the public origin, the request Host or no Origin', async () => {
    const { run } = setup();
    const variants: Record<string, string>[] = [
      {},
      { origin: PUBLIC_ORIGIN },
      { origin: 'http://localhost:3000', host: 'localhost:3000' },
      { origin: 'https://localhost:3000', host: 'localhost:3000' },
    ];
    for (const headers of variants) {
      expect(
        (await run({ method: 'POST', cookie: 'sid', headers: { ...headers, 'x-csrf-token': CSRF } })).allowed,
      ).toBe(true);
    }
  });
});

describe('AuthGuard: roles', () => {
  const adminOnly = () => {
    const h = function listUsers() {};
    AdminOnly()(h);
    return h;
  };
  const auditorMay = () => {
    const h = function logout() {};
    AuditorMay()(h);
    return h;
  };

  it('lets an admin read and write everywhere, admin-only routes included', async () => {
    const { run } = setup('admin');
    expect((await run({ cookie: 'sid', handler: adminOnly() })).allowed).toBe(true);
    expect(
      (await run({ method: 'POST', cookie: 'sid', headers: { 'x-csrf-token': CSRF }, handler: adminOnly() }))
        .allowed,
    ).toBe(true);
    expect((await run({ method: 'DELETE', headers: { authorization: 'Bearer k' } })).allowed).toBe(true);
  });

  it('lets an auditor read ordinary routes', async () => {
    const { run } = setup('auditor');
    expect((await run({ cookie: 'sid' })).allowed).toBe(true);
    expect((await run({ method: 'HEAD', cookie: 'sid' })).allowed).toBe(true);
  });

  it('refuses an auditor an admin-only route, even a read, with 403 FORBIDDEN_ROLE', async () => {
    const { refusal } = setup('auditor');
    expect(await refusal({ cookie: 'sid', handler: adminOnly() })).toEqual({
      status: 403,
      code: 'FORBIDDEN_ROLE',
      message: 'Only administrators may do this.',
    });
    class AdminUsersController {}
    AdminOnly()(AdminUsersController);
    expect(await refusal({ cookie: 'sid', controller: AdminUsersController })).toMatchObject({
      code: 'FORBIDDEN_ROLE',
    });
  });

  it('refuses an auditor every unsafe method except @AuditorMay() routes', async () => {
    const { refusal, run } = setup('auditor');
    expect(await refusal({ method: 'POST', cookie: 'sid', headers: { 'x-csrf-token': CSRF } })).toEqual({
      status: 403,
      code: 'FORBIDDEN_ROLE',
      message: 'Auditors have read-only access.',
    });
    expect(
      (await run({ method: 'POST', cookie: 'sid', headers: { 'x-csrf-token': CSRF }, handler: auditorMay() }))
        .allowed,
    ).toBe(true);
  });
});

describe('AuthGuard: API-key scopes', () => {
  const ORG_A = '0b9e8a5c-1f2d-4c3b-9a8e-7d6c5b4a3f21';
  const ORG_B = '7f6e5d4c-3b2a-4190-8f7e-6d5c4b3a2910';
  const callsRoute = () => {
    const h = function createRecord() {};
    RequiresScope('calls', { org: 'id' })(h);
    return h;
  };
  const KEY = { authorization: 'Bearer k' };

  it('passes the caller IP to the key lookup (last-used address)', async () => {
    const { run, auth } = setup();
    await run({ headers: KEY, ip: '203.0.113.7' });
    expect(auth.ips).toEqual(['203.0.113.7']);
  });

  it('lets a calls key call a calls route on an org it names', async () => {
    const { run } = setup('admin', { scopes: ['calls'], orgIds: [ORG_A] });
    const r = { method: 'POST', headers: KEY, handler: callsRoute(), params: { id: ORG_A } };
    expect((await run(r)).allowed).toBe(true);
  });

  it('refuses a calls key on an org it does not name with 403 API_KEY_SCOPE naming the scope and the org', async () => {
    const { refusal } = setup('admin', { scopes: ['calls'], orgIds: [ORG_A] });
    expect(
      await refusal({ method: 'POST', headers: KEY, handler: callsRoute(), params: { id: ORG_B } }),
    ).toEqual({
      status: 403,
      code: 'API_KEY_SCOPE',
      message: 'This API key may not make calls on this org.',
      details: { missingScope: 'calls', orgId: ORG_B },
    });
  });

  it('refuses a calls key a route that declares no scope (deny by default: admin)', async () => {
    const { refusal } = setup('admin', { scopes: ['calls', 'audit:read'], orgIds: [ORG_A] });
    expect(await refusal({ method: 'DELETE', headers: KEY, params: { id: ORG_A } })).toEqual({
      status: 403,
      code: 'API_KEY_SCOPE',
      message: 'This API key lacks the admin scope.',
      details: { missingScope: 'admin' },
    });
  });

  it("takes the audit controllers' scope from the controller: audit:read may read them, calls may not", async () => {
    const reader = setup('admin', { scopes: ['audit:read'], orgIds: [] });
    const exportCsv = { handler: AuditController.prototype.export, controller: AuditController };
    expect((await reader.run({ headers: KEY, ...exportCsv })).allowed).toBe(true);
    const adminLog = { handler: AdminAuditController.prototype.list, controller: AdminAuditController };
    expect((await reader.run({ headers: KEY, ...adminLog })).allowed).toBe(true);
    const caller = setup('admin', { scopes: ['calls'], orgIds: [ORG_A] });
    expect(await caller.refusal({ headers: KEY, ...adminLog })).toMatchObject({
      code: 'API_KEY_SCOPE',
      details: { missingScope: 'audit:read' },
    });
  });

  it('lets a metrics:read key and an admin key scrape the metrics (scope declared on the controller)', async () => {
    const scrape = { handler: MetricsController.prototype.render, controller: MetricsController };
    const scraper = setup('admin', { scopes: ['metrics:read'], orgIds: [] });
    expect((await scraper.run({ headers: KEY, ...scrape })).allowed).toBe(true);
    const admin = setup('admin', ADMIN_GRANT);
    expect((await admin.run({ headers: KEY, ...scrape })).allowed).toBe(true);
  });

  it('refuses a calls or audit:read key the metrics with 403 API_KEY_SCOPE naming metrics:read', async () => {
    const scrape = { handler: MetricsController.prototype.render, controller: MetricsController };
    for (const grant of [
      { scopes: ['calls'], orgIds: [ORG_A] },
      { scopes: ['audit:read'], orgIds: [] },
    ] satisfies KeyGrant[]) {
      expect(await setup('admin', grant).refusal({ headers: KEY, ...scrape })).toEqual({
        status: 403,
        code: 'API_KEY_SCOPE',
        message: 'This API key lacks the metrics:read scope.',
        details: { missingScope: 'metrics:read' },
      });
    }
  });

  it('lets sessions read the metrics by role, as before the scope: admin and auditor', async () => {
    const scrape = { handler: MetricsController.prototype.render, controller: MetricsController };
    for (const role of ['admin', 'auditor'] as const) {
      expect((await setup(role).run({ cookie: 'sid', ...scrape })).allowed).toBe(true);
    }
  });

  it('refuses a metrics:read key every other route: the ledger and undeclared (admin) routes', async () => {
    const { refusal } = setup('admin', { scopes: ['metrics:read'], orgIds: [] });
    const search = { handler: AuditController.prototype.search, controller: AuditController };
    expect(await refusal({ headers: KEY, ...search })).toMatchObject({
      details: { missingScope: 'audit:read' },
    });
    expect(await refusal({ headers: KEY })).toMatchObject({ details: { missingScope: 'admin' } });
  });

  it('refuses an API-key principal that carries no grant', async () => {
    const { refusal } = setup('admin', 'none');
    const search = { handler: AuditController.prototype.search, controller: AuditController };
    expect(await refusal({ headers: KEY, ...search })).toMatchObject({
      code: 'API_KEY_SCOPE',
      details: { missingScope: 'audit:read' },
    });
  });

  it('leaves cookie sessions to their role: an admin session calls any route without a grant', async () => {
    const { run } = setup('admin', { scopes: [], orgIds: [] });
    expect((await run({ cookie: 'sid', handler: callsRoute(), params: { id: ORG_B } })).allowed).toBe(true);
    expect((await run({ cookie: 'sid' })).allowed).toBe(true);
  });
});

describe('AuthService.csrfMatches', () => {
  it('matches only the same token', () => {
    expect(AuthService.csrfMatches('abc', 'abc')).toBe(true);
    expect(AuthService.csrfMatches('abc', 'abd')).toBe(false);
    expect(AuthService.csrfMatches('abc', 'abcd')).toBe(false);
    expect(AuthService.csrfMatches('abc', 'ab')).toBe(false);
  });

  it('refuses a missing or empty header', () => {
    expect(AuthService.csrfMatches('abc', undefined)).toBe(false);
    expect(AuthService.csrfMatches('', '')).toBe(false);
  });
});
