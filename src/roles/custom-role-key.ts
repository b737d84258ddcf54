import { isSystemRoleKey } from '../common/auth/system-roles.js';
import { toSlug } from '../organizations/slug.js';

/**
 * A custom role's key: a slug of its name, fixed at creation. It never equals a system key (a role
 * named "Admin!" gets `admin-custom`), so `owner`/`admin`/`member` always mean the system roles
 * wherever a key is accepted. Names, not keys, are what is unique among custom roles.
 */
export function customRoleKey(name: string): string {
  const slug = toSlug(name, 90) || 'role';
  return isSystemRoleKey(slug) ? `${slug}-custom` : slug;
}
