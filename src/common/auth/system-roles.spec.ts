import { describe, expect, it } from '@jest/globals';
import {
  isSystemRoleKey,
  mayChangeMember,
  meetsLevel,
  rankOfRoleKeys,
  ROLE_RANK,
  SYSTEM_ROLES,
} from './system-roles.js';

describe('system roles', () => {
  it('ranks Owner above Admin above Member, and gives each system role a rank', () => {
    expect(ROLE_RANK.owner).toBeGreaterThan(ROLE_RANK.admin);
    expect(ROLE_RANK.admin).toBeGreaterThan(ROLE_RANK.member);
    expect(Object.keys(ROLE_RANK).sort()).toEqual(SYSTEM_ROLES.map((role) => role.key).sort());
  });

  it("gives a member the rank of their highest system role, and custom roles only Member's", () => {
    expect(rankOfRoleKeys(['member', 'owner', 'admin'])).toBe(ROLE_RANK.owner);
    expect(rankOfRoleKeys(['admin', 'billing-manager'])).toBe(ROLE_RANK.admin);
    expect(rankOfRoleKeys(['billing-manager'])).toBe(ROLE_RANK.member);
    expect(rankOfRoleKeys([])).toBe(ROLE_RANK.member);
  });

  it('knows only the three system keys, not inherited object properties', () => {
    expect(['owner', 'admin', 'member'].every(isSystemRoleKey)).toBe(true);
    expect(isSystemRoleKey('admin-custom')).toBe(false);
    expect(isSystemRoleKey('toString')).toBe(false);
  });

  it('lets a rank call its own level and every lower one, never a higher one', () => {
    const ranks = [ROLE_RANK.member, ROLE_RANK.admin, ROLE_RANK.owner];
    const table = ranks.map((rank) =>
      (['member', 'admin', 'owner'] as const).map((l) => meetsLevel(rank, l)),
    );
    expect(table).toEqual([
      [true, false, false],
      [true, true, false],
      [true, true, true],
    ]);
  });

  it('lets an Admin or Owner change a member who is not an Owner, and leaves Owners to Owners', () => {
    const ranks = [ROLE_RANK.member, ROLE_RANK.admin, ROLE_RANK.owner];
    expect(ranks.map((rank) => mayChangeMember(rank, false))).toEqual([false, true, true]);
    expect(ranks.map((rank) => mayChangeMember(rank, true))).toEqual([false, false, true]);
  });
});
