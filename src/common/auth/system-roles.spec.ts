import { describe, expect, it } from '@jest/globals';
import { isSystemRoleKey, rankOfRoleKeys, ROLE_RANK, SYSTEM_ROLES } from './system-roles.js';

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
});
