/**
 * Query parameters whose values are logged as sent: the API's own filters and paging, none of
 * them a credential. Every other parameter's value (and its name, unless a plain word) is replaced
 * by `[redacted]`: an allowlist, so no spelling of `token` (`%74oken`, `TOKEN`, `token[]`, …) and
 * no parameter invented tomorrow can carry a secret into the log.
 */
const LOGGED_QUERY_PARAMS = new Set([
  'limit',
  'cursor',
  'status',
  'account_state',
  'role_id',
  'department_id',
  'user_id',
  'invitation_id',
  'email',
  'send_invitation',
  'type',
  'actor_id',
  'subject_id',
  'since',
  'until',
]);

/** Parameter names shown even when their value is not: too short and plain to hold a secret. */
const PLAIN_NAME = /^[A-Za-z_-]{1,20}$/;

/** Invitation tokens (`inv_….<version>.<mac>`) and API keys (`oik_…`), wherever they appear. */
const SECRET_SHAPE = /inv_[A-Za-z0-9]+\.\d+\.[A-Za-z0-9_-]{8,}|oik_[A-Za-z0-9]{8,}/;

const REDACTED = '[redacted]';

/** Percent-decoding as a query parser does (`+` is a space), three times over; never throws. */
function decoded(text: string): string {
  let current = text.replace(/\+/g, ' ');
  for (let i = 0; i < 3; i++) {
    const next = current.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
      try {
        return decodeURIComponent(run);
      } catch {
        return run;
      }
    });
    if (next === current) break;
    current = next;
  }
  return current;
}

const looksSecret = (raw: string) => SECRET_SHAPE.test(decoded(raw));

function redactQueryPair(pair: string): string {
  if (pair === '') return pair;
  const eq = pair.indexOf('=');
  const name = decoded(eq === -1 ? pair : pair.slice(0, eq));
  const value = eq === -1 ? undefined : pair.slice(eq + 1);
  if (LOGGED_QUERY_PARAMS.has(name)) {
    if (value === undefined) return name;
    return `${name}=${looksSecret(value) ? REDACTED : value}`;
  }
  const shownName = PLAIN_NAME.test(name) ? name : REDACTED;
  return value === undefined ? shownName : `${shownName}=${REDACTED}`;
}

/**
 * The request target as it may be logged. Redaction works on the parsed target, not on a pattern
 * over the raw text: the query is split into parameters (on `&` and `;`), each name percent-decoded
 * before it is judged; a fragment (no client sends one, so it is odd) is dropped; a path segment
 * that decodes to a token or key is replaced.
 */
export function redactUrl(url: string): string {
  const hash = url.indexOf('#');
  const target = hash === -1 ? url : url.slice(0, hash);
  const q = target.indexOf('?');
  const path = q === -1 ? target : target.slice(0, q);
  const shownPath = path
    .split('/')
    .map((segment) => (looksSecret(segment) ? REDACTED : segment))
    .join('/');
  const query =
    q === -1
      ? ''
      : `?${target
          .slice(q + 1)
          .split(/[&;]/)
          .map(redactQueryPair)
          .join('&')}`;
  return `${shownPath}${query}${hash === -1 ? '' : `#${REDACTED}`}`;
}
