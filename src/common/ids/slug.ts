import { randomBase62 } from './ids.js';

/** Lowercase letters, digits and inner hyphens; never `_`, so a slug can never look like an `org_` ID. */
export const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

/** ASCII lowercase words joined by hyphens, at most `maxLength` characters; '' when nothing is left. */
export function toSlug(text: string, maxLength: number): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, maxLength)
    .replace(/-+$/g, '');
}

/** An organization slug derived from its name; 48 characters leave room for a suffix within 64. */
export function slugify(name: string): string {
  return toSlug(name, 48) || 'org';
}

/** A derived slug that was taken gets a short random suffix. */
export function withSuffix(slug: string): string {
  return `${slug}-${randomBase62(4).toLowerCase().slice(0, 5)}`;
}
