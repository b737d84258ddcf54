import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { Logger } from '@nestjs/common';
import type { Transport } from 'nodemailer';
import type MailMessage from 'nodemailer/lib/mailer/mail-message.js';

export interface EmlFileInfo {
  messageId: string;
  envelope: ReturnType<MailMessage['message']['getEnvelope']>;
  /** Absolute path of the written `.eml` file. */
  path: string;
}

/**
 * The transport used when SMTP_URL is unset: each message is written, exactly as it would go over
 * SMTP, to `<dir>/<time>-<message id>.eml` (open it in any mail client). Written to a temporary name
 * and renamed, so a reader never sees half a message.
 */
export class EmlFileTransport implements Transport<EmlFileInfo> {
  readonly name = 'eml-file';
  readonly version = '1';
  private readonly logger = new Logger('Mail');

  constructor(private readonly dir: string) {}

  send(mail: MailMessage<EmlFileInfo>, callback: (err: Error | null, info: EmlFileInfo) => void): void {
    mail.message.build((buildError, raw) => {
      if (buildError) return callback(buildError, undefined as never);
      const messageId = mail.message.messageId();
      this.write(messageId, raw).then(
        (file) => {
          this.logger.log({ msg: `email written to ${file}`, message_id: messageId, path: file });
          callback(null, { messageId, envelope: mail.message.getEnvelope(), path: file });
        },
        (error: Error) => callback(error, undefined as never),
      );
    });
  }

  private async write(messageId: string, raw: Buffer): Promise<string> {
    await fs.mkdir(this.dir, { recursive: true });
    const stamp = new Date()
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d+Z$/, 'Z');
    const name = messageId.replace(/^<|@.*$|>$/g, '').replace(/[^A-Za-z0-9._-]/g, '_');
    const file = path.join(this.dir, `${stamp}-${name}.eml`);
    const temporary = `${file}.${process.pid}.tmp`;
    await fs.writeFile(temporary, raw);
    await fs.rename(temporary, file);
    return file;
  }
}
