import 'reflect-metadata';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import type { RequestContext } from '../common/principal';
import type { AppConfig } from '../config/app-config';
import { DomainException } from '../common/domain-exception';
import { AuthController, retryAfterOf } from './auth.controller';
import { type AuthService, type ResolvedSession, SESSION_COOKIE, type SessionView } from './auth.service';

const VIEW: SessionView = {
  user: { id: 'u1', email: 'a@example.test', name: 'A', role: 'admin' },
  csrfToken: 'csrf',
  sessionExpiresAt: '2030-01-01T00:00:00.000Z',
};

/** The AuthService calls the controller makes, recorded. */
class FakeAuth implements Pick<AuthService, 'login' | 'logout' | 'resolveSession' | 'view'> {
  readonly calls: unknown[][] = [];
  /** When set, login fails with it. */
  failure: unknown = null;
  async login(email: string, password: string, ctx: RequestContext) {
    this.calls.push(['login', email, password, ctx]);
    if (this.failure) throw this.failure;
    return { token: 'the-token', view: VIEW };
  }
  async logout(ctx: RequestContext) {
    this.calls.push(['logout', ctx]);
  }
  async resolveSession(token: string): Promise<ResolvedSession> {
    this.calls.push(['resolveSession', token]);
    return {
      principal: {
        kind: 'session',
        userId: 'u1',
        email: 'a@example.test',
        name: 'A',
        role: 'admin',
        sessionId: 's1',
        apiKeyId: null,
      },
      csrfToken: 'csrf',
      expiresAt: new Date(0),
    };
  }
  async view(s: ResolvedSession) {
    this.calls.push(['view', s.principal.sessionId]);
    return VIEW;
  }
}

class FakeResponse {
  readonly cookies: unknown[][] = [];
  readonly headers: Record<string, string> = {};
  header(name: string, value: string) {
    this.headers[name] = value;
    return this;
  }
  setCookie(...args: unknown[]) {
    this.cookies.push(['set', ...args]);
    return this;
  }
  clearCookie(...args: unknown[]) {
    this.cookies.push(['clear', ...args]);
    return this;
  }
}

function setup(publicOrigin: string, sessionAbsoluteHours = 12) {
  const auth = new FakeAuth();
  const controller = new AuthController(
    auth as unknown as AuthService,
    { publicOrigin, sessionAbsoluteHours } as AppConfig,
  );
  return { auth, controller };
}

const req = (headers: Record<string, string> = {}, extra: Partial<FastifyRequest> = {}) =>
  ({ headers, cookies: {}, ...extra }) as unknown as FastifyRequest;

describe('AuthController', () => {
  it('signs in with the trimmed email and sets an HttpOnly, SameSite=Strict session cookie for the absolute lifetime (Max-Age in seconds)', async () => {
    const { auth, controller } = setup('http://localhost:3000', 12);
    const res = new FakeResponse();
    const view = await controller.login(
      { email: '  a@example.test ', password: ' pw ' },
      req({ 'x-request-id': 'r1', 'user-agent': 'UA' }, { ip: '10.0.0.1' }),
      res as unknown as FastifyReply,
    );
    expect(view).toBe(VIEW);
    expect(auth.calls).toEqual([
      [
        'login',
        'a@example.test',
        ' pw ',
        { principal: null, requestId: 'r1', ip: '10.0.0.1', userAgent: 'UA' },
      ],
    ]);
    expect(res.cookies).toEqual([
      [
        'set',
        SESSION_COOKIE,
        'the-token',
        { httpOnly: true, sameSite: 'strict', secure: false, path: '/', maxAge: 12 * 3_600 },
      ],
    ]);
  });

  it('marks the cookie Secure when the console is served over HTTPS', async () => {
    const { controller } = setup('https://onbehalf.example', 2);
    const res = new FakeResponse();
    await controller.login(
      { email: 'a@example.test', password: 'pw' },
      req(),
      res as unknown as FastifyReply,
    );
    expect(res.cookies[0]![3]).toMatchObject({ secure: true, maxAge: 2 * 3_600 });
  });

  it('records an empty request id and null IP and user agent when the request has none', async () => {
    const { auth, controller } = setup('http://localhost:3000');
    await controller.login(
      { email: 'a@example.test', password: 'pw' },
      req(),
      new FakeResponse() as unknown as FastifyReply,
    );
    expect(auth.calls[0]![3]).toEqual({ principal: null, requestId: '', ip: null, userAgent: null });
  });

  it('signs out and clears the session cookie on path /', async () => {
    const { auth, controller } = setup('http://localhost:3000');
    const res = new FakeResponse();
    const ctx: RequestContext = { principal: null, requestId: 'r', ip: null, userAgent: null };
    await controller.logout(ctx, res as unknown as FastifyReply);
    expect(auth.calls).toEqual([['logout', ctx]]);
    expect(res.cookies).toEqual([['clear', SESSION_COOKIE, { path: '/' }]]);
  });

  it('answers /me from the session cookie, or from an empty token without one', async () => {
    const { auth, controller } = setup('http://localhost:3000');
    expect(await controller.me(req({}, { cookies: { [SESSION_COOKIE]: 'sid-1', other: 'x' } }))).toBe(VIEW);
    await controller.me(req());
    await controller.me(req({}, { cookies: {} }));
    expect(auth.calls).toEqual([
      ['resolveSession', 'sid-1'],
      ['view', 's1'],
      ['resolveSession', ''],
      ['view', 's1'],
      ['resolveSession', ''],
      ['view', 's1'],
    ]);
  });
});

const rateLimited = (retryAfterSec: unknown) =>
  new DomainException(429, 'AUTH_RATE_LIMITED', 'Too many sign-in attempts.', { retryAfterSec });

describe('AuthController: Retry-After on a rate-limited sign-in', () => {
  const attempt = async (failure: unknown) => {
    const { auth, controller } = setup('http://localhost:3000');
    auth.failure = failure;
    const res = new FakeResponse();
    const thrown = await controller
      .login({ email: 'a@example.test', password: 'pw' }, req(), res as unknown as FastifyReply)
      .then(
        () => null,
        (e: unknown) => e,
      );
    return { thrown, res };
  };

  it("sets Retry-After to the limiter's seconds and passes the 429 on unchanged, setting no cookie", async () => {
    const failure = rateLimited(37);
    const { thrown, res } = await attempt(failure);
    expect(thrown).toBe(failure);
    expect(res.headers).toEqual({ 'Retry-After': '37' });
    expect(res.cookies).toEqual([]);
  });

  it('sets no Retry-After on other failures (wrong password)', async () => {
    const failure = new DomainException(401, 'AUTH_INVALID_CREDENTIALS', 'Wrong email or password.');
    const { thrown, res } = await attempt(failure);
    expect(thrown).toBe(failure);
    expect(res.headers).toEqual({});
  });

  it('sets no Retry-After on a successful sign-in', async () => {
    const { res } = await attempt(null);
    expect(res.headers).toEqual({});
  });
});

describe('retryAfterOf (the seconds a 429 tells the client to wait)', () => {
  it('takes a whole positive number of seconds from AUTH_RATE_LIMITED', () => {
    expect(retryAfterOf(rateLimited(1))).toBe(1);
    expect(retryAfterOf(rateLimited(60))).toBe(60);
  });

  it('gives none for a wait that is not a whole positive number of seconds (the header would be invalid)', () => {
    for (const v of [0, -1, 1.5, '5', undefined, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(retryAfterOf(rateLimited(v)), String(v)).toBeNull();
    }
  });

  it('gives none for another code, even with retryAfterSec, or for an error that is no DomainException', () => {
    expect(
      retryAfterOf(new DomainException(401, 'AUTH_INVALID_CREDENTIALS', 'x', { retryAfterSec: 5 })),
    ).toBeNull();
    const lookalike = Object.assign(new Error('x'), {
      code: 'AUTH_RATE_LIMITED',
      details: { retryAfterSec: 5 },
    });
    expect(retryAfterOf(lookalike)).toBeNull();
    expect(retryAfterOf(new DomainException(429, 'AUTH_RATE_LIMITED', 'x'))).toBeNull();
  });
});
