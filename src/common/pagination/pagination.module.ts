import { Global, Module } from '@nestjs/common';
import { CursorCodec } from './cursor-codec.js';

/** The cursor signer, for every feature module that paginates. */
@Global()
@Module({ providers: [CursorCodec], exports: [CursorCodec] })
export class PaginationModule {}
