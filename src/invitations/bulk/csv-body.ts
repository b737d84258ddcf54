import { errorCodes, type FastifyInstance } from 'fastify';
import { AppError } from '../../common/errors/app-error.js';

export const CSV = 'text/csv';

/** The bulk route takes up to 5 MB, JSON or CSV (API.md); every other route keeps 1 MB. */
export const BULK_BODY_LIMIT_BYTES = 5 * 1024 * 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Lets the given routes (Fastify route URLs) take `text/csv` bodies, handed to the controller as
 * the decoded text. Fastify's parsers are per instance, not per route, so every other route answers
 * a CSV body exactly as before, 415. A charset other than UTF-8 is refused (415); bytes that are
 * not UTF-8 are a 400 rather than silently replaced.
 */
export function acceptCsvBodies(fastify: FastifyInstance, routes: ReadonlySet<string>): void {
  fastify.addContentTypeParser(
    CSV,
    { parseAs: 'buffer', bodyLimit: BULK_BODY_LIMIT_BYTES },
    (request, body, done) => {
      const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(request.headers['content-type'] ?? '')?.[1];
      if (!routes.has(request.routeOptions.url ?? '') || (charset && !/^utf-?8$/i.test(charset))) {
        done(new errorCodes.FST_ERR_CTP_INVALID_MEDIA_TYPE(CSV), undefined);
        return;
      }
      try {
        done(null, utf8.decode(body as Buffer));
      } catch {
        const msg = 'The CSV body is not valid UTF-8.';
        done(AppError.validation([{ loc: ['body'], msg, type: 'string_unicode' }], msg), undefined);
      }
    },
  );
}
