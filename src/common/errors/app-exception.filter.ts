import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { MetricsService } from '../../metrics/metrics.service.js';
import { AppError } from './app-error.js';
import { ErrorCode } from './error-code.js';
import { sendError } from './error-response.js';

/** The one global filter: every exception from every layer becomes the route's error envelope. */
@Catch()
export class AppExceptionFilter implements ExceptionFilter {
  constructor(private readonly metrics: MetricsService) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    // Every 429 passes here, whichever budget refused it, so this is the one place that counts them.
    if (exception instanceof AppError && exception.code === ErrorCode.RATE_LIMITED) {
      const scope = exception.details.scope;
      // The per-invitation resend cooldown is the one 429 whose details name no scope.
      this.metrics.rateLimitRefusals.inc({ scope: typeof scope === 'string' ? scope : 'invitation_resend' });
    }
    const http = host.switchToHttp();
    sendError(http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>(), exception);
  }
}
