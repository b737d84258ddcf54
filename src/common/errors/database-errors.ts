import {
  QueryFailedError,
  QueryRunnerAlreadyReleasedError,
  QueryRunnerProviderAlreadyReleasedError,
} from 'typeorm';
import pg from 'pg';
import { ErrorCode } from './error-code.js';

/**
 * Constraint names (from the migrations) whose violation is a client conflict, not a fault.
 * The database guarantees the rule; this table only names the error.
 */
export const CONSTRAINT_ERRORS: Record<string, ErrorCode> = {
  uq_organizations_slug: ErrorCode.ORGANIZATION_SLUG_TAKEN,
  uq_departments_org_name: ErrorCode.DEPARTMENT_ALREADY_EXISTS,
  uq_roles_org_name: ErrorCode.ROLE_ALREADY_EXISTS,
  uq_invitations_pending_email: ErrorCode.INVITATION_ALREADY_PENDING,
  uq_memberships_org_user: ErrorCode.USER_ALREADY_EXISTS,
  fk_membership_roles_role: ErrorCode.ROLE_IN_USE,
  fk_organizations_auto_join_role: ErrorCode.ROLE_IN_USE,
  uq_organization_domains_org_domain: ErrorCode.DOMAIN_ALREADY_EXISTS,
  uq_organization_domains_verified: ErrorCode.DOMAIN_TAKEN,
};

interface PgError {
  code?: string;
  constraint?: string;
}

/** The server's error, from a TypeORM query or from a statement sent to the pool directly (pool-query.ts). */
function pgError(error: unknown): PgError | undefined {
  if (error instanceof QueryFailedError) return error.driverError as PgError;
  if (error instanceof pg.DatabaseError) return error;
  return undefined;
}

export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const pg = pgError(error);
  return pg?.code === '23505' && (constraint === undefined || pg.constraint === constraint);
}

/**
 * PostgreSQL 18 reports deleting a row still referenced through an ON DELETE RESTRICT key as
 * 23001 restrict_violation; earlier versions (and NO ACTION keys) as 23503 foreign_key_violation.
 */
const FOREIGN_KEY_CODES = new Set(['23503', '23001']);

export function isForeignKeyViolation(error: unknown, constraint?: string): boolean {
  const pg = pgError(error);
  return FOREIGN_KEY_CODES.has(pg?.code ?? '') && (constraint === undefined || pg?.constraint === constraint);
}

/** The code for a constraint violation we know, else undefined (an unknown one is a fault). */
export function constraintErrorCode(error: unknown): ErrorCode | undefined {
  const pg = pgError(error);
  if (!pg || (pg.code !== '23505' && !FOREIGN_KEY_CODES.has(pg.code ?? ''))) return undefined;
  return pg.constraint ? CONSTRAINT_ERRORS[pg.constraint] : undefined;
}

/**
 * Text PostgreSQL cannot store (U+0000, or bytes that are not UTF-8): the statement failed before
 * writing anything, and the fault is in the input, so it is a 400, not a 500.
 */
export function isUnstorableText(error: unknown): boolean {
  const code = pgError(error)?.code;
  return code === '22021' || code === '22P05';
}

const UNAVAILABLE_NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
]);
const UNAVAILABLE_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
  'Connection ended unexpectedly',
  'the database system is',
  'terminating connection',
  'Cannot use a pool after calling end',
  'Client was closed and is not queryable',
  // 55000 is a broad SQLSTATE; only this message of it means "the database refuses connections".
  'is not currently accepting connections',
];
/** Too many connections, database dropped, database does not exist (yet or any more). */
const UNAVAILABLE_SQLSTATES = new Set(['53300', '57P04', '3D000']);

/**
 * True when the database cannot be reached or dropped the connection: the request may succeed
 * if retried, so it is a 503, not a 500. SQLSTATE class 08 is "connection exception";
 * 57P01–57P03 are admin shutdown, crash shutdown and "cannot connect now". When the connection of
 * an open transaction dies, TypeORM releases its query runner, and the transaction's next
 * statement fails with one of its "already released" errors instead of the connection error.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (
    error instanceof QueryRunnerAlreadyReleasedError ||
    error instanceof QueryRunnerProviderAlreadyReleasedError
  )
    return true;
  const e = (error instanceof QueryFailedError ? error.driverError : error) as
    { code?: string; message?: string } | undefined;
  if (!e || typeof e !== 'object') return false;
  const code = typeof e.code === 'string' ? e.code : '';
  if (
    UNAVAILABLE_NODE_CODES.has(code) ||
    UNAVAILABLE_SQLSTATES.has(code) ||
    code.startsWith('08') ||
    /^57P0[123]$/.test(code)
  ) {
    return true;
  }
  const message = typeof e.message === 'string' ? e.message : '';
  return UNAVAILABLE_MESSAGES.some((m) => message.includes(m));
}
