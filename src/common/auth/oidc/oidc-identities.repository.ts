import { Injectable } from '@nestjs/common';
import { Db } from '../../../database/transactions.js';
import { newId } from '../../ids/ids.js';
import { TokenClaims } from './oidc-verifier.js';
import { VerifiedUsers } from './verified-users.js';

/**
 * The `user_identities` table: links an identity provider's subject to a user at first sight (API.md
 * "OIDC access tokens"). The user's row is written through `VerifiedUsers` (the users folder owns
 * it) in the same transaction: linking and proving an email are one, and the email proof is what
 * the link rests on.
 */
@Injectable()
export class OidcIdentitiesRepository {
  constructor(
    private readonly db: Db,
    private readonly users: VerifiedUsers,
  ) {}

  /**
   * The user whose email is the token's verified email (an invited, never-active account included),
   * else a new one, linked to (`iss`, `sub`) from now on; its email is marked verified and the account
   * active (a link can no longer hand it out: accepting needs this user's credentials). Undefined
   * without a verified email: an unverified address proves nothing, and linking by it would let
   * anyone who can type an address at the provider take that account.
   *
   * Race-free without locks: the user's upsert serialises on the email's unique index, the identity
   * insert on (issuer, subject), and the final read returns whichever link won.
   */
  async link(claims: TokenClaims): Promise<string | undefined> {
    if (!claims.emailVerified || !claims.email) return undefined;
    const email = claims.email;
    return this.db.transaction(async (manager) => {
      const userId = await this.users.upsertVerified(email, claims.name ?? null);
      await manager.query(
        `INSERT INTO user_identities (id, issuer, subject, user_id) VALUES ($1, $2, $3, $4)
         ON CONFLICT (issuer, subject) DO NOTHING`,
        [newId('idn'), claims.issuer, claims.subject, userId],
      );
      const [linked]: { user_id: string }[] = await manager.query(
        'SELECT user_id FROM user_identities WHERE issuer = $1 AND subject = $2',
        [claims.issuer, claims.subject],
      );
      return linked.user_id;
    });
  }
}
