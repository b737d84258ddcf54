/**
 * A write to one module's table made inside another module's statement, so that a change spanning
 * both costs one round trip while each module keeps its own table's SQL: a data-modifying CTE named
 * `name`, over the host statement's CTEs (each host documents which it offers), with its parameters
 * numbered from `first`, and the columns of its RETURNING that the host's result row carries
 * (named so as not to collide with the host's own).
 */
export interface StatementPart {
  name: string;
  cte(first: number): string;
  columns: readonly string[];
  values: readonly unknown[];
}

/**
 * What a host statement with `ownParameters` parameters adds for `parts`: their CTEs (to follow its
 * own), their columns and joins (a part returns at most one row), their values (to follow its own),
 * and a name suffix, so that each combination is its own prepared statement.
 */
export function composeParts(
  parts: readonly StatementPart[],
  ownParameters: number,
): { ctes: string; columns: string; joins: string; values: unknown[]; suffix: string } {
  let first = ownParameters + 1;
  let ctes = '';
  for (const part of parts) {
    ctes += `,\n         ${part.name} AS (${part.cte(first)})`;
    first += part.values.length;
  }
  return {
    ctes,
    columns: parts.flatMap((part) => part.columns.map((column) => `, ${part.name}.${column}`)).join(''),
    joins: parts
      .filter((part) => part.columns.length > 0)
      .map((part) => ` LEFT JOIN ${part.name} ON true`)
      .join(''),
    values: parts.flatMap((part) => part.values),
    suffix: parts.map((part) => `_${part.name}`).join(''),
  };
}
