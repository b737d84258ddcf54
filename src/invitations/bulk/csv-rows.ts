import { CsvError } from 'csv-parse';
import { parse } from 'csv-parse/sync';
import { AppError } from '../../common/errors/app-error.js';
import { RawRow } from './bulk-rows.js';
import { MAX_BULK_ROWS } from './dto/invitation-bulk-request.dto.js';

/** The columns a bulk CSV may have (API.md); only `email` is required, in any order. */
export const CSV_COLUMNS = ['email', 'full_name', 'roles', 'departments', 'custom_message'] as const;
type CsvColumn = (typeof CSV_COLUMNS)[number];

/** Roles and departments in one cell: `Admin; Engineering` (IDs or names). */
const LIST_SEPARATOR = ';';

const invalid = (msg: string, type: string, loc: (string | number)[] = ['body']) =>
  AppError.validation([{ loc, msg, type }], `The CSV body is invalid: ${msg}`);

/**
 * The rows of a bulk CSV as a spreadsheet exports it: a header row, then one invitation per line;
 * a UTF-8 byte order mark, CRLF line ends, quoted fields (with commas, quotes and line breaks
 * inside) and blank lines are accepted. Parsed with csv-parse; a malformed file, an unknown or
 * missing column, or no rows (or over 1000) fail the whole request, as a malformed JSON body would.
 */
export function csvRows(text: string): RawRow[] {
  let records: string[][];
  try {
    records = parse(text, {
      bom: true,
      trim: true,
      skip_empty_lines: true,
      // A spreadsheet's blank rows come out as ",,,,".
      skip_records_with_empty_values: true,
    }) as string[][];
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    const line = typeof error.lines === 'number' ? error.lines : undefined;
    throw invalid(error.message, 'csv_invalid', line === undefined ? ['body'] : ['body', 'line', line]);
  }
  const [header, ...lines] = records;
  if (!header) throw invalid('the body is empty; the first line must name the columns', 'csv_header');
  const columns = header.map((name) => name.trim().toLowerCase());
  const unknown = columns.filter((name) => !(CSV_COLUMNS as readonly string[]).includes(name));
  if (unknown.length > 0) {
    throw invalid(
      `unknown column(s) ${unknown.join(', ')}; the columns are ${CSV_COLUMNS.join(', ')}`,
      'csv_header',
    );
  }
  if (new Set(columns).size !== columns.length) throw invalid('a column is named twice', 'csv_header');
  if (!columns.includes('email')) throw invalid('the header has no email column', 'csv_header');
  if (lines.length === 0) throw invalid('the CSV has no rows after the header', 'csv_rows');
  if (lines.length > MAX_BULK_ROWS) {
    throw invalid(`at most ${MAX_BULK_ROWS} rows, got ${lines.length}`, 'csv_rows');
  }
  return lines.map((cells, index) => {
    const cell = (column: CsvColumn): string | undefined => {
      const value = cells[columns.indexOf(column)];
      // An empty cell is a field left out, as in a form.
      return value === undefined || value === '' ? undefined : value;
    };
    return {
      index,
      fields: {
        email: cell('email') ?? '',
        full_name: cell('full_name'),
        custom_message: cell('custom_message'),
      },
      csvRefs: { roles: list(cell('roles')), departments: list(cell('departments')) },
      roleLoc: ['body', 'invitations', index, 'roles'],
      departmentLoc: ['body', 'invitations', index, 'departments'],
    };
  });
}

function list(cell: string | undefined): string[] {
  return (cell ?? '')
    .split(LIST_SEPARATOR)
    .map((item) => item.trim())
    .filter((item) => item !== '');
}
