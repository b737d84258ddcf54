import { PreparedStatement } from './pool-query.js';

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

/** The placeholder of a part's `index`th parameter (from 0), its first being `$first`. */
export function parameter(first: number, index: number): string {
  return `$${first + index}`;
}

/** What a host statement's text takes from its parts. */
export interface ComposedParts {
  /** Their CTEs, each preceded by a comma, to follow the host's own. */
  ctes: string;
  /** Their columns, each preceded by a comma, to follow the host's select list. */
  columns: string;
  /** A LEFT JOIN of each part with columns (a part returns at most one row), to follow the host's FROM. */
  joins: string;
}

/** A statement that takes parts: its own name, how many parameters it has, and its text around them. */
export interface PartsHost {
  name: string;
  parameters: number;
  text(parts: ComposedParts): string;
}

const statements = new Map<string, PreparedStatement>();

/** The host's prepared statement with these parts: one per combination, built at its first use. */
export function withParts(host: PartsHost, parts: readonly StatementPart[]): PreparedStatement {
  const name = [host.name, ...parts.map((part) => part.name)].join('_');
  let statement = statements.get(name);
  if (!statement) {
    let first = host.parameters + 1;
    let ctes = '';
    for (const part of parts) {
      ctes += `,\n         ${part.name} AS (${part.cte(first)})`;
      first += part.values.length;
    }
    const columns = parts.flatMap((part) => part.columns.map((column) => `, ${part.name}.${column}`));
    const joins = parts
      .filter((part) => part.columns.length > 0)
      .map((part) => ` LEFT JOIN ${part.name} ON true`);
    statement = { name, text: host.text({ ctes, columns: columns.join(''), joins: joins.join('') }) };
    statements.set(name, statement);
  }
  return statement;
}

/** The parts' values, to follow the host's own. */
export function partValues(parts: readonly StatementPart[]): unknown[] {
  return parts.flatMap((part) => part.values);
}
