import { Body, Controller, Get, Inject, Post, Query, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Access } from '../common/auth/access.decorator.js';
import { AccessRepository } from '../common/auth/access.repository.js';
import { isWellFormedApiKey } from '../common/auth/api-key-secret.js';
import { Caller } from '../common/auth/request-context.js';
import { AppError } from '../common/errors/app-error.js';
import { ErrorCode } from '../common/errors/error-code.js';
import { HtmlErrorFilter } from '../common/html/html-error.filter.js';
import { HtmlSurface } from '../common/html/html-surface.js';
import { RateLimit } from '../common/rate-limit/rate-limit.decorator.js';
import { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { InvitationDeclineDto } from '../invitations/dto/invitation-token.dto.js';
import { InvitationAcceptanceService } from '../invitations/invitation-acceptance.service.js';
import { InvitationQueriesService } from '../invitations/invitation-queries.service.js';
import { notPendingError } from '../invitations/invitation-status.js';
import {
  declinedView,
  emailCodeView,
  InvitationFacts,
  invitationView,
  joinedView,
} from './accept-page-views.js';
import { AcceptFormDto } from './dto/accept-form.dto.js';
import { linkProblem } from './link-problems.js';

/** The routes that take HTML form posts (see AcceptPageModule). */
export const ACCEPT_PAGE_FORM_ROUTES: ReadonlySet<string> = new Set([
  '/user/register/accept',
  '/user/register/decline',
]);

const PAGE = new HtmlSurface(new URL('./templates/', import.meta.url));

const WRONG_KEY =
  'That API key does not belong to the account this invitation is for. Enter a key of the account for this email address.';
const UNKNOWN_KEY = 'That API key is not valid: it may be mistyped or revoked. Check it and try again.';

/**
 * The page an invitation link opens (`/user/register?invite=<token>`), for deployments without a
 * page of their own. Plain HTML forms, no script, no cookie: the token in each form is the only
 * credential. Accept and decline go through the API's own use cases, so every rule (single use,
 * expiry, an existing account only with its own key) holds here exactly as in the API. HTML, not
 * API: left out of the OpenAPI document, and its errors are pages (HtmlErrorFilter), not envelopes.
 */
@ApiExcludeController()
@Controller('user/register')
@UseFilters(new HtmlErrorFilter(PAGE, linkProblem))
export class AcceptPageController {
  constructor(
    private readonly queries: InvitationQueriesService,
    private readonly acceptance: InvitationAcceptanceService,
    private readonly access: AccessRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Shows the invitation, or why its link no longer works. Reading changes nothing (link scanners GET too). */
  @Get()
  @Access('public')
  @RateLimit('public-token')
  async showInvitation(@Query('invite') invite: unknown, @Res() reply: FastifyReply): Promise<void> {
    if (typeof invite !== 'string' || invite === '') {
      throw AppError.validation([
        { loc: ['query', 'invite'], msg: 'the link has no invitation token', type: 'missing' },
      ]);
    }
    const facts = await this.facts(invite);
    PAGE.send(reply, 200, 'invitation', invitationView(facts));
  }

  @Post('accept')
  @Access('public')
  @RateLimit('public-token')
  async acceptInvitation(@Body() form: AcceptFormDto, @Res() reply: FastifyReply): Promise<void> {
    let caller: Caller | undefined;
    if (form.api_key !== undefined) {
      const key = form.api_key.trim();
      caller = isWellFormedApiKey(key) ? (await this.access.callerFor({ apiKey: key }))?.caller : undefined;
      if (!caller)
        return this.showAgain(reply, form.token, new AppError(ErrorCode.INVALID_API_KEY, UNKNOWN_KEY));
    }
    try {
      const accepted = await this.acceptance.accept(form.token, form.full_name, form.email_code, caller);
      const lookup = await this.queries.lookup(form.token);
      PAGE.send(reply, 200, 'joined', joinedView(lookup, accepted, this.config.publicAppUrl));
    } catch (error) {
      // What the invitee can put right on the same form; every other error ends on a problem page.
      if (error instanceof AppError && error.code === ErrorCode.INVITATION_EMAIL_MISMATCH) {
        return this.showAgain(reply, form.token, new AppError(error.code, WRONG_KEY));
      }
      // Email proof (API.md): a code was emailed; the same form takes it, and a wrong or expired one is asked again.
      if (error instanceof AppError && error.code === ErrorCode.EMAIL_VERIFICATION_REQUIRED) {
        return PAGE.send(
          reply,
          200,
          'email-code',
          emailCodeView(await this.facts(form.token), form.full_name ?? null),
        );
      }
      if (
        error instanceof AppError &&
        (error.code === ErrorCode.EMAIL_CODE_INVALID || error.code === ErrorCode.EMAIL_CODE_EXPIRED)
      ) {
        const view = emailCodeView(await this.facts(form.token), form.full_name ?? null, error.message);
        return PAGE.send(reply, error.status, 'email-code', view);
      }
      throw error;
    }
  }

  @Post('decline')
  @Access('public')
  @RateLimit('public-token')
  async declineInvitation(@Body() form: InvitationDeclineDto, @Res() reply: FastifyReply): Promise<void> {
    const declined = await this.acceptance.decline(form.token);
    PAGE.send(reply, 200, 'declined', declinedView(declined));
  }

  /** The lookup the API serves, plus the page's extras; a link that is no longer pending is an error page. */
  private async facts(token: string): Promise<InvitationFacts> {
    const lookup = await this.queries.lookup(token);
    const notPending = notPendingError({
      id: lookup.invitation_id,
      status: lookup.status,
      expiresAt: new Date(lookup.expires_at),
    });
    if (notPending) throw notPending;
    return { token, lookup, details: await this.queries.pageDetails(lookup.invitation_id) };
  }

  /** The invitation again, with the accept form's error, under the error's status (401, 403). */
  private async showAgain(reply: FastifyReply, token: string, error: AppError): Promise<void> {
    const facts = await this.facts(token);
    PAGE.send(reply, error.status, 'invitation', invitationView(facts, error.message));
  }
}
