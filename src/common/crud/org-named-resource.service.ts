import { FindOptionsWhere, ObjectLiteral, QueryDeepPartialEntity, Repository } from 'typeorm';
import { AppError } from '../errors/app-error.js';
import { isUniqueViolation } from '../errors/database-errors.js';
import { ErrorCode } from '../errors/error-code.js';
import { CursorCodec, ListName } from '../pagination/cursor-codec.js';
import { Page, PageQueryDto, paginate } from '../pagination/pagination.js';

/** A row of one organization with a name unique in it and an optional description (roles, departments). */
export interface OrgNamedResource extends ObjectLiteral {
  id: string;
  organizationId: string;
  name: string;
  description: string | null;
  createdAt: Date;
}

export interface OrgNamedResourceInput {
  name?: string;
  description?: string | null;
}

export interface OrgNamedResourceRules<T, R> {
  /** The list its cursors are bound to (a cursor of one list or organization is refused by another). */
  list: ListName;
  /** The ID's key in error details, e.g. `role_id`. */
  idField: string;
  notFound: ErrorCode;
  nameTaken: ErrorCode;
  /** The unique index over (organization_id, lower(name)) that decides whether a name is free. */
  nameIndex: string;
  /** What a write may touch beyond the organization and ID (roles: not the system ones). */
  writable?: FindOptionsWhere<T>;
  toResponse: (row: T) => R;
}

/**
 * What roles and departments share. Every query carries the organization id, so another
 * organization's ID is simply not found; the database decides name conflicts (its unique index),
 * and writes are single statements whose affected-row count says whether they matched.
 */
export abstract class OrgNamedResourceService<T extends OrgNamedResource, R> {
  protected constructor(
    protected readonly rows: Repository<T>,
    private readonly cursors: CursorCodec,
    private readonly rules: OrgNamedResourceRules<T, R>,
  ) {}

  /** The new row's own columns, beyond those the input names. */
  protected abstract newRow(organizationId: string, input: Required<OrgNamedResourceInput>): T;

  /** A plain INSERT (not `save`, which first SELECTs by id): the name index decides. */
  async create(organizationId: string, input: OrgNamedResourceInput & { name: string }): Promise<R> {
    const row = this.newRow(organizationId, { name: input.name, description: input.description ?? null });
    try {
      await this.rows.insert(row as QueryDeepPartialEntity<T>);
    } catch (error) {
      throw this.nameTakenOr(error, input.name);
    }
    return this.rules.toResponse(row);
  }

  list(organizationId: string, query: PageQueryDto): Promise<Page<R>> {
    const qb = this.rows
      .createQueryBuilder('r')
      .where('r.organization_id = :organizationId', { organizationId });
    return paginate(qb, query, this.rules.toResponse, this.cursors.for(this.rules.list, organizationId));
  }

  async get(organizationId: string, id: string): Promise<R> {
    return this.rules.toResponse(await this.find(organizationId, id));
  }

  protected async find(organizationId: string, id: string): Promise<T> {
    const row = await this.rows.findOneBy(this.scoped(organizationId, id));
    if (!row) throw this.notFound(id);
    return row;
  }

  /** Only the fields sent change. Even an empty update must match a writable row. */
  async update(organizationId: string, id: string, input: OrgNamedResourceInput): Promise<R> {
    const changes: OrgNamedResourceInput = {};
    if (input.name !== undefined) changes.name = input.name;
    if (input.description !== undefined) changes.description = input.description;
    let affected: number | undefined;
    try {
      ({ affected } = await this.rows.update({ ...this.scoped(organizationId, id), ...this.rules.writable }, {
        ...changes,
        updatedAt: () => 'now()',
      } as QueryDeepPartialEntity<T>));
    } catch (error) {
      throw this.nameTakenOr(error, input.name);
    }
    if (!affected) await this.explainUntouched(organizationId, id);
    return this.get(organizationId, id);
  }

  async delete(organizationId: string, id: string): Promise<void> {
    const { affected } = await this.rows.delete({
      ...this.scoped(organizationId, id),
      ...this.rules.writable,
    });
    if (!affected) await this.explainUntouched(organizationId, id);
  }

  /** Why a write matched no row: without `writable` conditions, there is no such row in the organization. */
  protected explainUntouched(_organizationId: string, id: string): Promise<never> {
    return Promise.reject(this.notFound(id));
  }

  protected notFound(id: string): AppError {
    return new AppError(this.rules.notFound, undefined, { [this.rules.idField]: id });
  }

  private scoped(organizationId: string, id: string): FindOptionsWhere<T> {
    return { organizationId, id } as FindOptionsWhere<T>;
  }

  private nameTakenOr(error: unknown, name: string | undefined): unknown {
    return isUniqueViolation(error, this.rules.nameIndex)
      ? new AppError(this.rules.nameTaken, undefined, { name })
      : error;
  }
}
