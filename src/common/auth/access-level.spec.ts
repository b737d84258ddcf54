import { describe, expect, it } from '@jest/globals';
import { mayChangeMember, meetsLevel, rankOfRoleKeys } from './access-level.js';

describe('rankOfRoleKeys', () => {
  it("is the highest system role's rank; custom roles and no roles count as Member", () => {
    expect(rankOfRoleKeys([])).toBe(1);
    expect(rankOfRoleKeys(['member'])).toBe(1);
    expect(rankOfRoleKeys(['reviewer', 'admin-custom'])).toBe(1);
    expect(rankOfRoleKeys(['admin'])).toBe(2);
    expect(rankOfRoleKeys(['member', 'admin', 'reviewer'])).toBe(2);
    expect(rankOfRoleKeys(['owner'])).toBe(3);
    expect(rankOfRoleKeys(['admin', 'owner', 'member'])).toBe(3);
  });
});

describe('meetsLevel', () => {
  it('lets a rank call its own level and every lower one, never a higher one', () => {
    const table = [1, 2, 3].map((rank) =>
      (['member', 'admin', 'owner'] as const).map((l) => meetsLevel(rank, l)),
    );
    expect(table).toEqual([
      [true, false, false],
      [true, true, false],
      [true, true, true],
    ]);
  });
});

describe('mayChangeMember', () => {
  it('lets an Admin or Owner change a member who is not an Owner, never a Member', () => {
    expect([1, 2, 3].map((rank) => mayChangeMember(rank, false))).toEqual([false, true, true]);
  });

  it('leaves the Owner role and Owners to Owners', () => {
    expect([1, 2, 3].map((rank) => mayChangeMember(rank, true))).toEqual([false, false, true]);
  });
});
