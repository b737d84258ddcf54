import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { HandlebarsAdapter } from '@nestjs-modules/mailer/adapters/handlebars.adapter';
import { createTransport, type SendMailOptions, type Transporter } from 'nodemailer';
import { fileURLToPath } from 'node:url';
import { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { mailTransport } from './mail-transport.js';

/** Beside the compiled code in dist/ (scripts/build.mjs copies it), beside the sources under jest. */
export const TEMPLATES_DIR = fileURLToPath(new URL('./templates/', import.meta.url));

/** A send gives up after this long, whatever the transport's own timeouts. */
export const SEND_TIMEOUT_MS = 120_000;

export interface TemplatedMail extends SendMailOptions {
  /** A handlebars file under templates/, rendered into the HTML part by @nestjs-modules/mailer's HandlebarsAdapter. */
  template: string;
  context: object;
}

/**
 * nodemailer with @nestjs-modules/mailer's HandlebarsAdapter as its compile step: the same wiring
 * as the package's MailerService. MailerModule itself is not used because it require()s the
 * ESM-only @nestjs/common, which Jest on Node < 24.9 cannot load, and tests must run the same
 * mail code as production.
 */
@Injectable()
export class MailSender implements OnApplicationShutdown {
  private readonly transporter: Transporter;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.transporter = createTransport(mailTransport(config));
    const adapter = new HandlebarsAdapter();
    // Strict: a template naming a value the context lacks fails the send instead of rendering a blank.
    const adapterOptions = { template: { dir: TEMPLATES_DIR, options: { strict: true } } };
    this.transporter.use('compile', (mail, done) => adapter.compile(mail, done, adapterOptions));
  }

  async send(mail: TemplatedMail): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`send timed out after ${SEND_TIMEOUT_MS} ms`)),
        SEND_TIMEOUT_MS,
      );
    });
    try {
      await Promise.race([this.transporter.sendMail(mail), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** After every onModuleDestroy, so the worker's last sends (awaited there) are done. */
  onApplicationShutdown(): void {
    this.transporter.close();
  }
}
