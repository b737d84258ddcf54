import { mayChangeMember } from '../common/auth/system-roles.js';

/**
 * Who sees an invitation link (API.md "Who sees a link"): a link is a credential for the invitee's
 * seat, so only a caller who may create that invitation sees it — an Admin or Owner, and for an
 * invitation that grants Owner, an Owner (the same rule as granting roles). Everyone else gets `null`,
 * on every route that shows one.
 */
export function maySeeLink(viewerRank: number, grantsOwner: boolean): boolean {
  return mayChangeMember(viewerRank, grantsOwner);
}
