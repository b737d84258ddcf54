import fc from 'fast-check';
import type { Operation } from './operations.js';

/** The slice of JSON Schema (as @nestjs/swagger writes it) that request inputs use. */
export interface Schema {
  type?: string;
  enum?: unknown[];
  pattern?: string;
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  $ref?: string;
  allOf?: Schema[];
}

/** Real values the generators mix in, so that valid inputs reach the deep code paths. */
export interface Pools {
  ids: Record<string, string[]>; // by prefix: role, dept, usr, inv, key, dom, org
  orgRefs: string[]; // the fuzzed organization's ID and slug
  foreignOrgRefs: string[]; // another tenant's, and ones that do not exist
  emails: string[]; // addresses already in use (members, invitees)
  tokens: string[]; // genuine invitation tokens
  roleNames: string[]; // seed 002's `role`: keys and a custom role's name
  cursors: string[]; // genuine next_cursor values of the tenant's lists (each one "another list" elsewhere)
}

/** Strings attackers try: injection, markup, traversal, template syntax, encodings, odd unicode. */
const NASTY = [
  "' OR '1'='1",
  "'; DROP TABLE users; --",
  '1; SELECT pg_sleep(5)',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  '../../../../etc/passwd',
  '%00',
  '\u0000',
  '\u202e\u0041\u0042',
  '\ud83d\ude00'.repeat(8),
  '\ud800',
  'null',
  'undefined',
  'NaN',
  '{}',
  '[]',
  '${7*7}',
  '{{7*7}}',
  '__proto__',
  'constructor',
  'org_',
  'inv_',
  'role_' + 'x'.repeat(80),
  ' ',
  '',
  '\r\n\r\nX-Injected: 1',
  'a@b',
  'A'.repeat(255),
];

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...NASTY) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.constantFrom(300, 5_000, 100_000).map((n) => 'x'.repeat(n)) },
);

/**
 * Hostile strings for the URL: the same, but at most a few KB, so that the request line stays
 * under Node's 16 KB header limit and the request reaches the app (that limit has its own test).
 */
export const hostileUrlString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...NASTY) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.constantFrom(101, 300, 2000).map((n) => 'x'.repeat(n)) },
);

/** Any JSON value of the wrong kind for a field. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 4 }),
);

const base64url = (text: string) => Buffer.from(text).toString('base64url');

/** Timestamps `Date.parse` accepts and PostgreSQL may not (or the reverse), as a forged cursor's `t`. */
const CURSOR_TIMES = [
  '1',
  'March 7',
  '+275760-09-13T00:00:00.000Z',
  '-271821-04-20T00:00:00.000Z',
  '0000-01-01T00:00:00.000Z',
  '2026-02-30T00:00:00.000Z',
  '2026-01-05T10:30:00.000Z',
  '2026-01-05T10:30:00+14:00',
  '2026-01-05 10:30',
  'infinity',
  'epoch',
];

/**
 * Cursors the service never issued: forged positions (the issue's `{"t":"1","i":"role_abc"}` and
 * friends), a genuine cursor edited, truncated or extended, and raw junk.
 */
export function cursorArbitrary(pools: Pools): fc.Arbitrary<string> {
  const t = fc.oneof(
    fc.constantFrom(...CURSOR_TIMES),
    fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
    hostileValue,
  );
  const i = fc.oneof(fc.constantFrom('role_abc', 'inv_x', ...Object.values(pools.ids).flat()), hostileValue);
  const forged = fc.record({ t, i }).map((position) => base64url(JSON.stringify(position)));
  const genuine = fc.constantFrom(...pools.cursors);
  const edited = fc.tuple(genuine, fc.nat(), fc.constantFrom('A', 'z', '-', '.', '')).map(([c, at, ch]) => {
    const k = at % c.length;
    return c.slice(0, k) + ch + c.slice(k + 1);
  });
  const signedLooking = fc
    .tuple(forged, genuine)
    .map(([payload, c]) => `${payload}.${c.split('.')[1] ?? ''}`);
  return fc.oneof(
    { weight: 2, arbitrary: genuine },
    { weight: 3, arbitrary: forged },
    { weight: 2, arbitrary: edited },
    { weight: 1, arbitrary: signedLooking },
    { weight: 1, arbitrary: genuine.map((c) => c.slice(0, -1)) },
    { weight: 1, arbitrary: hostileUrlString },
  );
}

function idPrefix(pattern: string | undefined): string | undefined {
  return pattern ? /^\^([a-z]+)_/.exec(pattern)?.[1] : undefined;
}

/** A value the schema accepts, preferring real IDs and addresses where the name says what the field is. */
export function validValue(
  name: string,
  schema: Schema,
  pools: Pools,
  resolve: (s: Schema) => Schema,
): fc.Arbitrary<unknown> {
  const s = resolve(schema);
  const prefix = idPrefix(s.pattern);
  if (prefix) {
    const known = pools.ids[prefix] ?? [];
    const wellFormed = fc.stringMatching(new RegExp(s.pattern!));
    return known.length
      ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...known) }, { weight: 1, arbitrary: wellFormed })
      : wellFormed;
  }
  if (s.enum) return fc.constantFrom(...s.enum);
  switch (s.type) {
    case 'string':
      if (name === 'email') {
        return fc.oneof(
          { weight: 3, arbitrary: fc.uuid().map((u) => `fuzz-${u.slice(0, 13)}@example.test`) },
          { weight: 1, arbitrary: fc.constantFrom(...pools.emails) },
          { weight: 1, arbitrary: fc.emailAddress().filter((e) => e.length <= 254) },
        );
      }
      if (name === 'token') return fc.constantFrom(...pools.tokens);
      if (name === 'cursor') return cursorArbitrary(pools);
      if (name === 'role') return fc.constantFrom(...pools.roleNames);
      if (s.pattern) return fc.stringMatching(new RegExp(s.pattern));
      return fc.string({
        unit: 'grapheme',
        minLength: Math.max(1, s.minLength ?? 0),
        maxLength: Math.min(s.maxLength ?? 60, 60),
      });
    case 'integer':
      return fc.integer({ min: s.minimum ?? -1000, max: s.maximum ?? 1000 });
    case 'number':
      return fc.double({ min: s.minimum ?? -1000, max: s.maximum ?? 1000, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(validValue(name, s.items ?? {}, pools, resolve), { maxLength: 3 });
    case 'object':
      return validObject(s, pools, resolve);
    default:
      return fc.jsonValue({ maxDepth: 1 });
  }
}

export function validObject(
  schema: Schema,
  pools: Pools,
  resolve: (s: Schema) => Schema,
): fc.Arbitrary<Record<string, unknown>> {
  const s = resolve(schema);
  const properties = s.properties ?? {};
  const shape = Object.fromEntries(
    Object.entries(properties).map(([name, p]) => [name, validValue(name, p, pools, resolve)]),
  );
  return fc.record(shape, {
    requiredKeys: (s.required ?? []).filter((k) => k in properties),
  }) as fc.Arbitrary<Record<string, unknown>>;
}

/** What is sent as the body: a JSON value, or raw text with a content type. */
export type FuzzBody = { json: unknown } | { raw: string; contentType: string };

/** Valid bodies, and every way of breaking one. */
export function bodyArbitrary(
  op: Operation,
  pools: Pools,
  resolve: (s: Schema) => Schema,
): fc.Arbitrary<FuzzBody | undefined> {
  const schema = op.bodySchema as Schema | undefined;
  const broken: fc.Arbitrary<FuzzBody | undefined>[] = [
    fc.jsonValue({ maxDepth: 2 }).map((json) => ({ json })),
    fc
      .constantFrom('{', '{"a":', '[1,2', 'not json', '{"a":1}}', '\u0000', '"unterminated')
      .map((raw) => ({ raw, contentType: 'application/json' })),
    fc
      .constantFrom('{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{"admin":true}}}')
      .map((raw) => ({ raw, contentType: 'application/json' })),
    fc
      .tuple(
        fc.constantFrom(
          'text/plain',
          'application/x-www-form-urlencoded',
          'application/xml',
          'multipart/form-data; boundary=x',
        ),
        hostileString,
      )
      .map(([contentType, raw]) => ({ raw, contentType })),
    fc.constant({ raw: JSON.stringify({ pad: 'x'.repeat(1024 * 1024) }), contentType: 'application/json' }),
  ];
  if (!schema)
    return fc.oneof(
      { weight: 6, arbitrary: fc.constant(undefined) },
      ...broken.map((arbitrary) => ({ weight: 1, arbitrary })),
    );

  const valid = validObject(schema, pools, resolve);
  const fields = Object.keys(resolve(schema).properties ?? {});
  const required = resolve(schema).required ?? [];
  const duplicatedKey = valid.map((v) => {
    const [first] = Object.keys(v);
    const text = JSON.stringify(v);
    return first
      ? { raw: text.replace(/^\{/, `{${JSON.stringify(first)}:12345,`), contentType: 'application/json' }
      : { json: v };
  });
  return fc.oneof(
    { weight: 5, arbitrary: valid.map((json) => ({ json })) },
    {
      weight: 3,
      arbitrary: fc
        .tuple(valid, fc.constantFrom(...fields), hostileValue)
        .map(([v, field, bad]) => ({ json: { ...v, [field]: bad } })),
    },
    ...(required.length
      ? [
          {
            weight: 1,
            arbitrary: fc
              .tuple(valid, fc.constantFrom(...required))
              .map(([v, field]) => ({ json: omit(v, field) })),
          },
        ]
      : []),
    {
      weight: 1,
      arbitrary: fc
        .tuple(valid, fc.string({ minLength: 1, maxLength: 12 }), hostileValue)
        .map(([v, k, bad]) => ({ json: { ...v, [k]: bad } })),
    },
    { weight: 1, arbitrary: duplicatedKey },
    ...broken.map((arbitrary) => ({ weight: 1, arbitrary })),
  );
}

function omit(value: Record<string, unknown>, key: string): Record<string, unknown> {
  const copy = { ...value };
  delete copy[key];
  return copy;
}

/** Printable ASCII only: Node's HTTP client refuses other header bytes before they are sent. */
const headerText = (maxLength: number) =>
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength });

export const hostileHeaders: fc.Arbitrary<Record<string, string>> = fc.record(
  {
    'X-Request-Id': fc.oneof(
      fc.constantFrom(
        'abc-123',
        'x'.repeat(128),
        'x'.repeat(129),
        'x'.repeat(4000),
        'has space',
        '<script>',
        '../..',
        '',
      ),
      headerText(200),
    ),
    'X-Forwarded-Host': fc.constantFrom('evil.example', 'localhost:1'),
    'X-Forwarded-For': fc.constantFrom('1.2.3.4', '::1', 'not-an-ip', '127.0.0.1, 10.0.0.1'),
    Accept: fc.oneof(
      fc.constantFrom('application/json', 'text/html', '*/*', 'application/xml'),
      headerText(60),
    ),
    'Accept-Language': headerText(80),
  },
  { requiredKeys: [] },
);

/** Path parameter values: mostly real ones, sometimes another tenant's or made up, sometimes hostile. */
export function pathParamArbitrary(name: string, pools: Pools): fc.Arbitrary<string> {
  // An empty segment is another URL (`/x/` instead of `/x/{id}`); the unknown-paths test covers those.
  return anyPathParam(name, pools).filter((value) => value.length > 0);
}

function anyPathParam(name: string, pools: Pools): fc.Arbitrary<string> {
  if (name === 'organization_id' || name === 'slug') {
    return fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(...pools.orgRefs) },
      { weight: 1, arbitrary: fc.constantFrom(...pools.foreignOrgRefs) },
      { weight: 1, arbitrary: hostileUrlString },
    );
  }
  const prefix = {
    role_id: 'role',
    department_id: 'dept',
    user_id: 'usr',
    invitation_id: 'inv',
    key_id: 'key',
    domain_id: 'dom',
  }[name];
  const known = prefix ? (pools.ids[prefix] ?? []) : [];
  return fc.oneof(
    ...(known.length ? [{ weight: 4, arbitrary: fc.constantFrom(...known) }] : []),
    {
      weight: 1,
      arbitrary: prefix ? fc.stringMatching(new RegExp(`^${prefix}_[A-Za-z0-9]{1,30}$`)) : hostileUrlString,
    },
    { weight: 1, arbitrary: hostileUrlString },
  );
}

export type QueryValue = string | string[];

/** Query strings: valid values, hostile ones, repeated parameters and parameters nobody asked for. */
export function queryArbitrary(
  parameters: { name: string; schema: Schema }[],
  pools: Pools,
  resolve: (s: Schema) => Schema,
): fc.Arbitrary<Record<string, QueryValue>> {
  const asText = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
  const shape: Record<string, fc.Arbitrary<QueryValue>> = {};
  for (const p of parameters) {
    shape[p.name] = fc.oneof(
      { weight: 4, arbitrary: validValue(p.name, p.schema, pools, resolve).map(asText) },
      { weight: 2, arbitrary: hostileUrlString },
      { weight: 1, arbitrary: fc.array(hostileUrlString, { minLength: 2, maxLength: 3 }) },
    );
  }
  const known = fc.record(shape, { requiredKeys: [] }) as fc.Arbitrary<Record<string, QueryValue>>;
  const unknown = fc.dictionary(
    fc.constantFrom('foo', 'admin', 'organization_id', '__proto__', 'limit[]'),
    hostileUrlString,
    { maxKeys: 2 },
  );
  return fc.tuple(known, fc.option(unknown, { freq: 4 })).map(([k, u]) => ({ ...(u ?? {}), ...k }));
}

/**
 * A path segment as a client would send it. A lone UTF-16 surrogate has no UTF-8 form, so it goes
 * out as the bytes of one (invalid UTF-8): the server must reject that, not fail on it.
 */
export function encodePathSegment(segment: string): string {
  return [...segment]
    .map((ch) => (/[\ud800-\udfff]/.test(ch) && ch.length === 1 ? '%ED%A0%80' : encodeURIComponent(ch)))
    .join('');
}
