import { describe, expect, it } from '@jest/globals';
import { eventData } from './event-data.js';

describe('eventData', () => {
  it('drops credential fields at every depth and keeps everything else', () => {
    const data = {
      invitation_id: 'inv_1',
      invitation_link: 'https://app/user/register?invite=inv_1.1.sig',
      roles: [{ id: 'role_1', token: 't' }],
      user: { id: 'usr_1', api_key: 'oik_x', email: 'a@b.test' },
      endpoint: { secret: 'whsec_x', url: 'https://hooks.test' },
      verification: { email_code: '123456' },
    };
    expect(eventData(data)).toEqual({
      invitation_id: 'inv_1',
      roles: [{ id: 'role_1' }],
      user: { id: 'usr_1', email: 'a@b.test' },
      endpoint: { url: 'https://hooks.test' },
      verification: {},
    });
  });

  it('renders dates as ISO strings, drops undefined and keeps nulls', () => {
    expect(eventData({ at: new Date('2026-01-05T10:30:00.000Z'), gone: undefined, none: null })).toEqual({
      at: '2026-01-05T10:30:00.000Z',
      none: null,
    });
  });

  it('leaves scalars alone', () => {
    expect(eventData('x')).toBe('x');
    expect(eventData(3)).toBe(3);
    expect(eventData(null)).toBeNull();
  });
});
