import { describe, expect, it } from '@jest/globals';
import { AppConfig } from '../../config/app-config.js';
import { AppError } from '../errors/app-error.js';
import { CursorCodec } from './cursor-codec.js';

const codec = (secret = 'a-cursor-test-secret-0123456789abcdef') =>
  new CursorCodec({ invitationSecret: secret, dataDir: '/nonexistent' } as AppConfig);

function refusal(decode: () => unknown): unknown {
  try {
    decode();
  } catch (error) {
    return error instanceof AppError ? { code: error.code, details: error.details } : error;
  }
  return 'accepted';
}

const CURSOR_INVALID = {
  code: 'VALIDATION_ERROR',
  details: { errors: [{ loc: ['query', 'cursor'], msg: expect.any(String), type: 'cursor_invalid' }] },
};

describe('CursorCodec', () => {
  const at = new Date('2026-01-05T10:30:00.123Z');

  it('decodes the cursors it issued for the same list, to the exact position', () => {
    const roles = codec().for('roles', 'org_A');
    expect(roles.decode(roles.encode(at, 'role_abc'))).toEqual({
      t: '2026-01-05T10:30:00.123Z',
      i: 'role_abc',
    });
    // Another instance with the same secret (another process) accepts it too.
    expect(codec().for('roles', 'org_A').decode(roles.encode(at, 'role_abc')).i).toBe('role_abc');
  });

  it('refuses a cursor of another list, another scope or another secret', () => {
    const cursor = codec().for('roles', 'org_A').encode(at, 'role_abc');
    expect(refusal(() => codec().for('departments', 'org_A').decode(cursor))).toEqual(CURSOR_INVALID);
    expect(refusal(() => codec().for('roles', 'org_B').decode(cursor))).toEqual(CURSOR_INVALID);
    expect(
      refusal(() => codec('another-secret-0123456789abcdefghijkl').for('roles', 'org_A').decode(cursor)),
    ).toEqual(CURSOR_INVALID);
  });

  it('refuses unsigned positions, whatever they hold (the 500s of issue 11)', () => {
    const roles = codec().for('roles', 'org_A');
    for (const t of ['1', 'March 7', '+275760-09-13T00:00:00.000Z', '2026-01-05T10:30:00.123Z']) {
      const unsigned = Buffer.from(JSON.stringify({ t, i: 'role_abc' })).toString('base64url');
      expect(refusal(() => roles.decode(unsigned))).toEqual(CURSOR_INVALID);
    }
  });

  it('refuses every one-character change of a genuine cursor', () => {
    const roles = codec().for('roles', 'org_A');
    const cursor = roles.encode(at, 'role_abc');
    for (let k = 0; k < cursor.length; k++) {
      for (const ch of ['A', 'B', '_', '.']) {
        if (cursor[k] === ch) continue;
        const edited = cursor.slice(0, k) + ch + cursor.slice(k + 1);
        expect({ k, ch, result: refusal(() => roles.decode(edited)) }).toEqual({
          k,
          ch,
          result: CURSOR_INVALID,
        });
      }
    }
  });
});
