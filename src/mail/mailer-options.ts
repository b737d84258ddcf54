import { MailerOptions } from '@nestjs-modules/mailer';
import { HandlebarsAdapter } from '@nestjs-modules/mailer/adapters/handlebars.adapter';
import { fileURLToPath } from 'node:url';
import { AppConfig } from '../config/app-config.js';
import { mailTransport } from './mail-transport.js';

/** Beside the compiled code in dist/ (scripts/build.mjs copies it), beside the sources under jest. */
export const TEMPLATES_DIR = fileURLToPath(new URL('./templates/', import.meta.url));

/** A send gives up after this long, whatever the transport's own timeouts. */
export const SEND_TIMEOUT_MS = 120_000;

/**
 * MailerModule's options: SMTP_URL's transport (or `.eml` files), and the HTML part rendered by its
 * HandlebarsAdapter from templates/. Strict: a template naming a value the context lacks fails the
 * send instead of rendering a blank. (The adapter require()s lodash without declaring it, which is
 * why package.json lists lodash.)
 */
export function mailerOptions(config: AppConfig): MailerOptions {
  return {
    transport: mailTransport(config),
    template: { dir: TEMPLATES_DIR, adapter: new HandlebarsAdapter(), options: { strict: true } },
  };
}
