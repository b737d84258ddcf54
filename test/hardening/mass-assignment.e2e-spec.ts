import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GENEROUS_LIMITS } from '../support/invitations.js';
import { createTestApp, TestApp } from '../support/test-app.js';
import { snapshot } from './support/db-snapshot.js';
import { expectRouteError } from './support/errors.js';
import { Operation, openApiOf, operationsOf, send } from './support/operations.js';
import { createTenant, Tenant } from './support/tenants.js';

/**
 * Server-owned fields an attacker would like to set, with values that would hurt: another
 * tenant's ID, the system flag, a state that skips the invitation, a status that skips acceptance.
 */
const SERVER_OWNED = (b: Tenant): Record<string, unknown> => ({
  id: 'org_attacker',
  organization_id: b.orgId,
  is_system: true,
  account_state: 'active',
  status: 'accepted',
  email_status: 'sent',
  user_id: b.owner.userId,
  invited_by: b.owner.userId,
  created_at: '2000-01-01T00:00:00Z',
  key: 'owner',
});

/** Mass assignment: every body-taking operation refuses every field it does not declare. */
describe('mass assignment', () => {
  let t: TestApp;
  let a: Tenant;
  let b: Tenant;
  let ops: Operation[];

  beforeAll(async () => {
    t = await createTestApp({ ...GENEROUS_LIMITS, RESEND_COOLDOWN_SECONDS: '0' });
    a = await createTenant(t, 'Acme');
    b = await createTenant(t, 'Bravo');
    ops = operationsOf(openApiOf(t)).filter((op) => op.bodySchema);
  });
  afterAll(() => t.close());

  it('covers every operation with a request body', () => {
    // A new body-taking route shows up here, so its list is checked on purpose.
    expect(ops.map((op) => op.id).sort()).toEqual(
      [
        'acceptInvitation',
        'confirmEmailVerification',
        'createApiKey',
        'createDepartment',
        'createInvitation',
        'createOrgInvitation',
        'createOrganization',
        'createRole',
        'declineInvitation',
        'inviteUser',
        'inviteUserV2',
        'updateDepartment',
        'updateMemberships',
        'updateOrganization',
        'updateRole',
      ].sort(),
    );
  });

  it('answers 400 extra_forbidden (422 on seed 002) for each server-owned field, and changes nothing', async () => {
    for (const op of ops) {
      const declared = Object.keys(op.bodySchema!.properties ?? {});
      const caller = op.spec.level === 'public' ? undefined : a.owner;
      for (const [field, value] of Object.entries(SERVER_OWNED(b)).filter(([f]) => !declared.includes(f))) {
        const input = await op.spec.valid({ t, org: a, caller: a.owner });
        const before = await snapshot(t.dataSource);
        const res = await send(t, op, a, { ...input, body: { ...input.body, [field]: value } }, caller);
        try {
          expectRouteError(op.path, res, 400, 'VALIDATION_ERROR');
          const errors = (op.path.startsWith('/api/') ? res.body.errors : res.body.error.details.errors) as {
            loc: string[];
            type: string;
          }[];
          expect(errors).toEqual([
            { loc: ['body', field], msg: expect.any(String), type: 'extra_forbidden' },
          ]);
        } catch (error) {
          throw new Error(`${op.id} with ${field}: ${(error as Error).message}`);
        }
        expect(await snapshot(t.dataSource)).toEqual(before);
      }
    }
  });
});
