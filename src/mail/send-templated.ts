import { MailerService } from '@nestjs-modules/mailer';
import type { SendMailOptions } from 'nodemailer';
import { SEND_TIMEOUT_MS } from './mailer-options.js';

export interface TemplatedMail extends SendMailOptions {
  /** A handlebars file under templates/, rendered into the HTML part by MailerModule's HandlebarsAdapter. */
  template: string;
  context: object;
}

/**
 * Sends through the transporter MailerModule built (its HandlebarsAdapter is the compile step), not
 * MailerService.sendMail: that first replaces each `{{name}}` in the subject with the context's
 * value, so an inviter named "{{link}}" would put the invitation link into the Subject header
 * (test/mail.e2e-spec.ts has that case). Gives up after SEND_TIMEOUT_MS, whatever the transport's
 * own timeouts.
 */
export async function sendTemplated(mailer: MailerService, mail: TemplatedMail): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`send timed out after ${SEND_TIMEOUT_MS} ms`)),
      SEND_TIMEOUT_MS,
    );
  });
  try {
    await Promise.race([mailer.getTransporter().sendMail(mail), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
