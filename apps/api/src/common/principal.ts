import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { KeyGrant } from '../auth/api-key-scopes';

export type Role = 'admin' | 'auditor';

/** Who is calling: an admin console session or a machine caller with an API key. */
export interface Principal {
  kind: 'session' | 'api-key';
  userId: string | null;
  email: string;
  name: string;
  role: Role;
  sessionId: string | null;
  apiKeyId: string | null;
  /** An API key's scopes and orgs (API-key principals only). */
  grant?: KeyGrant;
}

export interface RequestContext {
  principal: Principal | null;
  requestId: string;
  ip: string | null;
  userAgent: string | null;
}

export type AppRequest = FastifyRequest & { ctx?: RequestContext };

/** A request header's value (the first, when it came more than once); names are matched case-insensitively. */
export function headerOf(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

export function contextOf(req: FastifyRequest): RequestContext {
  const r = req as AppRequest;
  return (
    r.ctx ?? {
      principal: null,
      requestId: String(req.headers['x-request-id'] ?? ''),
      ip: req.ip || null,
      userAgent: req.headers['user-agent'] ?? null,
    }
  );
}

/** The request context in a controller: `@Ctx() ctx: RequestContext`. */
export const Ctx = createParamDecorator((_data: unknown, ec: ExecutionContext) =>
  contextOf(ec.switchToHttp().getRequest()),
);
