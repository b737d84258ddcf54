import pg from 'pg';

/**
 * What SQL a server ran, from pg_stat_statements: the proof that the baseline does the same
 * statements as the app (and a count of round trips per request). Needs the extension preloaded,
 * which the embedded server is; on another server the check is skipped when it is not.
 */

export interface StatementCount {
  query: string;
  /** pg_stat_statements' identity of the statement (its parse tree, constants aside). */
  queryId: string;
  calls: number;
  /** The server's execution time for all calls, in ms (pg_stat_statements' total_exec_time). */
  totalMs: number;
}

export async function enableStatementStats(client: pg.Client): Promise<boolean> {
  try {
    await client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    await client.query('SELECT pg_stat_statements_reset()');
    return true;
  } catch {
    return false;
  }
}

export async function resetStatementStats(client: pg.Client): Promise<void> {
  await client.query('SELECT pg_stat_statements_reset()');
}

/**
 * Waits until no other session of this database (or its `_suffix` copies) is running a statement,
 * twice in a row: a server
 * keeps working through its backlog after the load generator stops, and that SQL must not be
 * counted against the next run.
 */
export async function waitForIdleDatabase(client: pg.Client, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let quietChecks = 0;
  while (quietChecks < 2) {
    if (Date.now() > deadline) throw new Error('the database did not go idle after a load run');
    const { rows } = await client.query<{ busy: number }>(
      `/* bench */ SELECT count(*)::int AS busy FROM pg_stat_activity
        WHERE datname LIKE current_database() || '%' AND pid <> pg_backend_pid() AND state NOT IN ('idle')`,
    );
    quietChecks = rows[0].busy === 0 ? quietChecks + 1 : 0;
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Waits, when the next minute starts within `marginMs`, until `marginMs` into that minute: the app's
 * job runner runs its crontab (the sweeper, the retention jobs) at each minute's start, and their
 * statements, counted in whichever server's window they fall, are not the requests' own. A window of
 * 100 requests fits in the quiet part of a minute.
 */
export async function awaitQuietPartOfMinute(marginMs = 10_000): Promise<void> {
  const intoMinute = Date.now() % 60_000;
  if (intoMinute > 60_000 - marginMs) await new Promise((r) => setTimeout(r, 60_000 - intoMinute + marginMs));
  else if (intoMinute < marginMs) await new Promise((r) => setTimeout(r, marginMs - intoMinute));
}

/** Statements run in this database since the last reset, by other sessions than `client`'s. */
export async function statementCounts(client: pg.Client): Promise<StatementCount[]> {
  const { rows } = await client.query<{ query: string; queryid: string; calls: string; total_ms: number }>(
    `SELECT s.query, s.queryid::text, s.calls, s.total_exec_time AS total_ms FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
      WHERE d.datname = current_database() AND s.query NOT LIKE '%pg_stat_statements%' AND s.query NOT LIKE '%/* bench */%' AND s.query NOT LIKE '%pg_stat_activity%'
      ORDER BY s.calls DESC, s.query`,
  );
  return rows.map((r) => ({
    query: normalize(r.query),
    queryId: r.queryid,
    calls: Number(r.calls),
    totalMs: r.total_ms,
  }));
}

/** Whitespace and letter case of keywords aside, the same statement text. */
export function normalize(sql: string): string {
  return sql.replace(/\s+/g, ' ').trim();
}

/**
 * Compares two servers' statements for the same number of requests: every statement with its
 * number of calls. Returns the differences (empty when they ran the same SQL).
 */
export function diffStatements(app: StatementCount[], baseline: StatementCount[]): string[] {
  const key = (s: StatementCount) => s.query.toLowerCase();
  const perRequest = (s: StatementCount) =>
    // last_used_at is written once a minute per key by whichever server sees the key first: not per request.
    !key(s).startsWith('update api_keys set last_used_at') &&
    // The app's job runner (graphile-worker) polls its queue, and completes and schedules its jobs,
    // all the time, whoever is being measured: every server's window counts some of these
    // statements of its `graphile_worker` schema, in numbers that depend on timing, not on requests.
    !key(s).includes('"graphile_worker".');
  // By queryid, not text: a statement prepared before the stats were reset is stored with its
  // literal constants, one prepared after with `$n` in their place, and both are the same statement.
  const a = new Map(app.filter(perRequest).map((s) => [s.queryId, s]));
  const b = new Map(baseline.filter(perRequest).map((s) => [s.queryId, s]));
  const diffs: string[] = [];
  for (const [id, s] of a)
    if (b.get(id)?.calls !== s.calls)
      diffs.push(`app ${s.calls}× vs baseline ${b.get(id)?.calls ?? 0}×: ${s.query}`);
  for (const [id, s] of b) if (!a.has(id)) diffs.push(`app 0× vs baseline ${s.calls}×: ${s.query}`);
  return diffs;
}
