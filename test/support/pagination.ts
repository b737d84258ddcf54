import { expect } from '@jest/globals';
import { Actor, auth } from './fixtures.js';
import { TestApp } from './test-app.js';

/**
 * Follows `next_cursor` from the first page to the last, asserting each page's shape on the way:
 * full pages while `has_more`, a string cursor exactly when there is more, `null` on the last page.
 */
export async function walkPages(
  t: TestApp,
  path: string,
  actor: Actor,
  limit: number,
): Promise<{ ids: string[]; pageSizes: number[] }> {
  const ids: string[] = [];
  const pageSizes: number[] = [];
  let cursor: string | undefined;
  for (;;) {
    const res = await t
      .http()
      .get(path)
      .query(cursor ? { limit, cursor } : { limit })
      .set(auth(actor));
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['data', 'has_more', 'next_cursor']);
    const page = res.body.data as { id: string }[];
    pageSizes.push(page.length);
    ids.push(...page.map((item) => item.id));
    if (!res.body.has_more) {
      expect(res.body.next_cursor).toBeNull();
      return { ids, pageSizes };
    }
    expect(page).toHaveLength(limit);
    expect(typeof res.body.next_cursor).toBe('string');
    cursor = res.body.next_cursor as string;
    if (pageSizes.length > 1000) throw new Error('pagination does not terminate');
  }
}
