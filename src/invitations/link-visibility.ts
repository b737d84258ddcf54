import { LEVEL_RANK } from '../common/auth/access-level.js';

/**
 * Who sees an invitation link (API.md "Who sees a link"): a link is a credential for the invitee's
 * seat, so only a caller who may create that invitation sees it — an Admin or Owner, and for an
 * invitation that grants Owner, an Owner. Everyone else gets `null`, on every route that shows one.
 */
export function maySeeLink(viewerRank: number, grantsOwner: boolean): boolean {
  return viewerRank >= (grantsOwner ? LEVEL_RANK.owner : LEVEL_RANK.admin);
}
