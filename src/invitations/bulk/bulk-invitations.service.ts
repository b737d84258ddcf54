import { Inject, Injectable } from '@nestjs/common';
import { Caller, OrgScope } from '../../common/auth/request-context.js';
import { AppError } from '../../common/errors/app-error.js';
import { ErrorCode } from '../../common/errors/error-code.js';
import { newId } from '../../common/ids/ids.js';
import { InviteBudget } from '../../common/rate-limit/invite-budget.js';
import { validateObjectSync } from '../../common/validation/app-validation.pipe.js';
import { AppConfig } from '../../config/app-config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { Db } from '../../database/transactions.js';
import { emailDomain } from '../../domains/domain-name.js';
import { userActor } from '../../events/actor.js';
import { EventLog } from '../../events/event-log.js';
import { InvitationResponseDto } from '../dto/invitation-response.dto.js';
import { InvitationTokens } from '../invitation-token.js';
import { MembershipsRepository } from '../../users/memberships.repository.js';
import { UsersRepository } from '../../users/users.repository.js';
import { BulkInvitationsRepository, InvitationInsert, StoredTimes } from './bulk-invitations.repository.js';
import {
  draftOf,
  firstOfEachEmail,
  PlannedRow,
  planRow,
  RawRow,
  refCatalog,
  referencedKeys,
  relocateRowError,
  RowDraft,
} from './bulk-rows.js';
import { InvitationBulkResponseDto } from './dto/invitation-bulk-response.dto.js';
import { bulkResponse, createdInvitation, Outcomes, repeatError, takenError } from './bulk-outcomes.js';
import { InvitationBulkRowDto } from './dto/invitation-bulk-request.dto.js';

/**
 * Creates many invitations at once, with every rule of the single create applied to each row
 * (InvitationCreateService), and a bad row failing alone. Set-based: the rows are checked in
 * memory, then written with a fixed number of statements in one transaction (joining the
 * Idempotency-Key interceptor's), whatever their number. The database still decides the races:
 * the membership upsert finds members, the pending index lets exactly one invitation per email in.
 */
@Injectable()
export class BulkInvitationsService {
  constructor(
    private readonly db: Db,
    private readonly rows: BulkInvitationsRepository,
    private readonly users: UsersRepository,
    private readonly memberships: MembershipsRepository,
    private readonly events: EventLog,
    private readonly budget: InviteBudget,
    private readonly tokens: InvitationTokens,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async create(
    org: OrgScope,
    caller: Caller,
    raw: RawRow[],
    send: boolean,
  ): Promise<InvitationBulkResponseDto> {
    const outcomes: Outcomes = new Map();
    const drafts: RowDraft[] = [];
    for (const row of raw) {
      const checked = this.validRow(row);
      if (checked instanceof AppError) outcomes.set(row.index, checked);
      else drafts.push(draftOf(row, checked));
    }
    const { firsts, repeats } = firstOfEachEmail(drafts);
    // Every row counts against the hourly budget, as every single create does; refused whole, before any write.
    await this.budget.spend(org.organizationId, raw.length);
    await this.db.transaction(() => this.write(org, caller, firsts, send, outcomes));

    const emailAt = new Map(drafts.map((draft) => [draft.index, draft.email]));
    for (const [index, first] of repeats)
      outcomes.set(index, repeatError(org.organizationId, outcomes.get(first), first, emailAt.get(index)!));
    return bulkResponse(raw.length, outcomes);
  }

  /** The row's fields with the single create's rules, or its 400 located in the bulk request. */
  private validRow(row: RawRow): InvitationBulkRowDto | AppError {
    try {
      return validateObjectSync(InvitationBulkRowDto, row.fields);
    } catch (error) {
      if (error instanceof AppError) return relocateRowError(error, row.index);
      throw error;
    }
  }

  private async write(
    org: OrgScope,
    caller: Caller,
    drafts: RowDraft[],
    send: boolean,
    outcomes: Outcomes,
  ): Promise<void> {
    const organizationId = org.organizationId;
    const fail = (index: number, error: AppError) => outcomes.set(index, error);

    // The single create's order of checks: the invite policy, references, the Owner rule, then the invitee.
    const domains = drafts.length > 0 ? await this.rows.invitableDomains(organizationId) : undefined;
    const allowed = drafts.filter((draft) => {
      const domain = emailDomain(draft.email);
      if (!domains || domains.has(domain)) return true;
      fail(
        draft.index,
        new AppError(ErrorCode.EMAIL_DOMAIN_NOT_ALLOWED, undefined, {
          email: draft.email,
          domain,
          organization_id: organizationId,
        }),
      );
      return false;
    });
    if (allowed.length === 0) return;
    const catalog = refCatalog(await this.rows.references(organizationId, referencedKeys(allowed)));
    const planned: PlannedRow[] = [];
    for (const draft of allowed) {
      const plan = planRow(draft, catalog, organizationId, org.rank);
      if (plan instanceof AppError) fail(draft.index, plan);
      else planned.push(plan);
    }
    if (planned.length === 0) return;
    planned.sort((a, b) => (a.email < b.email ? -1 : a.email > b.email ? 1 : 0));
    const emails = planned.map((row) => row.email);

    await this.rows.settleExpired(organizationId, emails);
    const taken = new Map(
      (await this.rows.existingInvitees(organizationId, emails)).map((e) => [e.email, e]),
    );
    const candidates = planned.filter((row) => {
      const existing = taken.get(row.email);
      if (!existing) return true;
      fail(
        row.index,
        takenError(organizationId, row.email, existing.accountState, existing.pendingInvitationId),
      );
      return false;
    });
    if (candidates.length === 0) return;

    const ids = new Map(
      candidates.map((row) => [
        row.index,
        { invitation: newId('inv'), user: newId('usr'), membership: newId('mem') },
      ]),
    );
    const users = await this.users.upsertInvitees(
      candidates.map((row) => ({
        userId: ids.get(row.index)!.user,
        email: row.email,
        fullName: row.fullName,
        invitationId: ids.get(row.index)!.invitation,
      })),
    );
    const memberships = await this.memberships.upsertPendingAll(
      organizationId,
      candidates.map((row) => ({
        membershipId: ids.get(row.index)!.membership,
        userId: users.userIds.get(row.email)!,
      })),
    );
    const inserts: InvitationInsert[] = [];
    for (const row of candidates) {
      const userId = users.userIds.get(row.email)!;
      const membershipId = memberships.get(userId);
      // A member since our first look: the conditional upsert said so.
      if (!membershipId) fail(row.index, takenError(organizationId, row.email, 'active', null));
      else
        inserts.push({
          id: ids.get(row.index)!.invitation,
          userId,
          membershipId,
          email: row.email,
          fullName: row.fullName,
          roleIds: row.roleIds,
          departmentIds: row.departmentIds,
          customMessage: row.customMessage,
          expiresInDays: row.expiresInDays ?? this.config.invitationTtlDays,
        });
    }
    const inserted =
      inserts.length > 0
        ? await this.rows.insertInvitations(organizationId, caller.userId, send, inserts)
        : new Map<string, StoredTimes>();
    const winners = inserts.filter((row) => inserted.has(row.id));
    const losers = inserts.filter((row) => !inserted.has(row.id));
    if (losers.length > 0)
      await this.settleLosers(organizationId, candidates, losers, ids, users.created, outcomes);
    if (winners.length === 0) return;

    const ours = new Set(candidates.map((row) => ids.get(row.index)!.membership));
    await this.memberships.replaceAssignmentsAll(
      winners,
      new Set(winners.map((row) => row.membershipId).filter((id) => !ours.has(id))),
    );
    // The emails are queued by the mail module's reaction to these invitation.created events.
    const planOf = new Map(candidates.map((row) => [ids.get(row.index)!.invitation, row]));
    const invitations = winners.map((row) =>
      createdInvitation(
        organizationId,
        caller.userId,
        send,
        row,
        planOf.get(row.id)!.grantsOwner,
        inserted.get(row.id)!,
      ),
    );
    // Rendered once, for the event and for the response alike (the event log drops the link).
    const shown = invitations.map((invitation) =>
      InvitationResponseDto.from(invitation, this.tokens, org.rank),
    );
    const actor = userActor(caller);
    await this.events.appendAll(
      this.db.manager(),
      shown.map((invitation) => ({
        type: 'invitation.created' as const,
        organizationId,
        actor,
        subjectId: invitation.invitation_id,
        data: invitation,
      })),
    );
    const indexOf = new Map(candidates.map((row) => [ids.get(row.index)!.invitation, row.index]));
    for (const invitation of shown) outcomes.set(indexOf.get(invitation.invitation_id)!, invitation);
  }

  /**
   * Rows whose invitation a concurrent request won (the pending index skipped them): they fail as
   * INVITATION_ALREADY_PENDING with the winner's id, and what this request created for them goes.
   */
  private async settleLosers(
    organizationId: string,
    candidates: PlannedRow[],
    losers: InvitationInsert[],
    ids: Map<number, { invitation: string; user: string; membership: string }>,
    createdUsers: Set<string>,
    outcomes: Outcomes,
  ): Promise<void> {
    const indexOf = new Map(candidates.map((row) => [ids.get(row.index)!.invitation, row.index]));
    const createdMemberships = new Set(candidates.map((row) => ids.get(row.index)!.membership));
    // What this request created for rows whose invitation lost the race: nothing refers to it yet.
    await this.memberships.deleteUnused(
      organizationId,
      losers.filter((row) => createdMemberships.has(row.membershipId)).map((row) => row.membershipId),
    );
    await this.users.deleteUnused(
      losers.filter((row) => createdUsers.has(row.userId)).map((row) => row.userId),
    );
    // The winner has committed (the insert waited for it), so a new statement sees its id.
    const winners = new Map(
      (
        await this.rows.existingInvitees(
          organizationId,
          losers.map((row) => row.email),
        )
      ).map((e) => [e.email, e]),
    );
    for (const row of losers) {
      const existing = winners.get(row.email);
      outcomes.set(
        indexOf.get(row.id)!,
        takenError(
          organizationId,
          row.email,
          existing?.accountState ?? null,
          existing?.pendingInvitationId ?? null,
          true,
        ),
      );
    }
  }
}
