import { randomUUID } from 'node:crypto';
import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { ADMIN_ONLY_KEY, AUDITOR_MAY_KEY, PUBLIC_KEY, REQUIRES_SCOPE_KEY } from '../common/auth-decorators';
import { DomainException } from '../common/domain-exception';
import { type AppRequest, headerOf, type RequestContext } from '../common/principal';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { requirementOf, type ScopeRequirement, scopeRefusal } from './api-key-scopes';
import { AuthService, SESSION_COOKIE } from './auth.service';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The global guard: deny by default. Order of checks: session or API key → CSRF (for
 * cookie sessions on unsafe methods) → role → an API key's scope (see api-key-scopes.ts).
 * `@Public()` routes skip all but the context.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async canActivate(ec: ExecutionContext): Promise<boolean> {
    const req = ec.switchToHttp().getRequest<AppRequest>();
    const ctx: RequestContext = {
      principal: null,
      requestId: headerOf(req, 'x-request-id')?.slice(0, 100) || randomUUID(),
      ip: req.ip || null,
      userAgent: headerOf(req, 'user-agent') ?? null,
    };
    req.ctx = ctx;
    const targets = [ec.getHandler(), ec.getClass()];
    const unsafe = !SAFE_METHODS.has(req.method);
    const origin = headerOf(req, 'origin');
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) {
      // Public unsafe routes (sign-in) check the origin too: another site must not sign a browser in
      // to an account of its choosing (login CSRF).
      if (unsafe && origin && !this.originAllowed(req, origin)) {
        throw new DomainException(403, 'CSRF_INVALID', 'The request came from another site and was refused.');
      }
      return true;
    }

    const bearer = /^Bearer\s+(\S+)$/i.exec(headerOf(req, 'authorization') ?? '')?.[1];
    const cookie = req.cookies?.[SESSION_COOKIE];
    if (bearer) {
      // API keys are not sent by browsers on their own, so they need no CSRF token.
      ctx.principal = await this.auth.resolveApiKey(bearer, ctx.ip);
    } else if (cookie) {
      const s = await this.auth.resolveSession(cookie);
      ctx.principal = s.principal;
      if (unsafe) {
        // SameSite=Strict already keeps the cookie off cross-site requests; the origin
        // check and the session-bound token cover older browsers and same-site attackers.
        if (origin && !this.originAllowed(req, origin)) {
          throw new DomainException(
            403,
            'CSRF_INVALID',
            'The request came from another site and was refused.',
          );
        }
        if (!AuthService.csrfMatches(s.csrfToken, headerOf(req, 'x-csrf-token'))) {
          throw new DomainException(
            403,
            'CSRF_INVALID',
            'The X-CSRF-Token header is missing or wrong. Reload the page.',
          );
        }
      }
    } else {
      throw new DomainException(401, 'AUTH_REQUIRED', 'Sign in to continue.');
    }

    const role = ctx.principal.role;
    if (role !== 'admin') {
      if (this.reflector.getAllAndOverride<boolean>(ADMIN_ONLY_KEY, targets)) {
        throw new DomainException(403, 'FORBIDDEN_ROLE', 'Only administrators may do this.');
      }
      if (unsafe && !this.reflector.getAllAndOverride<boolean>(AUDITOR_MAY_KEY, targets)) {
        throw new DomainException(403, 'FORBIDDEN_ROLE', 'Auditors have read-only access.');
      }
    }
    if (ctx.principal.kind === 'api-key') {
      const need = requirementOf(
        this.reflector.getAllAndOverride<ScopeRequirement | undefined>(REQUIRES_SCOPE_KEY, targets),
      );
      // A key principal without a grant cannot come from resolveApiKey; refuse it rather than trust it.
      const refusal = scopeRefusal(
        ctx.principal.grant ?? { scopes: [], orgIds: [] },
        need,
        (req.params ?? {}) as Record<string, string>,
      );
      if (refusal) {
        throw new DomainException(
          403,
          'API_KEY_SCOPE',
          refusal.orgId === undefined
            ? `This API key lacks the ${refusal.missingScope} scope.`
            : `This API key may not make ${refusal.missingScope} on this org.`,
          { ...refusal },
        );
      }
    }
    return true;
  }

  private originAllowed(req: FastifyRequest, origin: string): boolean {
    if (origin === this.config.publicOrigin) return true;
    const host = headerOf(req, 'host');
    return !!host && (origin === `http://${host}` || origin === `https://${host}`);
  }
}
