import { IsOptional, IsString, MaxLength } from 'class-validator';
import { InvitationAcceptDto } from '../../invitations/dto/invitation-token.dto.js';

/**
 * The accept form: the API's accept body (the token and an optional full name, with the same rules)
 * and, for an invitee who already has an account, one of that account's API keys. The API takes
 * the key as a header; a plain HTML form can only send it as a field.
 */
export class AcceptFormDto extends InvitationAcceptDto {
  @IsOptional()
  @IsString()
  @MaxLength(200)
  api_key?: string;
}
