import { describe, expect, it } from '@jest/globals';
import { describeSendError } from './send-error.js';

describe('describeSendError', () => {
  it('names the nodemailer code and the SMTP reply code before the message', () => {
    const error = Object.assign(new Error('Message failed: 451 4.3.0 try later'), {
      code: 'EMESSAGE',
      responseCode: 451,
    });
    expect(describeSendError(error)).toBe('EMESSAGE: 451: Message failed: 451 4.3.0 try later');
  });

  it('blanks out secrets such as the SMTP password', () => {
    const error = Object.assign(new Error('Invalid login: 535 user:hunter2 rejected'), { code: 'EAUTH' });
    expect(describeSendError(error, ['hunter2'])).toBe('EAUTH: Invalid login: 535 user:[redacted] rejected');
  });

  it('is one line and at most 300 characters', () => {
    const text = describeSendError(new Error(`first\r\nsecond ${'x'.repeat(400)}`));
    expect(text).not.toMatch(/[\r\n]/);
    expect(text.startsWith('first second')).toBe(true);
    expect(text).toHaveLength(300);
  });

  it('describes things that are not errors', () => {
    expect(describeSendError('plain string')).toBe('plain string');
  });
});
