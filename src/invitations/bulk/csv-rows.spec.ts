import { describe, expect, it } from '@jest/globals';
import { AppError } from '../../common/errors/app-error.js';
import { csvRows } from './csv-rows.js';

const message = (text: string): string => {
  try {
    csvRows(text);
  } catch (error) {
    if (error instanceof AppError) return error.message;
    throw error;
  }
  throw new Error('expected a 400');
};

describe('csvRows', () => {
  it('reads a spreadsheet export: BOM, CRLF, headers in any case and order, quoted commas, quotes and line breaks', () => {
    const rows = csvRows(
      '\ufeffRoles,EMAIL,full_name,custom_message\r\n' +
        'Admin; Engineering Lead ;,jane@example.test,"Doe, Jane","Hi ""Jane"",\r\nwelcome"\r\n',
    );
    expect(rows).toEqual([
      {
        index: 0,
        fields: {
          email: 'jane@example.test',
          full_name: 'Doe, Jane',
          custom_message: 'Hi "Jane",\r\nwelcome',
        },
        csvRefs: { roles: ['Admin', 'Engineering Lead'], departments: [] },
        roleLoc: ['body', 'invitations', 0, 'roles'],
        departmentLoc: ['body', 'invitations', 0, 'departments'],
      },
    ]);
  });

  it('skips blank lines and rows of empty cells; an empty cell is a field left out', () => {
    const rows = csvRows('email,full_name\n\na@example.test,\n,\nb@example.test,Bo\n');
    expect(rows.map((r) => [r.index, r.fields])).toEqual([
      [0, { email: 'a@example.test', full_name: undefined, custom_message: undefined }],
      [1, { email: 'b@example.test', full_name: 'Bo', custom_message: undefined }],
    ]);
  });

  it('keeps a row without an email, for its own 400', () => {
    expect(csvRows('email,full_name\n,Jane\n')[0]!.fields.email).toBe('');
  });

  it('refuses a malformed file as a whole', () => {
    expect(message('')).toMatch(/empty/);
    expect(message('full_name\nJane\n')).toMatch(/no email column/);
    expect(message('email,email\na,b\n')).toMatch(/named twice/);
    expect(message('email,team\na@example.test,x\n')).toMatch(/unknown column\(s\) team/);
    expect(message('email\n')).toMatch(/no rows/);
    expect(message('email\n"a@example.test\n')).toMatch(/CSV body is invalid/);
    expect(message(`email\n${'a@example.test\n'.repeat(1001)}`)).toMatch(/at most 1000 rows/);
  });
});
