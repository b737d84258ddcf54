import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors/app-error.js';
import { toAppError } from '../errors/to-app-error.js';
import { HtmlSurface, PageView } from './html-surface.js';

/** What a person reads for an error: a heading, a sentence, and optionally what to do about it. */
export interface ProblemView extends PageView {
  heading: string;
  message: string;
  hint: string | null;
  traceId: string | null;
}

/**
 * The error filter of an HTML surface (used with @UseFilters on its controller, so it runs
 * instead of the global JSON filter for those routes, guards and pipes included): the same
 * domain error, the same status and headers (`Retry-After`), rendered as the `problem` page with
 * the surface's own sentences. Faults are logged as the global filter logs them.
 */
@Catch()
export class HtmlErrorFilter implements ExceptionFilter {
  constructor(
    private readonly surface: HtmlSurface,
    private readonly sentences: (error: AppError, traceId: string) => ProblemView,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const { error, unexpected } = toAppError(exception, reply.getHeaders());
    if (unexpected)
      request.log.error({ err: exception, trace_id: request.id }, 'request failed: %s', error.code);
    if (reply.sent) return;
    this.surface.send(
      reply,
      error.status,
      'problem',
      this.sentences(error, String(request.id)),
      error.headers,
    );
  }
}
