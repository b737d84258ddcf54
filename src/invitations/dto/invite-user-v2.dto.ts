import {
  CustomMessage,
  DepartmentIds,
  FullName,
  InviteeEmail,
  RoleIds,
  SendInvitation,
} from './invitation-fields.js';

/** The invite-user v2 page's request body. The response is that page's user object (`MemberResponseDto`). */
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
