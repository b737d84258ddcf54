import { LoggerService } from '@nestjs/common';
import pino, { Logger } from 'pino';
import { redactUrl } from './redact-url.js';
import { currentTraceId } from './trace-context.js';

/** Fastify's request serializer, with secrets in the query string replaced. */
function requestForLog(req: {
  method?: string;
  url?: string;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
}) {
  return {
    method: req.method,
    url: redactUrl(req.url ?? ''),
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}

/** Structured JSON logs on stdout. Secrets that may appear in request logs are redacted. */
export function createRootLogger(level: string, destination: 1 | 2 = 1): Logger {
  return pino(
    {
      level,
      base: { service: 'org-invitations' },
      timestamp: pino.stdTimeFunctions.isoTime,
      serializers: { req: requestForLog },
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers["x-api-key"]',
          'req.headers.cookie',
          'api_key',
          'token',
        ],
        censor: '[redacted]',
      },
    },
    pino.destination({ fd: destination, sync: false }),
  );
}

/** Nest's own log calls go to the same pino logger, tagged with the current request's trace id. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  private write(
    level: 'info' | 'warn' | 'error' | 'debug' | 'trace',
    message: unknown,
    context?: string,
    extra: object = {},
  ) {
    const fields = { context, trace_id: currentTraceId(), ...extra };
    if (message instanceof Error) this.logger[level]({ ...fields, err: message }, message.message);
    else if (typeof message === 'object' && message !== null) this.logger[level]({ ...fields, ...message });
    else this.logger[level](fields, String(message));
  }

  log(message: unknown, context?: string) {
    this.write('info', message, context);
  }
  warn(message: unknown, context?: string) {
    this.write('warn', message, context);
  }
  error(message: unknown, stackOrContext?: string, context?: string) {
    const hasStack = context !== undefined;
    this.write(
      'error',
      message,
      hasStack ? context : stackOrContext,
      hasStack ? { stack: stackOrContext } : {},
    );
  }
  debug(message: unknown, context?: string) {
    this.write('debug', message, context);
  }
  verbose(message: unknown, context?: string) {
    this.write('trace', message, context);
  }
}
