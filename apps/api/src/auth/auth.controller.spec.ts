import 'reflect-metadata';
import type { Request, Response } from 'express';
import { describe, expect, it } from 'vitest';
import type { RequestContext } from '../common/principal';
import type { AppConfig } from '../config/app-config';
import { AuthController } from './auth.controller';
import { type AuthService, type ResolvedSession, SESSION_COOKIE, type SessionView } from './auth.service';

const VIEW: SessionView = {
  user: { id: 'u1', email: 'a@example.test', name: 'A', role: 'admin' },
  csrfToken: 'csrf',
  sessionExpiresAt: '2030-01-01T00:00:00.000Z',
};

/** The AuthService calls the controller makes, recorded. */
class FakeAuth implements Pick<AuthService, 'login' | 'logout' | 'resolveSession' | 'view'> {
  readonly calls: unknown[][] = [];
  async login(email: string, password: string, ctx: RequestContext) {
    this.calls.push(['login', email, password, ctx]);
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
  cookie(...args: unknown[]) {
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

const req = (headers: Record<string, string> = {}, extra: Partial<Request> = {}) =>
  ({ headers, ...extra }) as unknown as Request;

describe('AuthController', () => {
  it('signs in with the trimmed email and sets an HttpOnly, SameSite=Strict session cookie for the absolute lifetime', async () => {
    const { auth, controller } = setup('http://localhost:3000', 12);
    const res = new FakeResponse();
    const view = await controller.login(
      { email: '  a@example.test ', password: ' pw ' },
      req({ 'x-request-id': 'r1', 'user-agent': 'UA' }, { ip: '10.0.0.1' }),
      res as unknown as Response,
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
        { httpOnly: true, sameSite: 'strict', secure: false, path: '/', maxAge: 12 * 3_600_000 },
      ],
    ]);
  });

  it('marks the cookie Secure when the console is served over HTTPS', async () => {
    const { controller } = setup('https://onbehalf.example', 2);
    const res = new FakeResponse();
    await controller.login({ email: 'a@example.test', password: 'pw' }, req(), res as unknown as Response);
    expect(res.cookies[0]![3]).toMatchObject({ secure: true, maxAge: 2 * 3_600_000 });
  });

  it('records an empty request id and null IP and user agent when the request has none', async () => {
    const { auth, controller } = setup('http://localhost:3000');
    await controller.login(
      { email: 'a@example.test', password: 'pw' },
      req(),
      new FakeResponse() as unknown as Response,
    );
    expect(auth.calls[0]![3]).toEqual({ principal: null, requestId: '', ip: null, userAgent: null });
  });

  it('signs out and clears the session cookie on path /', async () => {
    const { auth, controller } = setup('http://localhost:3000');
    const res = new FakeResponse();
    const ctx: RequestContext = { principal: null, requestId: 'r', ip: null, userAgent: null };
    await controller.logout(ctx, res as unknown as Response);
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
