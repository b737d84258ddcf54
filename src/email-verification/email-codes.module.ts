import { Module } from '@nestjs/common';
import { EmailCodes } from './email-codes.js';

/** Code derivation on its own, so the mail worker can render a code without the rest of the feature. */
@Module({ providers: [EmailCodes], exports: [EmailCodes] })
export class EmailCodesModule {}
