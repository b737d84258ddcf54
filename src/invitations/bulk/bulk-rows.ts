import { mayChangeMember } from '../../common/auth/system-roles.js';
import { AppError, FieldError } from '../../common/errors/app-error.js';
import { ErrorCode } from '../../common/errors/error-code.js';
import { InvitationBulkDefaultsDto, InvitationBulkRowDto } from './dto/invitation-bulk-request.dto.js';

/** A field's place in the request, as field errors name it. */
export type Loc = (string | number)[];

/** Role or department references of one row: IDs (JSON) or IDs-or-names (CSV), and where they came from. */
export interface RefList {
  refs: string[];
  byName: boolean;
  loc: Loc;
}

/** One row as it arrived, before its fields are validated. */
export interface RawRow {
  index: number;
  /** Validated as an InvitationBulkRowDto (JSON: the row merged with `defaults`). */
  fields: Record<string, unknown>;
  /** CSV only: `roles`/`departments` cells, IDs or names. JSON rows take `role_ids`/`department_ids` from `fields`. */
  csvRefs?: { roles: string[]; departments: string[] };
  /** Where the row's role and department IDs came from: the row itself, or `defaults`. */
  roleLoc: Loc;
  departmentLoc: Loc;
}

/** A row whose fields are valid (email normalised), its references not yet resolved. */
export interface RowDraft {
  index: number;
  email: string;
  fullName: string | null;
  customMessage: string | null;
  expiresInDays: number | null;
  roles: RefList;
  departments: RefList;
}

/** A row ready to be written: its roles and departments are the organization's IDs. */
export interface PlannedRow extends RowDraft {
  roleIds: string[];
  departmentIds: string[];
  grantsOwner: boolean;
}

export interface RefCatalog {
  roles: { id: string; name: string; isOwner: boolean; isMember: boolean }[];
  departments: { id: string; name: string }[];
}

const rowLoc = (index: number): Loc => ['body', 'invitations', index];

/** The JSON body's rows, each merged with `defaults` (a field the row sets wins). */
export function jsonRows(
  rows: Record<string, unknown>[],
  defaults: InvitationBulkDefaultsDto = {},
): RawRow[] {
  const fallback = Object.fromEntries(Object.entries(defaults).filter(([, value]) => value !== undefined));
  return rows.map((row, index) => ({
    index,
    fields: { ...fallback, ...row },
    roleLoc: 'role_ids' in row ? [...rowLoc(index), 'role_ids'] : ['body', 'defaults', 'role_ids'],
    departmentLoc:
      'department_ids' in row ? [...rowLoc(index), 'department_ids'] : ['body', 'defaults', 'department_ids'],
  }));
}

/** The row's field errors as located in the bulk request rather than in a single create's body. */
export function relocateRowError(error: AppError, index: number): AppError {
  if (error.code !== ErrorCode.VALIDATION_ERROR) return error;
  const errors = (error.details.errors ?? []) as FieldError[];
  return AppError.validation(
    errors.map((e) => ({ ...e, loc: [...rowLoc(index), ...e.loc.slice(1)] })),
    error.message,
  );
}

/** A validated row in the service's terms. */
export function draftOf(raw: RawRow, dto: InvitationBulkRowDto): RowDraft {
  return {
    index: raw.index,
    email: dto.email,
    fullName: dto.full_name ?? null,
    customMessage: dto.custom_message || null,
    expiresInDays: dto.expires_in_days ?? null,
    roles: raw.csvRefs
      ? { refs: raw.csvRefs.roles, byName: true, loc: [...rowLoc(raw.index), 'roles'] }
      : { refs: dto.role_ids ?? [], byName: false, loc: raw.roleLoc },
    departments: raw.csvRefs
      ? { refs: raw.csvRefs.departments, byName: true, loc: [...rowLoc(raw.index), 'departments'] }
      : { refs: dto.department_ids ?? [], byName: false, loc: raw.departmentLoc },
  };
}

/**
 * Splits rows into the first row of each email and the later ones, which fail as the second invite
 * of a single create would (INVITATION_ALREADY_PENDING): the first row's invitation is pending.
 */
export function firstOfEachEmail(drafts: RowDraft[]): { firsts: RowDraft[]; repeats: Map<number, number> } {
  const firstIndex = new Map<string, number>();
  const firsts: RowDraft[] = [];
  const repeats = new Map<number, number>();
  for (const draft of drafts) {
    const seen = firstIndex.get(draft.email);
    if (seen === undefined) {
      firstIndex.set(draft.email, draft.index);
      firsts.push(draft);
    } else repeats.set(draft.index, seen);
  }
  return { firsts, repeats };
}

/** Every reference of these rows, split into what may be an ID and what may be a name (lowercased). */
export function referencedKeys(drafts: RowDraft[]): {
  roleIds: string[];
  roleNames: string[];
  departmentIds: string[];
  departmentNames: string[];
} {
  const keys = (lists: RefList[]) => {
    const ids = new Set<string>();
    const names = new Set<string>();
    for (const list of lists)
      for (const ref of list.refs) {
        ids.add(ref);
        if (list.byName) names.add(ref.toLowerCase());
      }
    return { ids: [...ids], names: [...names] };
  };
  const roles = keys(drafts.map((d) => d.roles));
  const departments = keys(drafts.map((d) => d.departments));
  return {
    roleIds: roles.ids,
    roleNames: roles.names,
    departmentIds: departments.ids,
    departmentNames: departments.names,
  };
}

/** Looks references up by ID, and (for CSV) by case-insensitive name. */
class RefIndex<T extends { id: string; name: string }> {
  private readonly byId: Map<string, T>;
  private readonly byName: Map<string, T>;

  constructor(items: T[]) {
    this.byId = new Map(items.map((item) => [item.id, item]));
    this.byName = new Map(items.map((item) => [item.name.toLowerCase(), item]));
  }

  find(ref: string, byName: boolean): T | undefined {
    return this.byId.get(ref) ?? (byName ? this.byName.get(ref.toLowerCase()) : undefined);
  }
}

/**
 * Resolves one row's roles and departments against the organization's, with the single create's
 * rules (resolveInvitationGrants): every unknown reference named in one 400, no roles means Member,
 * and only an Owner grants the Owner role.
 */
export function planRow(
  draft: RowDraft,
  catalog: {
    roles: RefIndex<RefCatalog['roles'][number]>;
    departments: RefIndex<RefCatalog['departments'][number]>;
    memberRoleId: string;
  },
  organizationId: string,
  callerRank: number,
): PlannedRow | AppError {
  const errors: FieldError[] = [];
  const resolve = <T extends { id: string }>(
    list: RefList,
    index: { find(ref: string, byName: boolean): T | undefined },
    noun: string,
  ): T[] =>
    list.refs.flatMap((ref, position) => {
      const found = index.find(ref, list.byName);
      if (found) return [found];
      errors.push({
        loc: [...list.loc, position],
        msg: `${ref} is not a ${noun} of this organization`,
        type: `${noun}_not_found`,
      });
      return [];
    });
  const roles = resolve(draft.roles, catalog.roles, 'role');
  const departments = resolve(draft.departments, catalog.departments, 'department');
  if (errors.length > 0) return AppError.validation(errors);
  const grantsOwner = roles.some((role) => role.isOwner);
  if (!mayChangeMember(callerRank, grantsOwner)) {
    return new AppError(ErrorCode.INSUFFICIENT_PERMISSIONS, 'Only an Owner can grant the Owner role.', {
      organization_id: organizationId,
    });
  }
  const roleIds = roles.length > 0 ? unique(roles.map((r) => r.id)) : [catalog.memberRoleId];
  return { ...draft, roleIds, departmentIds: unique(departments.map((d) => d.id)), grantsOwner };
}

export function refCatalog(found: RefCatalog) {
  const member = found.roles.find((role) => role.isMember);
  if (!member) throw new Error('the organization has no Member role');
  return {
    roles: new RefIndex(found.roles),
    departments: new RefIndex(found.departments),
    memberRoleId: member.id,
  };
}

function unique(ids: string[]): string[] {
  return [...new Set(ids)];
}
