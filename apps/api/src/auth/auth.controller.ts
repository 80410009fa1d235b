import { Body, Controller, Get, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiTags, ApiTooManyRequestsResponse } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuditorMay, Public } from '../common/auth-decorators';
import { ErrorDto } from '../common/api-responses';
import { DomainException } from '../common/domain-exception';
import { Ctx, type RequestContext } from '../common/principal';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { AuthService, SESSION_COOKIE } from './auth.service';
import { LoginDto } from './dto/login.dto';
import { SessionDto } from './dto/session.response';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiOkResponse({ type: SessionDto, description: 'Signed in: the session cookie is set.' })
  @ApiTooManyRequestsResponse({
    type: ErrorDto,
    description:
      'AUTH_RATE_LIMITED: too many attempts; `Retry-After` and `details.retryAfterSec` give the seconds left in the window.',
    headers: { 'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer', minimum: 1 } } },
  })
  async login(
    @Body() dto: LoginDto,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<SessionDto> {
    const ctx: RequestContext = {
      principal: null,
      requestId: String(req.headers['x-request-id'] ?? ''),
      ip: req.ip || null,
      userAgent: req.headers['user-agent'] ?? null,
    };
    const { token, view } = await this.auth
      .login(dto.email.trim(), dto.password, ctx)
      .catch((err: unknown) => {
        const wait = retryAfterOf(err);
        // The header the HTTP standard gives a 429 (RFC 9110 §10.2.3), for clients that honour it.
        if (wait !== null) void res.header('Retry-After', String(wait));
        throw err;
      });
    void res.setCookie(SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: 'strict',
      secure: this.config.publicOrigin.startsWith('https:'),
      path: '/',
      // seconds (Max-Age), as @fastify/cookie takes it
      maxAge: this.config.sessionAbsoluteHours * 3_600,
    });
    return view;
  }

  @AuditorMay()
  @Post('logout')
  @HttpCode(204)
  @ApiNoContentResponse()
  async logout(@Ctx() ctx: RequestContext, @Res({ passthrough: true }) res: FastifyReply): Promise<void> {
    await this.auth.logout(ctx);
    void res.clearCookie(SESSION_COOKIE, { path: '/' });
  }

  @Get('me')
  @ApiOkResponse({ type: SessionDto })
  async me(@Req() req: FastifyRequest): Promise<SessionDto> {
    const token = req.cookies[SESSION_COOKIE];
    const s = await this.auth.resolveSession(token ?? '');
    return this.auth.view(s);
  }
}

/** The seconds a rate-limited sign-in must wait (the limiter's window), or null for any other failure. */
export function retryAfterOf(err: unknown): number | null {
  if (!(err instanceof DomainException) || err.code !== 'AUTH_RATE_LIMITED') return null;
  const sec = err.details?.retryAfterSec;
  // Retry-After is a whole number of seconds (RFC 9110 §10.2.3); anything else would be an invalid header.
  return Number.isInteger(sec) && (sec as number) > 0 ? (sec as number) : null;
}
