import { Type as ClassType } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { ListCursors } from './cursor-codec.js';

export class PageQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20, description: 'Page size.' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit: number = 20;

  @ApiPropertyOptional({
    description:
      'The `next_cursor` of the previous page of this list (opaque and signed: any other value, such as an ' +
      "edited cursor or another list's, is a 400 VALIDATION_ERROR of type `cursor_invalid`).",
    maxLength: 200,
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;
}

export interface Page<T> {
  data: T[];
  has_more: boolean;
  next_cursor: string | null;
}

/** A page response class per item type, so the OpenAPI document names `data`'s item schema. */
export function PageOf<T>(item: ClassType<T>): ClassType<Page<T>> {
  class PageDto {
    @ApiProperty({ type: [item] })
    data: T[];

    @ApiProperty({ example: false })
    has_more: boolean;

    @ApiProperty({ type: String, nullable: true, example: null })
    next_cursor: string | null;
  }
  Object.defineProperty(PageDto, 'name', { value: `${item.name.replace(/Dto$/, '')}PageDto` });
  return PageDto;
}

/**
 * Keyset pagination over (created_at, id): stable under inserts and O(log n) at any depth,
 * unlike OFFSET (`newest_first` walks the same key backwards). Fetches one extra row to know whether there is a next page. `cursors` are the
 * list's own (signed, bound to the list and its scope: see cursor-codec.ts).
 */
export async function paginate<E extends ObjectLiteral & { id: string; createdAt: Date }, D>(
  qb: SelectQueryBuilder<E>,
  query: PageQueryDto,
  toDto: (entity: E) => D,
  cursors: ListCursors,
  order: 'oldest_first' | 'newest_first' = 'oldest_first',
): Promise<Page<D>> {
  const alias = qb.alias;
  const [after, direction] = order === 'oldest_first' ? (['>', 'ASC'] as const) : (['<', 'DESC'] as const);
  if (query.cursor) {
    const position = cursors.decode(query.cursor);
    qb.andWhere(`(${alias}.created_at, ${alias}.id) ${after} (:cursorAt, :cursorId)`, {
      cursorAt: position.t,
      cursorId: position.i,
    });
  }
  qb.orderBy(`${alias}.created_at`, direction)
    .addOrderBy(`${alias}.id`, direction)
    .limit(query.limit + 1);
  return pageOfRows(await qb.getMany(), query.limit, toDto, (last) =>
    cursors.encode(last.createdAt, last.id),
  );
}

/**
 * The page of `limit` items from rows fetched in keyset order with LIMIT `limit + 1` (the extra
 * row only says there is a next page), for lists that run their own statement; `cursorAfter`
 * encodes the last item's position.
 */
export function pageOfRows<R, D>(
  rows: R[],
  limit: number,
  toDto: (row: R) => D,
  cursorAfter: (last: R) => string,
): Page<D> {
  const hasMore = rows.length > limit;
  const items = hasMore ? rows.slice(0, limit) : rows;
  const last = items[items.length - 1];
  return {
    data: items.map(toDto),
    has_more: hasMore,
    next_cursor: hasMore && last ? cursorAfter(last) : null,
  };
}
