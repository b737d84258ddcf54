import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { newId } from '../../src/common/ids/ids.js';
import { dataSourceOptions } from '../../src/database/data-source-options.js';
import { Db } from '../../src/database/transactions.js';
import { InvitationRepository } from '../../src/invitations/invitation.repository.js';
import { RolesRepository } from '../../src/roles/roles.repository.js';
import { UsersRepository } from '../../src/users/users.repository.js';
import { createTestDatabase } from '../support/database.js';

/** The invitations table's writer against the real PostgreSQL: every conditional write matches only what it says. */
describe('InvitationRepository (real PostgreSQL)', () => {
  let dataSource: DataSource;
  let db: Db;
  let invitations: InvitationRepository;
  let orgId: string;
  let otherOrgId: string;
  let ownerRoleId: string;

  const organization = async (name: string) => {
    const id = newId('org');
    await dataSource.query(`INSERT INTO organizations (id, name, slug) VALUES ($1, $2, $3)`, [
      id,
      name,
      `${name.toLowerCase()}-${Date.now().toString(36)}`,
    ]);
    return id;
  };

  beforeAll(async () => {
    dataSource = new DataSource(dataSourceOptions(await createTestDatabase()));
    await dataSource.initialize();
    db = new Db(dataSource);
    invitations = new InvitationRepository(db);
    orgId = await organization('Inv');
    otherOrgId = await organization('Other');
    ({ ownerRoleId } = await db.transaction(() => new RolesRepository(db).insertSystemRoles(orgId)));
  });
  afterAll(() => dataSource.destroy());

  /** A pending invitation with its pending membership holding the Owner role, as the create path leaves it. */
  const invite = async (
    email: string,
    over: { emailStatus?: 'queued' | 'not_requested'; org?: string } = {},
  ) => {
    const org = over.org ?? orgId;
    const id = newId('inv');
    const roleIds = org === orgId ? [ownerRoleId] : [];
    const { userId, membershipId: created } = await db.transaction(() =>
      new UsersRepository(db).upsertPendingInvitee(
        { organizationId: org, email, fullName: 'Pat', invitationId: id, roleIds, departmentIds: [] },
        invitations.newInvitationPart({
          id,
          email,
          fullName: 'Pat',
          roleIds,
          departmentIds: [],
          customMessage: null,
          invitedBy: null,
          emailStatus: over.emailStatus ?? 'queued',
          expiresInDays: 7,
        }),
      ),
    );
    const membershipId = created!;
    return { id, userId, membershipId };
  };
  const row = async (id: string) =>
    (await dataSource.query('SELECT * FROM invitations WHERE id = $1', [id]))[0];
  const expire = (id: string) =>
    dataSource.query(
      `UPDATE invitations SET issued_at = now() - interval '8 days', expires_at = now() - interval '1 day' WHERE id = $1`,
      [id],
    );

  it('insert stores a pending version-1 invitation; a second pending one for the email is refused by the index', async () => {
    const { id } = await invite('inv-a@example.test');
    expect(await row(id)).toMatchObject({
      status: 'pending',
      version: 1,
      email_status: 'queued',
      organization_id: orgId,
    });
    expect(await invitations.pendingIdForEmail(orgId, 'inv-a@example.test')).toBe(id);
    expect(await invitations.pendingIdForEmail(otherOrgId, 'inv-a@example.test')).toBeNull();
    await expect(invite('inv-a@example.test')).rejects.toMatchObject({ code: '23505' });
    const found = await invitations.findById(id);
    expect(found.grantedRoleIds).toEqual([ownerRoleId]);
    expect(found.grantsOwner).toBe(true);
  });

  it('resend waits out the cooldown, bumps the version once, and never matches another organization', async () => {
    const { id, membershipId } = await invite('inv-b@example.test');
    expect(await db.transaction(() => invitations.resend(orgId, id, 3600))).toBeUndefined();
    expect(await db.transaction(() => invitations.resend(otherOrgId, id, 0))).toBeUndefined();
    expect(await db.transaction(() => invitations.resend(orgId, id, 0))).toEqual({
      id,
      membership_id: membershipId,
    });
    expect(await row(id)).toMatchObject({ version: 2, status: 'pending', email_status: 'queued' });
    const left = await invitations.cooldownLeft((await row(id)).issued_at, 60);
    expect(left).toBeGreaterThanOrEqual(59);
    expect(left).toBeLessThanOrEqual(60);
  });

  it('a hand-shared invitation (email not requested) is resent without a cooldown and listed by sharedByHand', async () => {
    const { id, userId } = await invite('inv-c@example.test', { emailStatus: 'not_requested' });
    expect(await invitations.sharedByHand(orgId, [userId])).toEqual([
      { user_id: userId, id, version: 1, grants_owner: true },
    ]);
    expect(await invitations.sharedByHand(otherOrgId, [userId])).toEqual([]);
    expect(await db.transaction(() => invitations.resend(orgId, id, 3600))).toMatchObject({ id });
    expect(await invitations.sharedByHand(orgId, [userId])).toEqual([]); // queued now
  });

  it('recordEmailSent and recordEmailFailure change only the version they name', async () => {
    const { id } = await invite('inv-d@example.test');
    await invitations.recordEmailFailure(dataSource.manager, id, 1, 'smtp 451', false);
    expect(await row(id)).toMatchObject({ email_status: 'queued', email_last_error: 'smtp 451' });
    await invitations.recordEmailFailure(dataSource.manager, id, 1, 'smtp 550', true);
    expect(await row(id)).toMatchObject({ email_status: 'failed', email_last_error: 'smtp 550' });
    await invitations.recordEmailSent(dataSource.manager, id, 2);
    expect((await row(id)).email_status).toBe('failed');
    await invitations.recordEmailSent(dataSource.manager, id, 1);
    expect(await row(id)).toMatchObject({ email_status: 'sent', email_last_error: null });
    expect(await invitations.versionsOf([id, 'inv_missing'])).toEqual(new Map([[id, 1]]));
  });

  it('settle records the live grants into the invitation and dates the final state', async () => {
    const { id } = await invite('inv-e@example.test');
    await dataSource.query(`UPDATE invitations SET role_ids = '{}' WHERE id = $1`, [id]);
    await db.transaction(async () => {
      expect(await invitations.lock({ id, organizationId: otherOrgId })).toBeNull();
      expect((await invitations.lock({ id, organizationId: orgId }))?.id).toBe(id);
      await invitations.settle(id, 'revoked');
    });
    const settled = await row(id);
    expect(settled).toMatchObject({ status: 'revoked', role_ids: [ownerRoleId] });
    expect(settled.revoked_at).toBeInstanceOf(Date);
    expect(settled.accepted_at).toBeNull();
  });

  it('settleExpiredAndReadRefs frees the email for a new invitation; an unexpired one is left alone', async () => {
    const { id } = await invite('inv-f@example.test');
    await db.transaction(() => invitations.settleExpiredAndReadRefs(orgId, 'inv-f@example.test', [], []));
    expect((await row(id)).status).toBe('pending');
    await expire(id);
    await db.transaction(() =>
      invitations.settleExpiredAndReadRefs(otherOrgId, 'inv-f@example.test', [], []),
    );
    expect((await row(id)).status).toBe('pending');
    await db.transaction(() => invitations.settleExpiredAndReadRefs(orgId, 'inv-f@example.test', [], []));
    expect(await row(id)).toMatchObject({ status: 'expired', role_ids: [ownerRoleId] });
    expect(await invitations.pendingIdForEmail(orgId, 'inv-f@example.test')).toBeNull();
  });

  it('an expired invitation can be resent back to pending, but a revoked one cannot', async () => {
    const expired = await invite('inv-g@example.test');
    await expire(expired.id);
    await db.transaction(() => invitations.settleExpiredAndReadRefs(orgId, 'inv-g@example.test', [], []));
    expect(await db.transaction(() => invitations.resend(orgId, expired.id, 0))).toMatchObject({
      id: expired.id,
    });
    expect(await row(expired.id)).toMatchObject({ status: 'pending', version: 2 });
    const revoked = await invite('inv-h@example.test');
    await db.transaction(() => invitations.settle(revoked.id, 'revoked'));
    expect(await db.transaction(() => invitations.resend(orgId, revoked.id, 0))).toBeUndefined();
    expect((await row(revoked.id)).version).toBe(1);
  });

  it('two concurrent sweepers expire each due invitation exactly once between them', async () => {
    const due = await Promise.all(
      ['s1', 's2', 's3', 's4', 's5', 's6'].map((s) => invite(`inv-${s}@example.test`)),
    );
    for (const { id } of due) await expire(id);
    const [a, b] = await Promise.all([
      dataSource.transaction((m) => invitations.expireDue(m, 100)),
      dataSource.transaction((m) => invitations.expireDue(m, 100)),
    ]);
    const swept = [...a, ...b].map((i) => i.id).filter((id) => due.some((d) => d.id === id));
    expect(swept.sort()).toEqual(due.map((d) => d.id).sort());
    expect(new Set(swept).size).toBe(swept.length);
    expect([...a, ...b].every((i) => i.status === 'expired')).toBe(true);
    expect(await dataSource.transaction((m) => invitations.expireDue(m, 100))).toEqual([]);
  });

  it('revokePendingOfMember revokes only that member in that organization', async () => {
    const mine = await invite('inv-i@example.test');
    const theirs = await invite('inv-i@example.test', { org: otherOrgId });
    expect(await invitations.otherPendingId(orgId, mine.id)).toBeNull();
    const revoked = await db.transaction(() => invitations.revokePendingOfMember(orgId, mine.userId));
    expect(revoked.map((i) => [i.id, i.status])).toEqual([[mine.id, 'revoked']]);
    expect((await row(theirs.id)).status).toBe('pending');
    expect(await db.transaction(() => invitations.revokePendingOfMember(orgId, mine.userId))).toEqual([]);
  });
});
