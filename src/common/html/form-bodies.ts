import { errorCodes, type FastifyInstance } from 'fastify';

/** A form of a few short fields; anything bigger is not one of ours. */
export const FORM_BODY_LIMIT_BYTES = 16 * 1024;

const FORM = 'application/x-www-form-urlencoded';

/**
 * Lets the given routes (Fastify route URLs) take HTML form posts. The API takes JSON only, and
 * Fastify's parsers are per instance, not per route: so the parser is added for the instance and
 * answers every other route exactly as before, 415. Parsed with the platform's URLSearchParams;
 * a field left blank counts as not filled in (an empty "full name" is no name, not an invalid one).
 */
export function acceptFormBodies(fastify: FastifyInstance, routes: ReadonlySet<string>): void {
  fastify.addContentTypeParser(
    FORM,
    { parseAs: 'string', bodyLimit: FORM_BODY_LIMIT_BYTES },
    (request, body, done) => {
      if (!routes.has(request.routeOptions.url ?? '')) {
        done(new errorCodes.FST_ERR_CTP_INVALID_MEDIA_TYPE(FORM), undefined);
        return;
      }
      const fields = [...new URLSearchParams(String(body))].filter(([, value]) => value.trim() !== '');
      done(null, Object.fromEntries(fields));
    },
  );
}
