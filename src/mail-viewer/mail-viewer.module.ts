import { Module } from '@nestjs/common';
import { MailStore } from './mail-store.js';
import { MailViewerController } from './mail-viewer.controller.js';

/**
 * The development mail viewer at /dev/mail. AppModule imports it only when SMTP_URL is unset and
 * NODE_ENV is not production: the messages hold invitation links, which are credentials.
 */
@Module({ controllers: [MailViewerController], providers: [MailStore] })
export class MailViewerModule {}
