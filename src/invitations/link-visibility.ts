import { ROLE_RANK } from '../common/auth/system-roles.js';

/**
 * Who sees an invitation link (API.md "Who sees a link"): a link is a credential for the invitee's
 * seat, so only a caller who may create that invitation sees it — an Admin or Owner, and for an
 * invitation that grants Owner, an Owner. Everyone else gets `null`, on every route that shows one.
 */
export function maySeeLink(viewerRank: number, grantsOwner: boolean): boolean {
  return viewerRank >= (grantsOwner ? ROLE_RANK.owner : ROLE_RANK.admin);
}
