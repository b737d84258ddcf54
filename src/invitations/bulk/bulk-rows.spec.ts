import { describe, expect, it } from '@jest/globals';
import { AppError } from '../../common/errors/app-error.js';
import { ErrorCode } from '../../common/errors/error-code.js';
import { firstOfEachEmail, jsonRows, planRow, refCatalog, RowDraft } from './bulk-rows.js';

const catalog = refCatalog({
  roles: [
    { id: 'role_owner', name: 'Owner', isOwner: true, isMember: false },
    { id: 'role_member', name: 'Member', isOwner: false, isMember: true },
    { id: 'role_lead', name: 'Engineering Lead', isOwner: false, isMember: false },
  ],
  departments: [{ id: 'dept_eng', name: 'Engineering' }],
});

const draft = (over: Partial<RowDraft> = {}): RowDraft => ({
  index: 0,
  email: 'a@example.test',
  fullName: null,
  customMessage: null,
  expiresInDays: null,
  roles: { refs: [], byName: false, loc: ['body', 'invitations', 0, 'role_ids'] },
  departments: { refs: [], byName: false, loc: ['body', 'invitations', 0, 'department_ids'] },
  ...over,
});

const ADMIN = 2;
const OWNER = 3;

describe('bulk rows', () => {
  it('merges defaults into each row, the row winning, and says where the IDs came from', () => {
    const [own, inherited] = jsonRows([{ email: 'a', role_ids: ['role_x'] }, { email: 'b' }], {
      role_ids: ['role_d'],
      custom_message: 'hi',
    });
    expect(own!.fields).toEqual({ email: 'a', role_ids: ['role_x'], custom_message: 'hi' });
    expect(own!.roleLoc).toEqual(['body', 'invitations', 0, 'role_ids']);
    expect(inherited!.fields).toEqual({ email: 'b', role_ids: ['role_d'], custom_message: 'hi' });
    expect(inherited!.roleLoc).toEqual(['body', 'defaults', 'role_ids']);
  });

  it('keeps the first row of each email and points the later ones at it', () => {
    const { firsts, repeats } = firstOfEachEmail([
      draft({ index: 0 }),
      draft({ index: 1, email: 'b@example.test' }),
      draft({ index: 2 }),
    ]);
    expect(firsts.map((d) => d.index)).toEqual([0, 1]);
    expect([...repeats]).toEqual([[2, 0]]);
  });

  it('gives Member to a row without roles, and resolves CSV names case-insensitively', () => {
    expect(planRow(draft(), catalog, 'org_a', ADMIN)).toMatchObject({
      roleIds: ['role_member'],
      departmentIds: [],
    });
    const byName = draft({
      roles: { refs: ['engineering lead', 'role_lead'], byName: true, loc: ['r'] },
      departments: { refs: ['ENGINEERING'], byName: true, loc: ['d'] },
    });
    expect(planRow(byName, catalog, 'org_a', ADMIN)).toMatchObject({
      roleIds: ['role_lead'],
      departmentIds: ['dept_eng'],
    });
  });

  it('names every unknown reference; JSON rows match IDs only', () => {
    const error = planRow(
      draft({
        roles: { refs: ['Member', 'role_nope'], byName: false, loc: ['body', 'invitations', 0, 'role_ids'] },
        departments: { refs: ['dept_gone'], byName: false, loc: ['body', 'defaults', 'department_ids'] },
      }),
      catalog,
      'org_a',
      OWNER,
    );
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).details.errors).toEqual([
      {
        loc: ['body', 'invitations', 0, 'role_ids', 0],
        msg: 'Member is not a role of this organization',
        type: 'role_not_found',
      },
      {
        loc: ['body', 'invitations', 0, 'role_ids', 1],
        msg: 'role_nope is not a role of this organization',
        type: 'role_not_found',
      },
      {
        loc: ['body', 'defaults', 'department_ids', 0],
        msg: 'dept_gone is not a department of this organization',
        type: 'department_not_found',
      },
    ]);
  });

  it('lets only an Owner grant the Owner role', () => {
    const owner = draft({ roles: { refs: ['role_owner'], byName: false, loc: ['r'] } });
    expect((planRow(owner, catalog, 'org_a', ADMIN) as AppError).code).toBe(
      ErrorCode.INSUFFICIENT_PERMISSIONS,
    );
    expect(planRow(owner, catalog, 'org_a', OWNER)).toMatchObject({ roleIds: ['role_owner'] });
  });
});
