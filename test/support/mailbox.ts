import { eventually } from './outbox-fixtures.js';
import { ReceivedMail, SmtpSink } from './smtp-sink.js';

/** Settings that let the app's own mail worker deliver to the SMTP sink within a test. */
export function mailWorkerFor(sink: SmtpSink): Record<string, string> {
  return {
    SMTP_URL: sink.url,
    MAIL_WORKER_ENABLED: 'true',
    MAIL_POLL_INTERVAL_MS: '50',
    MAIL_RETRY_BASE_MS: '50',
  };
}

/** Resolves with the messages to `email` once there are `count` of them (optionally matching `subject`). */
export function mailTo(sink: SmtpSink, email: string, count = 1, subject?: RegExp): Promise<ReceivedMail[]> {
  return eventually(
    async () => {
      const found = sink.messages.filter(
        (m) => m.recipients.includes(email) && (!subject || subject.test(m.subject)),
      );
      return found.length >= count && found;
    },
    15_000,
    `${count} message(s) to ${email}`,
  );
}

export const CODE_SUBJECT = /verification code/i;

/** The one-time code of a verification email, read from the plain-text part the way a person would. */
export function emailCodeOf(mail: ReceivedMail): string {
  const codes = (mail.text ?? '').match(/\b\d{6}\b/g) ?? [];
  if (codes.length !== 1) throw new Error(`expected one 6-digit code in:\n${mail.text}`);
  return codes[0];
}

/** The newest verification code sent to `email` (waits for the `count`-th such message). */
export async function latestEmailCode(sink: SmtpSink, email: string, count = 1): Promise<string> {
  const mails = await mailTo(sink, email, count, CODE_SUBJECT);
  return emailCodeOf(mails[mails.length - 1]);
}

/** The invitation token of an invitation email's link. */
export function inviteTokenOf(mail: ReceivedMail): string {
  const match = /\/user\/register\?invite=(\S+)/.exec(mail.text ?? '');
  if (!match) throw new Error(`no invite link in:\n${mail.text}`);
  return decodeURIComponent(match[1]);
}
