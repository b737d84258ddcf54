import { describe, expect, it } from '@jest/globals';
import { AppError } from '../errors/app-error.js';
import { decodeCursor, encodeCursor } from './pagination.js';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function expectInvalid(cursor: string): void {
  let thrown: unknown;
  try {
    decodeCursor(cursor);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(AppError);
  expect((thrown as AppError).details).toEqual({
    errors: [
      { loc: ['query', 'cursor'], msg: 'cursor is not a cursor this API returned', type: 'cursor_invalid' },
    ],
  });
}

describe('cursor codec', () => {
  it('round-trips a position exactly (milliseconds included)', () => {
    const at = new Date('2026-03-04T05:06:07.089Z');
    const cursor = encodeCursor(at, 'inv_Ab9');
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor)).toEqual({ t: '2026-03-04T05:06:07.089Z', i: 'inv_Ab9' });
  });

  it('refuses anything it did not issue with one field error', () => {
    for (const bad of [
      '',
      'not a cursor',
      'abc=',
      'e30', // {}
      b64({ t: 5, i: 'inv_x' }),
      b64({ t: '2026-01-01T00:00:00Z', i: 5 }),
      b64({ t: 'not a date', i: 'inv_x' }),
      b64({ t: '2026-01-01T00:00:00Z', i: 'inv' }),
      b64({ t: '2026-01-01T00:00:00Z', i: 'INV_x' }),
      b64({ t: '2026-01-01T00:00:00Z', i: `inv_${'a'.repeat(65)}` }),
      b64({ t: '2026-01-01T00:00:00Z', i: 'inv_x y' }),
      b64({ t: '2026-01-01T00:00:00Z', i: 'x inv_x' }),
      Buffer.from('{not json').toString('base64url'),
    ])
      expectInvalid(bad);
  });

  it('keeps only the position', () => {
    expect(decodeCursor(b64({ t: '2026-01-01T00:00:00.000Z', i: 'role_a1', extra: true }))).toEqual({
      t: '2026-01-01T00:00:00.000Z',
      i: 'role_a1',
    });
  });
});
