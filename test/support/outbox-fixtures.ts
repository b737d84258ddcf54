import { DataSource } from 'typeorm';
import { newId } from '../../src/common/ids/ids.js';
import { uniqueEmail } from './fixtures.js';

export interface QueuedInvitation {
  invitationId: string;
  userId: string;
  email: string;
  version: number;
  messageId: string;
  outboxId: string;
}

export interface QueueOptions {
  organizationId: string;
  invitedBy: string | null;
  email?: string;
  fullName?: string | null;
  roleIds?: string[];
  customMessage?: string | null;
  /** Defaults to 7 days from now. */
  expiresAt?: Date;
  /** The outbox row's version; the invitation gets the same unless `invitationVersion` says otherwise. */
  version?: number;
  invitationVersion?: number;
  invitationStatus?: 'pending' | 'accepted' | 'declined' | 'revoked';
  /** Host of PUBLIC_APP_URL in the test app. */
  messageIdHost?: string;
  /** When the outbox row becomes due; defaults to now. */
  dueAt?: Date;
}

/**
 * Writes what the invitation endpoints write when they queue an email (the pending account and
 * membership, the invitation with email_status 'queued', and its outbox row), straight in SQL, so
 * the mail worker can be tested on its own.
 */
export async function queueInvitationEmail(
  dataSource: DataSource,
  options: QueueOptions,
): Promise<QueuedInvitation> {
  const email = (options.email ?? uniqueEmail('invitee')).toLowerCase();
  const userId = newId('usr');
  const membershipId = newId('mem');
  const invitationId = newId('inv');
  const version = options.version ?? 1;
  const messageId = `<${invitationId}.v${version}@${options.messageIdHost ?? 'app.example.test'}>`;
  const outboxId = await dataSource.transaction(async (m) => {
    await m.query('INSERT INTO users (id, email, full_name) VALUES ($1, $2, $3)', [
      userId,
      email,
      options.fullName ?? null,
    ]);
    await m.query(
      `INSERT INTO memberships (id, organization_id, user_id, account_state, invited_at) VALUES ($1, $2, $3, 'pending_invitation', now())`,
      [membershipId, options.organizationId, userId],
    );
    for (const roleId of options.roleIds ?? []) {
      await m.query('INSERT INTO membership_roles (membership_id, role_id) VALUES ($1, $2)', [
        membershipId,
        roleId,
      ]);
    }
    await m.query(
      `INSERT INTO invitations (id, organization_id, user_id, membership_id, email, full_name, role_ids, status, version,
                                custom_message, invited_by, email_status, expires_at, issued_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'queued', $12, now())`,
      [
        invitationId,
        options.organizationId,
        userId,
        membershipId,
        email,
        options.fullName ?? null,
        options.roleIds ?? [],
        options.invitationStatus ?? 'pending',
        options.invitationVersion ?? version,
        options.customMessage ?? null,
        options.invitedBy,
        options.expiresAt ?? new Date(Date.now() + 7 * 86_400_000),
      ],
    );
    const [row]: { id: string }[] = await m.query(
      `INSERT INTO email_outbox (invitation_id, invitation_version, message_id, next_attempt_at)
       VALUES ($1, $2, $3, coalesce($4, now())) RETURNING id`,
      [invitationId, version, messageId, options.dueAt ?? null],
    );
    return String(row.id);
  });
  return { invitationId, userId, email, version, messageId, outboxId };
}

export interface OutboxRow {
  status: string;
  attempts: number;
  last_error: string | null;
  sent_at: Date | null;
  locked_until: Date | null;
  next_attempt_at: Date;
  email_status: string;
  email_last_error: string | null;
}

/** The outbox row and its invitation's email fields, side by side. */
export async function outboxState(dataSource: DataSource, outboxId: string): Promise<OutboxRow> {
  const [row]: OutboxRow[] = await dataSource.query(
    `SELECT o.status, o.attempts, o.last_error, o.sent_at, o.locked_until, o.next_attempt_at, i.email_status, i.email_last_error
       FROM email_outbox o JOIN invitations i ON i.id = o.invitation_id WHERE o.id = $1`,
    [outboxId],
  );
  return row;
}

/** Polls `probe` until it returns a truthy value; fails after `timeoutMs`. */
export async function eventually<T>(
  probe: () => Promise<T | undefined | null | false>,
  timeoutMs = 15_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
