import { SYSTEM_ROLE_KEYS, SystemRoleKey } from './role.entity.js';
import { toSlug } from '../organizations/slug.js';

/** The three roles every organization is created with; read-only through the API. */
export const SYSTEM_ROLES: readonly { key: SystemRoleKey; name: string; description: string }[] = [
  { key: 'owner', name: 'Owner', description: 'Full control, including granting Owner.' },
  { key: 'admin', name: 'Admin', description: 'Invites and manages members, roles and departments.' },
  { key: 'member', name: 'Member', description: 'Reads the organization.' },
];

/**
 * A custom role's key: a slug of its name, fixed at creation. It never equals a system key (a role
 * named "Admin!" gets `admin-custom`), so `owner`/`admin`/`member` always mean the system roles
 * wherever a key is accepted. Names, not keys, are what is unique among custom roles.
 */
export function customRoleKey(name: string): string {
  const slug = toSlug(name, 90) || 'role';
  return (SYSTEM_ROLE_KEYS as readonly string[]).includes(slug) ? `${slug}-custom` : slug;
}
