import {
  CustomMessage,
  DepartmentIds,
  FullName,
  InviteeEmail,
  RoleIds,
  SendInvitation,
} from './invitation-fields.js';

/** Seed 001's request body. The response is seed 001's user object (`MemberResponseDto`). */
export class InviteUserV2Dto {
  @InviteeEmail('The email address of the user to invite.')
  email: string;

  @FullName()
  full_name?: string | null;

  @RoleIds()
  role_ids?: string[] = [];

  @DepartmentIds()
  department_ids?: string[] = [];

  @SendInvitation(
    'Whether to send an invitation email to the user. When false, the response carries the link to share.',
  )
  send_invitation?: boolean = true;

  @CustomMessage()
  custom_message?: string | null;
}
