import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { auth, createWorld, uniqueEmail, World } from './support/fixtures.js';
import { GENEROUS_LIMITS } from './support/invitations.js';
import { createTestApp, TestApp } from './support/test-app.js';

interface StoredEvent {
  type: string;
  subject_id: string;
  actor_id: string;
  actor_api_key_id: string | null;
  data: { id: string; department_ids: string[]; account_state: string };
}

/**
 * Deleting a department takes it from every member who holds it, active or pending (a pending
 * invitation grants what its pending membership holds): each such member gets a `member.updated`
 * in the deletion's transaction, showing the member without the department; nobody else gets one.
 */
describe('deleting a department', () => {
  let t: TestApp;
  let w: World;
  const org = (path = '') => `/v1/organizations/${w.orgId}${path}`;

  beforeAll(async () => {
    t = await createTestApp(GENEROUS_LIMITS);
    w = await createWorld(t);
  });
  afterAll(() => t.close());

  const createDepartment = async (name: string): Promise<string> => {
    const res = await t.http().post(org('/departments')).set(auth(w.admin)).send({ name });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  const eventsSince = async (since: Date, type: string): Promise<StoredEvent[]> =>
    t.dataSource.query(
      `SELECT type, subject_id, actor_id, actor_api_key_id, data FROM events
        WHERE organization_id = $1 AND type = $2 AND created_at >= $3 ORDER BY subject_id`,
      [w.orgId, type, since],
    );

  it("appends a member.updated for each member who held it, and the invitation's grants lose it", async () => {
    const doomed = await createDepartment('Doomed');
    const kept = await createDepartment('Kept');
    const put = await t
      .http()
      .put(org(`/users/${w.member.userId}/memberships`))
      .set(auth(w.owner))
      .send({ role_ids: [w.roles.member], department_ids: [doomed, kept] });
    expect(put.status).toBe(200);
    const invited = await t
      .http()
      .post(org('/invitations'))
      .set(auth(w.owner))
      .send({ email: uniqueEmail('dept'), department_ids: [doomed], send_invitation: false });
    expect(invited.status).toBe(201);
    // A member who holds only the other department is not touched.
    const other = await t
      .http()
      .put(org(`/users/${w.admin.userId}/memberships`))
      .set(auth(w.owner))
      .send({ role_ids: [w.roles.admin], department_ids: [kept] });
    expect(other.status).toBe(200);

    const [{ now }] = await t.dataSource.query('SELECT now() AS now');
    const res = await t
      .http()
      .delete(org(`/departments/${doomed}`))
      .set(auth(w.admin));
    expect(res.status).toBe(204);

    const updated = await eventsSince(now, 'member.updated');
    expect(updated.map((event) => event.subject_id).sort()).toEqual(
      [w.member.userId, invited.body.user_id].sort(),
    );
    for (const event of updated) expect(event.actor_id).toBe(w.admin.userId);
    const byUser = new Map(updated.map((event) => [event.subject_id, event.data]));
    expect(byUser.get(w.member.userId)).toMatchObject({ id: w.member.userId, department_ids: [kept] });
    expect(byUser.get(invited.body.user_id)).toMatchObject({
      id: invited.body.user_id,
      account_state: 'pending_invitation',
      department_ids: [],
    });
    expect(await eventsSince(now, 'department.deleted')).toHaveLength(1);

    // What the API shows now agrees with the events.
    const member = await t
      .http()
      .get(org(`/users/${w.member.userId}`))
      .set(auth(w.owner));
    expect(member.body.department_ids).toEqual([kept]);
    const invitation = await t
      .http()
      .get(org(`/invitations/${invited.body.invitation_id}`))
      .set(auth(w.owner));
    expect(invitation.body.department_ids).toEqual([]);
  });

  it('a department no member holds is deleted with its own event only', async () => {
    const lonely = await createDepartment('Lonely');
    const [{ now }] = await t.dataSource.query('SELECT now() AS now');
    expect(
      (
        await t
          .http()
          .delete(org(`/departments/${lonely}`))
          .set(auth(w.owner))
      ).status,
    ).toBe(204);
    expect(await eventsSince(now, 'member.updated')).toEqual([]);
    expect(await eventsSince(now, 'department.deleted')).toHaveLength(1);
  });
});
