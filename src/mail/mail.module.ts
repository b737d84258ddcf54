import { Module } from '@nestjs/common';

/** Mail: filled in by its feature work. */
@Module({})
export class MailModule {}
