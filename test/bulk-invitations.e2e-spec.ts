import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Logger, QueryRunner } from 'typeorm';
import { newId } from '../src/common/ids/ids.js';
import {
  auth,
  createActiveMember,
  createOrganizationWithOwner,
  createWorld,
  uniqueEmail,
  World,
} from './support/fixtures.js';
import { expectError } from './support/envelope.js';
import {
  expireInvitation,
  GENEROUS_LIMITS,
  insertCustomRole,
  insertDepartment,
  membershipOf,
} from './support/invitations.js';
import { createTestApp, TestApp } from './support/test-app.js';

type Row = Record<string, unknown>;
interface Result {
  index: number;
  status: 'created' | 'error';
  invitation?: Record<string, unknown> & { invitation_id: string };
  error?: { code: string; message: string; details: Record<string, unknown> };
}

const BOM = '\ufeff';

describe('POST /v1/organizations/{organization_id}/invitations/bulk', () => {
  let t: TestApp;
  let w: World;
  const bulkPath = (org = w.orgId) => `/v1/organizations/${org}/invitations/bulk`;
  const bulk = (body: unknown, actor = w.admin, org = w.orgId) =>
    t
      .http()
      .post(bulkPath(org))
      .set(auth(actor))
      .send(body as object);
  const csv = (text: string, actor = w.admin, query = '') =>
    t
      .http()
      .post(`${bulkPath()}${query}`)
      .set(auth(actor))
      .set('Content-Type', 'text/csv; charset=utf-8')
      .send(text);
  const count = async (sql: string, params: unknown[]) =>
    Number((await t.dataSource.query(sql, params))[0].n);
  const outboxFor = (ids: string[]) =>
    count('SELECT count(*)::int AS n FROM email_outbox WHERE invitation_id = ANY($1)', [ids]);
  const createdEventsFor = (ids: string[]) =>
    count(
      `SELECT count(*)::int AS n FROM events WHERE type = 'invitation.created' AND subject_id = ANY($1)`,
      [ids],
    );
  const pendingFor = (emails: string[]) =>
    count(
      `SELECT count(*)::int AS n FROM invitations WHERE organization_id = $1 AND status = 'pending' AND email = ANY($2)`,
      [w.orgId, emails],
    );

  beforeAll(async () => {
    t = await createTestApp(GENEROUS_LIMITS);
    w = await createWorld(t);
  });
  afterAll(() => t.close());

  it('creates 950 of 1000 rows and reports the 50 bad ones, each with the code the single create would return', async () => {
    const customRole = await insertCustomRole(t, w.orgId, `Bulk ${Date.now()}`);
    const department = await insertDepartment(t, w.orgId, `Bulk dept ${Date.now()}`);
    const foreignRole = (
      await t.dataSource.query(`SELECT id FROM roles WHERE organization_id = $1 AND key = 'member'`, [
        w.otherOrgId,
      ])
    )[0].id as string;
    const foreignDepartment = await insertDepartment(t, w.otherOrgId, `Theirs ${Date.now()}`);
    const member = await createActiveMember(t, w.orgId, [w.roles.member], uniqueEmail('already'));
    const pending = await t
      .http()
      .post(`/v1/organizations/${w.orgId}/invitations`)
      .set(auth(w.admin))
      .send({ email: uniqueEmail('pending') })
      .expect(201);

    // Every kind of bad row, spread over the request; the rest are good.
    const kinds: { code: string; row: (good: Row) => Row }[] = [
      { code: 'VALIDATION_ERROR', row: () => ({ email: 'not-an-email' }) },
      { code: 'VALIDATION_ERROR', row: (good) => ({ ...good, role_ids: [newId('role')] }) },
      { code: 'VALIDATION_ERROR', row: (good) => ({ ...good, role_ids: [foreignRole] }) },
      { code: 'VALIDATION_ERROR', row: (good) => ({ ...good, department_ids: [foreignDepartment] }) },
      { code: 'VALIDATION_ERROR', row: (good) => ({ ...good, full_name: 'x'.repeat(300) }) },
      { code: 'VALIDATION_ERROR', row: (good) => ({ ...good, invitation_id: 'inv_mine' }) },
      { code: 'USER_ALREADY_EXISTS', row: () => ({ email: member.email.toUpperCase() }) },
      { code: 'INVITATION_ALREADY_PENDING', row: () => ({ email: pending.body.email }) },
      { code: 'INVITATION_ALREADY_PENDING', row: () => ({ email: 'first-of-two@example.test' }) },
      { code: 'INSUFFICIENT_PERMISSIONS', row: (good) => ({ ...good, role_ids: [w.roles.owner] }) },
    ];
    const rows: Row[] = [];
    const expected = new Map<number, string>();
    for (let index = 0; index < 1000; index++) {
      const good: Row = {
        email: uniqueEmail(`bulk${index}`),
        role_ids: index % 2 ? [customRole] : [],
        department_ids: index % 3 ? [] : [department],
      };
      if (index === 3) good.email = 'first-of-two@example.test';
      if (index % 20 === 7) {
        const kind = kinds[((index - 7) / 20) % kinds.length]!;
        rows.push(kind.row(good));
        expected.set(index, kind.code);
      } else rows.push(good);
    }
    expect(expected.size).toBe(50);

    const res = await bulk({ invitations: rows, defaults: { custom_message: 'Welcome aboard' } });
    expect(res.status).toBe(200);
    expect({ created: res.body.created, failed: res.body.failed }).toEqual({ created: 950, failed: 50 });
    const results = res.body.results as Result[];
    expect(results.map((r) => r.index)).toEqual(rows.map((_r, i) => i));
    const errors = results.filter((r) => r.status === 'error');
    expect(new Map(errors.map((r) => [r.index, r.error!.code]))).toEqual(expected);
    for (const r of errors) expect(Object.keys(r.error!).sort()).toEqual(['code', 'details', 'message']);

    // The errors say what the single create would: the field, the ID, the existing invitation.
    const at = (index: number) => results[index]!.error!;
    expect(at(7).details.errors).toEqual([
      {
        loc: ['body', 'invitations', 7, 'email'],
        msg: 'email must be a valid email address',
        type: 'is_email',
      },
    ]);
    expect(at(47).details.errors).toEqual([
      expect.objectContaining({ loc: ['body', 'invitations', 47, 'role_ids', 0], type: 'role_not_found' }),
    ]);
    expect(at(67).details.errors).toEqual([
      {
        loc: ['body', 'invitations', 67, 'department_ids', 0],
        msg: `${foreignDepartment} is not a department of this organization`,
        type: 'department_not_found',
      },
    ]);
    expect(at(107).details.errors).toEqual([
      expect.objectContaining({
        loc: ['body', 'invitations', 107, 'invitation_id'],
        type: 'extra_forbidden',
      }),
    ]);
    expect(at(127).details).toEqual({ email: member.email, organization_id: w.orgId });
    expect(at(147).details).toEqual({
      invitation_id: pending.body.invitation_id,
      email: pending.body.email,
      organization_id: w.orgId,
    });
    expect(at(167).details).toMatchObject({
      invitation_id: results[3]!.invitation!.invitation_id,
      duplicate_of_index: 3,
    });
    expect(at(187).message).toBe('Only an Owner can grant the Owner role.');

    // Created rows are whole invitations, with their defaults, roles (Member when none) and departments.
    const created = results.filter((r) => r.status === 'created').map((r) => r.invitation!);
    expect(created[0]).toMatchObject({
      email: rows[0]!.email,
      role_ids: [w.roles.member],
      department_ids: [department],
      custom_message: 'Welcome aboard',
      status: 'pending',
      email_status: 'queued',
      invited_by: w.admin.userId,
    });
    expect(results[1]!.invitation).toMatchObject({ role_ids: [customRole], department_ids: [] });
    expect(created.every((i) => typeof i.invitation_link === 'string')).toBe(true);

    // Emails and events for the created rows only, and nothing for the bad ones.
    const createdIds = created.map((i) => i.invitation_id);
    expect(await outboxFor(createdIds)).toBe(950);
    expect(await createdEventsFor(createdIds)).toBe(950);
    expect(await pendingFor(created.map((i) => i.email as string))).toBe(950);
    const [event] = await t.dataSource.query(
      `SELECT actor_id, actor_api_key_id, data FROM events WHERE subject_id = $1`,
      [createdIds[0]],
    );
    expect(event.actor_id).toBe(w.admin.userId);
    expect(event.data).toMatchObject({ invitation_id: createdIds[0], email: rows[0]!.email });
    expect(event.data.invitation_link).toBeUndefined();
    expect(await count(`SELECT count(*)::int AS n FROM users WHERE email = 'not-an-email'`, [])).toBe(0);
    // The pending membership holds the invited grants.
    const [grants] = await t.dataSource.query(
      `SELECT array(SELECT role_id FROM membership_roles WHERE membership_id = i.membership_id) AS roles,
              array(SELECT department_id FROM membership_departments WHERE membership_id = i.membership_id) AS departments
         FROM invitations i WHERE i.id = $1`,
      [createdIds[0]],
    );
    expect(grants).toEqual({ roles: [w.roles.member], departments: [department] });
  });

  it('reads a CSV as a spreadsheet exports it: BOM, CRLF, quoted commas and quotes, roles and departments by name', async () => {
    const role = `Support Lead ${Date.now()}`;
    const roleId = await insertCustomRole(t, w.orgId, role);
    const dept = `Field, Ops ${Date.now()}`;
    const deptId = await insertDepartment(t, w.orgId, dept);
    const other = await insertDepartment(t, w.orgId, `Design ${Date.now()}`);
    const [a, b, c] = [uniqueEmail('csv'), uniqueEmail('csv'), uniqueEmail('csv')];
    const text =
      BOM +
      'Email,Full_Name,Roles,Departments,Custom_Message\r\n' +
      `${a.toUpperCase()},"Doe, Jane",${role.toLowerCase()},"${dept.toUpperCase()}; ${other}","Hi ""Jane"", welcome"\r\n` +
      `\r\n` +
      `${b},,,,\r\n` +
      `${c},Bob,Nonexistent Role;${roleId},,\r\n`;
    const res = await csv(text);
    expect(res.status).toBe(200);
    expect({ created: res.body.created, failed: res.body.failed }).toEqual({ created: 2, failed: 1 });
    const [first, second, third] = res.body.results as Result[];
    expect(first!.invitation).toMatchObject({
      email: a,
      role_ids: [roleId],
      department_ids: [deptId, other],
      custom_message: 'Hi "Jane", welcome',
      email_status: 'queued',
    });
    expect(
      (
        await t.dataSource.query('SELECT full_name FROM invitations WHERE id = $1', [
          first!.invitation!.invitation_id,
        ])
      )[0].full_name,
    ).toBe('Doe, Jane');
    expect(second!.invitation).toMatchObject({ email: b, role_ids: [w.roles.member], department_ids: [] });
    expect(third!.error!.details.errors).toEqual([
      {
        loc: ['body', 'invitations', 2, 'roles', 0],
        msg: 'Nonexistent Role is not a role of this organization',
        type: 'role_not_found',
      },
    ]);
  });

  it('sends no email with ?send_invitation=false (CSV) or send_invitation: false (JSON)', async () => {
    const res = await csv(`email\n${uniqueEmail('quiet')}\n`, w.admin, '?send_invitation=false');
    expect(res.status).toBe(200);
    const fromCsv = (res.body.results as Result[])[0]!.invitation!;
    expect(fromCsv.email_status).toBe('not_requested');
    const json = await bulk({ invitations: [{ email: uniqueEmail('quiet') }], send_invitation: false });
    const fromJson = (json.body.results as Result[])[0]!.invitation!;
    expect(fromJson.email_status).toBe('not_requested');
    expect(await outboxFor([fromCsv.invitation_id, fromJson.invitation_id])).toBe(0);
    expect(await createdEventsFor([fromCsv.invitation_id, fromJson.invitation_id])).toBe(2);
  });

  it("fails an Admin's Owner row alone; an Owner may grant Owner", async () => {
    const rows = [
      { email: uniqueEmail('ok') },
      { email: uniqueEmail('owner'), role_ids: [w.roles.owner] },
      { email: uniqueEmail('ok') },
    ];
    const res = await bulk({ invitations: rows });
    expect((res.body.results as Result[]).map((r) => r.status)).toEqual(['created', 'error', 'created']);
    expect(res.body.results[1].error).toEqual({
      code: 'INSUFFICIENT_PERMISSIONS',
      message: 'Only an Owner can grant the Owner role.',
      details: { organization_id: w.orgId },
    });
    const byOwner = await bulk({ invitations: [rows[1]] }, w.owner);
    expect(byOwner.body.results[0].invitation.role_ids).toEqual([w.roles.owner]);
  });

  it('fails a second row with the same email (in any case) as INVITATION_ALREADY_PENDING with the first row’s invitation', async () => {
    const email = uniqueEmail('twice');
    const res = await bulk({ invitations: [{ email }, { email: `  ${email.toUpperCase()}` }] });
    const [first, second] = res.body.results as Result[];
    expect(first!.status).toBe('created');
    expect(second!.error).toEqual({
      code: 'INVITATION_ALREADY_PENDING',
      message: expect.any(String),
      details: {
        invitation_id: first!.invitation!.invitation_id,
        email,
        organization_id: w.orgId,
        duplicate_of_index: 0,
      },
    });
    expect(await pendingFor([email])).toBe(1);
  });

  it('re-invites an email whose invitation expired: the old one is settled, the pending membership holds only the new grants', async () => {
    const role = await insertCustomRole(t, w.orgId, `Old ${Date.now()}`);
    const dept = await insertDepartment(t, w.orgId, `Old dept ${Date.now()}`);
    const email = uniqueEmail('again');
    const old = await t
      .http()
      .post(`/v1/organizations/${w.orgId}/invitations`)
      .set(auth(w.admin))
      .send({ email, role_ids: [role], department_ids: [dept] })
      .expect(201);
    await expireInvitation(t, old.body.invitation_id);
    const res = await bulk({ invitations: [{ email }] });
    const invitation = (res.body.results as Result[])[0]!.invitation!;
    expect(invitation).toMatchObject({ role_ids: [w.roles.member], department_ids: [] });
    const [settled] = await t.dataSource.query('SELECT status FROM invitations WHERE id = $1', [
      old.body.invitation_id,
    ]);
    expect(settled.status).toBe('expired');
    expect(await membershipOf(t, w.orgId, old.body.user_id)).toEqual({
      account_state: 'pending_invitation',
      role_ids: [w.roles.member],
      department_ids: [],
    });
  });

  it('holds each row to the invite policy: outside the verified domains, EMAIL_DOMAIN_NOT_ALLOWED alone', async () => {
    const { orgId, owner } = await createOrganizationWithOwner(t, 'Policy Corp');
    const domain = `policy-${Date.now().toString(36)}.test`;
    await t.dataSource.query(
      `UPDATE organizations SET invite_policy = 'verified_domains_only' WHERE id = $1`,
      [orgId],
    );
    await t.dataSource.query(
      `INSERT INTO organization_domains (id, organization_id, domain, status, verification_value, verified_at)
       VALUES ($1, $2, $3, 'verified', 'x', now())`,
      [newId('dom'), orgId, domain],
    );
    const res = await bulk(
      { invitations: [{ email: `a@${domain}` }, { email: 'b@elsewhere.test' }] },
      owner,
      orgId,
    );
    const [inside, outside] = res.body.results as Result[];
    expect(inside!.status).toBe('created');
    expect(outside!.error).toMatchObject({
      code: 'EMAIL_DOMAIN_NOT_ALLOWED',
      details: { email: 'b@elsewhere.test', domain: 'elsewhere.test', organization_id: orgId },
    });
  });

  it('lets exactly one of two concurrent bulk requests create each email (the pending index decides)', async () => {
    const emails = Array.from({ length: 40 }, () => uniqueEmail('race'));
    const rows = emails.map((email) => ({ email }));
    const [a, b] = await Promise.all([
      bulk({ invitations: rows }),
      bulk({ invitations: [...rows].reverse() }, w.owner),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.body.created + b.body.created).toBe(40);
    const losers = [...a.body.results, ...b.body.results].filter((r: Result) => r.status === 'error');
    expect(losers.every((r: Result) => r.error!.code === 'INVITATION_ALREADY_PENDING')).toBe(true);
    expect(await pendingFor(emails)).toBe(40);
    // Every account, membership and email belongs to the invitation that won.
    expect(
      await count(
        `SELECT count(*)::int AS n FROM memberships m JOIN users u ON u.id = m.user_id
          WHERE m.organization_id = $1 AND u.email = ANY($2)`,
        [w.orgId, emails],
      ),
    ).toBe(40);
    expect(
      await count(
        `SELECT count(*)::int AS n FROM email_outbox o JOIN invitations i ON i.id = o.invitation_id
          WHERE i.email = ANY($1)`,
        [emails],
      ),
    ).toBe(40);
  });

  it('turns a row whose email a concurrent transaction invites first into INVITATION_ALREADY_PENDING with the winner’s id', async () => {
    const contested = uniqueEmail('contested');
    const free = uniqueEmail('free');
    const [userId, membershipId, invitationId] = [newId('usr'), newId('mem'), newId('inv')];
    const held = t.dataSource.createQueryRunner();
    await held.connect();
    await held.startTransaction();
    try {
      // The other transaction's invite, not yet committed: the bulk request's first look cannot see it.
      await held.query('INSERT INTO users (id, email) VALUES ($1, $2)', [userId, contested]);
      await held.query(
        `INSERT INTO memberships (id, organization_id, user_id, account_state, invited_at)
         VALUES ($1, $2, $3, 'pending_invitation', now())`,
        [membershipId, w.orgId, userId],
      );
      await held.query(
        `INSERT INTO invitations (id, organization_id, user_id, membership_id, email, status, version, issued_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, 'pending', 1, now(), now() + interval '7 days')`,
        [invitationId, w.orgId, userId, membershipId, contested],
      );
      const request = bulk({ invitations: [{ email: free }, { email: contested }] }).then((res) => res);
      // The request waits on the other transaction's unique-index entries until it commits.
      await new Promise((resolve) => setTimeout(resolve, 500));
      await held.commitTransaction();
      const res = await request;
      const [ok, lost] = res.body.results as Result[];
      expect(ok!.status).toBe('created');
      expect(lost!.error).toMatchObject({
        code: 'INVITATION_ALREADY_PENDING',
        details: { invitation_id: invitationId, email: contested, organization_id: w.orgId },
      });
    } finally {
      if (held.isTransactionActive) await held.rollbackTransaction();
      await held.release();
    }
    // The winner's account, membership and invitation are untouched; the loser left nothing behind.
    expect(await pendingFor([contested])).toBe(1);
    expect(await count('SELECT count(*)::int AS n FROM users WHERE email = $1', [contested])).toBe(1);
    expect(await outboxFor([invitationId])).toBe(0);
    expect(await membershipOf(t, w.orgId, userId)).toMatchObject({ account_state: 'pending_invitation' });
  });

  it('replays a bulk request under the same Idempotency-Key without creating anything twice', async () => {
    const email = uniqueEmail('idem');
    const send = () =>
      t
        .http()
        .post(bulkPath())
        .set(auth(w.admin))
        .set('Idempotency-Key', `bulk-${email}`)
        .send({ invitations: [{ email }] });
    const first = await send();
    const again = await send();
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.text).toBe(first.text);
    expect(await pendingFor([email])).toBe(1);
  });

  it('answers 404 ORGANIZATION_NOT_FOUND to another tenant and 403 INSUFFICIENT_PERMISSIONS to a Member, creating nothing', async () => {
    const email = uniqueEmail('denied');
    expectError(await bulk({ invitations: [{ email }] }, w.otherOwner), 404, 'ORGANIZATION_NOT_FOUND');
    expectError(await bulk({ invitations: [{ email }] }, w.member), 403, 'INSUFFICIENT_PERMISSIONS');
    const csvByMember = await csv(`email\n${email}\n`, w.member);
    expectError(csvByMember, 403, 'INSUFFICIENT_PERMISSIONS');
    expect(await count('SELECT count(*)::int AS n FROM users WHERE email = $1', [email])).toBe(0);
  });

  describe('malformed requests fail whole, in the error envelope', () => {
    it('400 for no rows, over 1000 rows, a bad `defaults`, a non-object row or a top-level field it does not know', async () => {
      const locs = async (body: unknown) => {
        const error = expectError(await bulk(body), 400, 'VALIDATION_ERROR');
        return (error.details as { errors: { loc: (string | number)[] }[] }).errors.map((e) =>
          e.loc.join('.'),
        );
      };
      expect(await locs({ invitations: [] })).toEqual(['body.invitations']);
      expect(
        await locs({ invitations: Array.from({ length: 1001 }, () => ({ email: 'a@example.test' })) }),
      ).toEqual(['body.invitations']);
      expect(await locs({ invitations: [{ email: 'a@example.test' }], defaults: { role_ids: 'x' } })).toEqual(
        expect.arrayContaining(['body.defaults.role_ids']),
      );
      expect(await locs({ invitations: ['a@example.test'] })).toEqual(['body.invitations']);
      expect(await locs({ invitations: [{ email: 'a@example.test' }], role_ids: [] })).toEqual([
        'body.role_ids',
      ]);
      expect(await locs([{ email: 'a@example.test' }])).toEqual(['body']);
    });

    it('400 for a CSV without an email column, with an unknown column, with no rows, or that does not parse', async () => {
      const message = async (text: string) =>
        expectError(await csv(text), 400, 'VALIDATION_ERROR').message as string;
      expect(await message('full_name\nJane\n')).toMatch(/no email column/);
      expect(await message('email,role\na@example.test,admin\n')).toMatch(/unknown column\(s\) role/);
      expect(await message(`${BOM}email\r\n`)).toMatch(/no rows/);
      expect(await message('email,full_name\n"a@example.test,Jane\n')).toMatch(/CSV body is invalid/);
      expect(await message('email,full_name\na@example.test,Jane,extra\n')).toMatch(/CSV body is invalid/);
      const notUtf8 = await t
        .http()
        .post(bulkPath())
        .set(auth(w.admin))
        .set('Content-Type', 'text/csv')
        .send(Buffer.from([0x65, 0x6d, 0x61, 0x69, 0x6c, 0x0a, 0xff, 0xfe, 0x0a]));
      expectError(notUtf8, 400, 'VALIDATION_ERROR');
    });

    it('accepts a body over 1 MB up to 5 MB, and answers 413 PAYLOAD_TOO_LARGE above', async () => {
      const padded = (bytes: number) => ({
        invitations: [{ email: uniqueEmail('big'), custom_message: 'hi' }],
        send_invitation: true,
        padding: 'x'.repeat(bytes),
      });
      // Over the 1 MB of other routes: parsed (then refused for its unknown field, not for its size).
      expectError(await bulk(padded(2 * 1024 * 1024)), 400, 'VALIDATION_ERROR');
      expectError(await bulk(padded(5 * 1024 * 1024)), 413, 'PAYLOAD_TOO_LARGE');
      expectError(await csv(`email\n${'a@example.test\n'.repeat(400_000)}`), 413, 'PAYLOAD_TOO_LARGE');
      // Other routes keep 1 MB.
      const single = await t
        .http()
        .post(`/v1/organizations/${w.orgId}/invitations`)
        .set(auth(w.admin))
        .send({ email: uniqueEmail('big'), custom_message: 'x'.repeat(2 * 1024 * 1024) });
      expectError(single, 413, 'PAYLOAD_TOO_LARGE');
    });

    it('415 UNSUPPORTED_MEDIA_TYPE for another media type or charset; other routes still refuse CSV', async () => {
      const as = (type: string, path = bulkPath()) =>
        t.http().post(path).set(auth(w.admin)).set('Content-Type', type).send('email\na@example.test\n');
      expectError(await as('text/plain'), 415, 'UNSUPPORTED_MEDIA_TYPE');
      expectError(await as('text/csv; charset=iso-8859-1'), 415, 'UNSUPPORTED_MEDIA_TYPE');
      expectError(
        await as('text/csv', `/v1/organizations/${w.orgId}/invitations`),
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      );
      expectError(
        await as('text/csv', `/v1/organizations/${w.orgId}/departments`),
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      );
    });
  });

  it('writes with a constant number of SQL statements: 10 rows and 1000 rows cost the same', async () => {
    const statements: string[] = [];
    const logger = t.dataSource.logger;
    const counting: Logger = {
      logQuery: (query: string, parameters?: unknown[], runner?: QueryRunner) => {
        statements.push(query);
        logger.logQuery(query, parameters, runner);
      },
      logQueryError: (...args) => logger.logQueryError(...args),
      logQuerySlow: (...args) => logger.logQuerySlow(...args),
      logSchemaBuild: (...args) => logger.logSchemaBuild(...args),
      logMigration: (...args) => logger.logMigration(...args),
      log: (...args) => logger.log(...args),
    };
    const rows = (n: number) => Array.from({ length: n }, () => ({ email: uniqueEmail('count') }));
    const measure = async (n: number) => {
      statements.length = 0;
      (t.dataSource as { logger: Logger }).logger = counting;
      try {
        const res = await bulk({ invitations: rows(n), defaults: { department_ids: [] } });
        expect(res.body.created).toBe(n);
      } finally {
        (t.dataSource as { logger: Logger }).logger = logger;
      }
      return [...statements];
    };
    await measure(2); // the key's first use this minute records its activity: warm that up
    const ten = await measure(10);
    const thousand = await measure(1000);
    expect(thousand.length).toBe(ten.length);
    expect(thousand).toEqual(ten);
    expect(ten.length).toBeLessThan(40);
  });
});

describe('bulk invitations and the hourly invitation budget', () => {
  let t: TestApp;
  let w: World;

  beforeAll(async () => {
    t = await createTestApp({ RATE_LIMIT_INVITES_PER_ORG_PER_HOUR: '5' });
    w = await createWorld(t);
  });
  afterAll(() => t.close());

  it('refuses rows that would exceed the budget whole (429, Retry-After, nothing written); rows that fit spend it', async () => {
    const emails = Array.from({ length: 6 }, () => uniqueEmail('budget'));
    const path = `/v1/organizations/${w.orgId}/invitations/bulk`;
    const over = await t
      .http()
      .post(path)
      .set(auth(w.admin))
      .send({ invitations: emails.map((email) => ({ email })) });
    const error = expectError(over, 429, 'RATE_LIMITED');
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
    expect(error.details).toMatchObject({ scope: 'organization', limit: 5, requested: 6, remaining: 5 });
    expect(
      Number(
        (await t.dataSource.query('SELECT count(*)::int AS n FROM users WHERE email = ANY($1)', [emails]))[0]
          .n,
      ),
    ).toBe(0);

    const fits = await t
      .http()
      .post(path)
      .set(auth(w.admin))
      .send({ invitations: emails.slice(0, 4).map((email) => ({ email })) });
    expect(fits.body.created).toBe(4);
    // One left: a single create still fits, then the budget is spent for bulk and single alike.
    await t
      .http()
      .post(`/v1/organizations/${w.orgId}/invitations`)
      .set(auth(w.admin))
      .send({ email: emails[4] })
      .expect(201);
    expectError(
      await t
        .http()
        .post(path)
        .set(auth(w.admin))
        .send({ invitations: [{ email: emails[5] }] }),
      429,
      'RATE_LIMITED',
    );
  });
});
