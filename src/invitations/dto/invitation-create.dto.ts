import {
  CustomMessage,
  DepartmentIds,
  ExpiresInDays,
  FullName,
  InviteeEmail,
  RoleIds,
  SendInvitation,
} from './invitation-fields.js';

/** The general form of creating an invitation (`createInvitation`). */
export class InvitationCreateDto {
  @InviteeEmail()
  email: string;

  @FullName()
  full_name?: string | null;

  @RoleIds()
  role_ids?: string[] = [];

  @DepartmentIds()
  department_ids?: string[] = [];

  @SendInvitation()
  send_invitation?: boolean = true;

  @CustomMessage()
  custom_message?: string | null;

  @ExpiresInDays()
  expires_in_days?: number;
}
