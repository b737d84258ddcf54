import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source-options.js';
import { SYSTEM_ACTOR, userActor } from '../../src/events/actor.js';
import { EventLog } from '../../src/events/event-log.js';
import { createTestDatabase } from '../support/database.js';

describe('EventLog (real PostgreSQL)', () => {
  let dataSource: DataSource;

  beforeAll(async () => {
    dataSource = new DataSource(dataSourceOptions(await createTestDatabase()));
    await dataSource.initialize();
  });
  afterAll(() => dataSource.destroy());

  const count = async (subjectId: string) =>
    Number(
      (await dataSource.query('SELECT count(*)::int AS n FROM events WHERE subject_id = $1', [subjectId]))[0]
        .n,
    );

  it('appends one row with the actor, the subject type from the event type, and data without credentials', async () => {
    const log = new EventLog();
    const event = await dataSource.transaction((manager) =>
      log.append(manager, {
        type: 'invitation.created',
        organizationId: 'org_a',
        actor: userActor({ userId: 'usr_a', apiKeyId: 'key_a' }),
        subjectId: 'inv_append',
        data: { invitation_id: 'inv_append', invitation_link: 'https://x/?invite=secret' },
      }),
    );
    expect(event.id).toMatch(/^evt_[A-Za-z0-9]{22}$/);
    const [row] = await dataSource.query('SELECT * FROM events WHERE id = $1', [event.id]);
    expect(row).toMatchObject({
      organization_id: 'org_a',
      type: 'invitation.created',
      actor_type: 'user',
      actor_id: 'usr_a',
      actor_api_key_id: 'key_a',
      subject_type: 'invitation',
      subject_id: 'inv_append',
      data: { invitation_id: 'inv_append' },
    });
    expect(row.created_at).toEqual(event.createdAt);
  });

  it('appends many events in one statement and hands them to each reaction at once, in input order', async () => {
    const log = new EventLog();
    const batches: string[][] = [];
    log.subscribe(async (_manager, events) => {
      batches.push(events.map((event) => event.subjectId));
    });
    const subjects = ['inv_many_1', 'inv_many_2', 'inv_many_3'];
    const appended = await dataSource.transaction((manager) =>
      log.appendAll(
        manager,
        subjects.map((subjectId) => ({
          type: 'invitation.created' as const,
          organizationId: 'org_a',
          actor: SYSTEM_ACTOR,
          subjectId,
          data: { invitation_id: subjectId, token: 'never kept' },
        })),
      ),
    );
    expect(batches).toEqual([subjects]);
    expect(appended.map((event) => event.subjectId)).toEqual(subjects);
    const rows = await dataSource.query(
      'SELECT id, subject_id, data FROM events WHERE subject_id = ANY($1) ORDER BY subject_id',
      [subjects],
    );
    expect(rows).toEqual(
      subjects.map((subjectId, index) => ({
        id: appended[index].id,
        subject_id: subjectId,
        data: { invitation_id: subjectId },
      })),
    );
  });

  it('runs every reaction inside the appending transaction: a rollback leaves neither the event nor its effects', async () => {
    const log = new EventLog();
    const seen: string[] = [];
    log.subscribe(async (manager, events) => {
      seen.push(...events.map((event) => event.type));
      await manager.query(`INSERT INTO events (id, type, actor_type, subject_type, subject_id, data)
                           VALUES ('evt_effect', 'x.y', 'system', 'x', 'sub_rollback', '{}')`);
    });
    await expect(
      dataSource.transaction(async (manager) => {
        await log.append(manager, {
          type: 'role.deleted',
          organizationId: 'org_a',
          actor: SYSTEM_ACTOR,
          subjectId: 'sub_rollback',
          data: {},
        });
        throw new Error('the change failed after its event');
      }),
    ).rejects.toThrow('the change failed after its event');
    expect(seen).toEqual(['role.deleted']);
    expect(await count('sub_rollback')).toBe(0);
  });
});
