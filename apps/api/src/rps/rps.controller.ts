import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiFoundResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { buildRpsUrl, RpsVerifier } from '@onbehalf/crm-auth';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuditorMay, Public } from '../common/auth-decorators';
import { DomainException } from '../common/domain-exception';
import { Ctx, type RequestContext } from '../common/principal';
import { UuidPipe } from '../common/uuid.pipe';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { CrmCallsService } from '../crm/crm-calls.service';
import { WriteRecordDto } from '../crm/dto/record.dto';
import { ReconcileService } from '../crm/reconcile.service';
import { EndUserDto, EndUserRecordDto } from './dto/end-user.response';
import { END_USER_COOKIE, EndUserSessions, RPS_STATE_COOKIE, type EndUser } from './end-user-session';

const orgIdPipe = new UuidPipe('org id');

/**
 * "Test as an end user": the browser signs in at the RPS page as a Live user, comes back here
 * with an RPS ticket, and the console then creates records on that user's behalf.
 */
@ApiTags('rps')
@Controller('rps')
export class RpsController {
  private readonly sessions: EndUserSessions;
  private readonly verifier: RpsVerifier | null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly crm: CrmCallsService,
    private readonly reconcile: ReconcileService,
  ) {
    this.sessions = new EndUserSessions(config.keks.get(config.activeKekId)!);
    this.verifier = config.rpsSigningCertPem
      ? new RpsVerifier({ signingCertPem: config.rpsSigningCertPem, siteId: config.rpsSiteId })
      : null;
  }

  /** The RPS root that buildRpsUrl appends `login`/`logout` to: the configured sign-in page without its last segment. */
  private rpsBase(): string {
    if (!this.config.rpsLoginUrl || !this.verifier) {
      throw new DomainException(
        503,
        'RPS_NOT_CONFIGURED',
        'No RPS sign-in page is configured (ONBEHALF_RPS_LOGIN_URL, ONBEHALF_RPS_SIGNING_CERT_FILE).',
      );
    }
    const u = new URL(this.config.rpsLoginUrl);
    u.pathname = u.pathname.replace(/\/login\/?$/, '') || '/';
    u.search = '';
    return u.toString();
  }

  private callbackUrl(orgId: string, nonce: string): string {
    return `${this.config.publicOrigin}/api/rps/callback?orgId=${encodeURIComponent(orgId)}&state=${encodeURIComponent(nonce)}`;
  }

  /** Sends the browser to the RPS sign-in page. Auditors may look, but not write (see records). */
  @Get('login')
  @ApiFoundResponse({ description: 'To the RPS sign-in page.' })
  login(@Query('orgId', orgIdPipe) orgId: string, @Res() res: FastifyReply): void {
    const base = this.rpsBase();
    const { value, state } = this.sessions.issueState(orgId);
    void res.setCookie(RPS_STATE_COOKIE, value, {
      httpOnly: true,
      sameSite: 'lax',
      secure: this.config.publicOrigin.startsWith('https:'),
      path: '/api/rps',
      maxAge: 10 * 60, // seconds
    });
    void res.redirect(
      buildRpsUrl('Auth', {
        rpsBaseUrl: base,
        siteId: this.config.rpsSiteId,
        returnUrl: this.callbackUrl(orgId, state.nonce),
      }),
      302,
    );
  }

  /** The RPS page sends the browser back here with `t` (a ticket) or `RPSAuthState`. */
  @Public()
  @Get('callback')
  @ApiFoundResponse({ description: 'To the console (/test-as-user) or back to the RPS page.' })
  callback(@Query() q: Record<string, string>, @Req() req: FastifyRequest, @Res() res: FastifyReply): void {
    const orgId = new UuidPipe('org id').transform(q.orgId ?? '');
    this.rpsBase();
    // Only a sign-in this browser started here may end here: otherwise another site could sign the
    // admin's browser in as a Live user of its choosing (login CSRF).
    const state = this.sessions.readState(req.cookies[RPS_STATE_COOKIE]);
    if (!state || state.orgId !== orgId || state.nonce !== q.state) {
      void res.redirect(`/test-as-user?orgId=${encodeURIComponent(orgId)}&rps=state-mismatch`, 302);
      return;
    }
    const v = this.verifier!.verify({ ticket: q.t ?? null, rpsAuthState: q.RPSAuthState ?? null });
    const back = (kind: 'Auth' | 'SilentAuth') =>
      void res.redirect(
        buildRpsUrl(kind, {
          rpsBaseUrl: this.rpsBase(),
          siteId: this.config.rpsSiteId,
          returnUrl: this.callbackUrl(orgId, state.nonce),
        }),
        302,
      );
    switch (v.state) {
      case 'valid': {
        const { value } = this.sessions.issue({
          puid: v.hexPuid,
          liveId: v.liveId,
          firstName: v.firstName ?? null,
          lastName: v.lastName ?? null,
          orgId,
        });
        void res.setCookie(END_USER_COOKIE, value, {
          httpOnly: true,
          sameSite: 'lax',
          secure: this.config.publicOrigin.startsWith('https:'),
          path: '/api/rps',
          maxAge: 30 * 60, // seconds
        });
        void res.clearCookie(RPS_STATE_COOKIE, { path: '/api/rps' });
        void res.redirect(`/test-as-user?orgId=${encodeURIComponent(orgId)}`, 302);
        return;
      }
      case 'maybe':
        back('SilentAuth');
        return;
      case 'invalid':
        back('Auth');
        return;
      default:
        void res.redirect(`/test-as-user?orgId=${encodeURIComponent(orgId)}&rps=signed-out`, 302);
    }
  }

  private endUser(req: FastifyRequest): EndUser {
    const u = this.sessions.read(req.cookies[END_USER_COOKIE]);
    if (!u)
      throw new DomainException(401, 'END_USER_REQUIRED', 'Sign in as an end user with Windows Live first.');
    return u;
  }

  @Get('me')
  @ApiOkResponse({ type: EndUserDto })
  me(@Req() req: FastifyRequest): EndUserDto {
    return this.endUser(req);
  }

  @Post('records/:entity')
  @ApiCreatedResponse({ type: EndUserRecordDto })
  async create(
    @Param('entity') entity: string,
    @Body() dto: WriteRecordDto,
    @Req() req: FastifyRequest,
    @Ctx() ctx: RequestContext,
  ): Promise<EndUserRecordDto> {
    const u = this.endUser(req);
    const r = await this.crm.create(u.orgId, entity, dto.attributes, { puid: u.puid }, ctx);
    const stamps = await this.reconcile.pullStamps(u.orgId, entity, r.id).catch(() => null);
    if (stamps) await this.reconcile.reconcile(u.orgId, { sinceHours: 1 }).catch(() => undefined);
    return { id: r.id, ledgerId: r.ledgerId, actingAs: r.actor, stamps };
  }

  @AuditorMay()
  @Post('logout')
  @HttpCode(204)
  @ApiNoContentResponse()
  logout(@Res({ passthrough: true }) res: FastifyReply): void {
    void res.clearCookie(END_USER_COOKIE, { path: '/api/rps' });
  }
}
