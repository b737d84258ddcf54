/**
 * What every connection of the app's pool asks of its session at start-up (libpq's `options`):
 * `plan_cache_mode=force_generic_plan`, so a prepared statement is planned once per connection and
 * never again. The hot statements are named (pool-query.ts, `Db.prepared`) and written so that one
 * plan serves every value: equality on indexed keys and keyset ranges, no LIKE and no skew-sensitive
 * filter. Left to PostgreSQL's `auto` mode, some of them were planned afresh on every execution once
 * a tenant grew: at 1M invitations (half in one organization) the list page's generic plan, its
 * `LIMIT $2` estimated as 10% of the organization's rows, looked costlier than a custom one, so each
 * request paid ~0.3 ms of planning. pgbench on that statement, 20 clients: 4,500 tps at 10k
 * invitations; 2,560 at 1M in `auto` mode, 4,080 with generic plans. Through the app (bench/ab.js,
 * 10k invitations): v1 invite +6%, list +1–4%, accept +2%, CPU per request 0.93–0.98×. TypeORM's
 * unnamed statements are planned generically too; test/query-plans.e2e-spec.ts checks the hot
 * paths' plans under the same setting.
 */
const SESSION_OPTIONS = '-c plan_cache_mode=force_generic_plan';

/**
 * The pool's connection string and startup options: the session's own options (the URL's `options`
 * parameter, else PGOPTIONS, which `pg` would otherwise use) followed by ours. The URL's parameter
 * moves into `options` because `pg` lets a connection string's values override the config's.
 */
export function withSessionOptions(url: string): { connectionString: string; options: string } {
  let own = process.env.PGOPTIONS;
  let connectionString = url;
  if (/^postgres(ql)?:\/\//.test(url)) {
    const parsed = new URL(url);
    const fromUrl = parsed.searchParams.get('options');
    if (fromUrl !== null) {
      own = fromUrl;
      parsed.searchParams.delete('options');
      connectionString = parsed.toString();
    }
  }
  return { connectionString, options: [own, SESSION_OPTIONS].filter(Boolean).join(' ') };
}
