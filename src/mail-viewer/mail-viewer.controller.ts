import { Controller, Get, Param, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Access } from '../common/auth/access.decorator.js';
import { AppError } from '../common/errors/app-error.js';
import { ErrorCode } from '../common/errors/error-code.js';
import { HtmlErrorFilter, ProblemView } from '../common/html/html-error.filter.js';
import { HtmlSurface } from '../common/html/html-surface.js';
import { formatExpiry as formatTime } from '../mail/invitation-email.js';
import { MAIL_LIST_LIMIT, MailStore, MailSummary } from './mail-store.js';

const VIEWER = new HtmlSurface(new URL('./templates/', import.meta.url), {
  'frame-src': "'self'",
  'form-action': "'none'",
});

/**
 * A message's HTML part, shown inside the viewer's iframe. It is whatever the templates produced
 * (inline styles), so it gets a policy of its own: a sandbox (no script, an opaque origin), no
 * fetches but inline images, and framing by the viewer only. `<base target="_blank">` makes its
 * links open in a new tab, as a mail client's would, instead of inside the frame.
 */
const MESSAGE_HTML_POLICY =
  "sandbox allow-popups allow-popups-to-escape-sandbox; default-src 'none'; style-src 'unsafe-inline'; " +
  "img-src data:; frame-ancestors 'self'; base-uri 'none'; form-action 'none'";

/** Right after `<head>` (before the doctype would put the page in quirks mode), else first. */
function withBaseTarget(html: string): string {
  const base = '<base target="_blank">';
  const head = /<head(?:\s[^>]*)?>/i.exec(html);
  return head
    ? html.slice(0, head.index + head[0].length) + base + html.slice(head.index + head[0].length)
    : base + html;
}

function noSuchMessage(): AppError {
  return new AppError(
    ErrorCode.NOT_FOUND,
    'There is no such message: it may have been deleted from the mail folder.',
  );
}

function mailProblem(error: AppError, traceId: string): ProblemView {
  return error.status === 404
    ? {
        title: 'No such message',
        heading: 'No such message',
        message: error.message,
        hint: null,
        traceId: null,
      }
    : {
        title: 'Mail viewer',
        heading: 'The mail viewer failed',
        message: error.message,
        hint: null,
        traceId,
      };
}

const when = (message: MailSummary) => ({ iso: message.date.toISOString(), when: formatTime(message.date) });

/**
 * `/dev/mail`: the messages the embedded mail transport wrote as `.eml` files, like letter_opener
 * or Mailpit, so the invitation link can be followed without a mail server. AppModule imports it
 * only when SMTP_URL is unset and NODE_ENV is not production (else every path is a 404). HTML for
 * a developer, not API: left out of the OpenAPI document.
 */
@ApiExcludeController()
@Controller('dev/mail')
@UseFilters(new HtmlErrorFilter(VIEWER, mailProblem))
export class MailViewerController {
  constructor(private readonly store: MailStore) {}

  @Get()
  @Access('public')
  async listMail(@Res() reply: FastifyReply): Promise<void> {
    const messages = await this.store.list();
    VIEWER.send(reply, 200, 'mail-list', {
      title: 'Mail',
      width: 'wide',
      dir: this.store.dir,
      limit: MAIL_LIST_LIMIT,
      truncated: messages.length >= MAIL_LIST_LIMIT,
      single: messages.length === 1,
      messages: messages.map((message) => ({
        id: message.id,
        to: message.to,
        subject: message.subject,
        ...when(message),
      })),
    });
  }

  @Get(':message_id')
  @Access('public')
  async showMail(@Param('message_id') id: string, @Res() reply: FastifyReply): Promise<void> {
    const message = await this.store.read(id);
    if (!message) throw noSuchMessage();
    VIEWER.send(reply, 200, 'mail-message', {
      title: message.subject,
      width: 'wide',
      id: message.id,
      subject: message.subject,
      from: message.from,
      to: message.to,
      ...when(message),
      links: message.links,
      hasHtml: message.html !== null,
      text: message.text,
      headers: message.headers,
    });
  }

  @Get(':message_id/html')
  @Access('public')
  async showMailHtml(@Param('message_id') id: string, @Res() reply: FastifyReply): Promise<void> {
    const message = await this.store.read(id);
    if (!message?.html) throw noSuchMessage();
    reply
      .status(200)
      .headers({
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': MESSAGE_HTML_POLICY,
        'referrer-policy': 'no-referrer',
        'cache-control': 'no-store',
      })
      .send(withBaseTarget(message.html));
  }
}
