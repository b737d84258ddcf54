import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { newId } from '../../ids/ids.js';
import { TokenClaims } from './oidc-verifier.js';

/**
 * Links an identity provider's subject to a user at first sight (API.md "OIDC access tokens"). It
 * writes `users` too, which the users feature otherwise owns: linking and proving an email are one
 * transaction, and the email proof is what the link rests on.
 */
@Injectable()
export class OidcIdentitiesRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * The user whose email is the token's verified email (an invited, never-active account included),
   * else a new one, linked to (`iss`, `sub`) from now on; its email is marked verified and the account
   * active (a link can no longer hand it out: accepting needs this user's credentials). Undefined
   * without a verified email: an unverified address proves nothing, and linking by it would let
   * anyone who can type an address at the provider take that account.
   *
   * Race-free without locks: the users upsert serialises on the email's unique index, the identity
   * insert on (issuer, subject), and the final read returns whichever link won.
   */
  async link(claims: TokenClaims): Promise<string | undefined> {
    if (!claims.emailVerified || !claims.email) return undefined;
    const email = claims.email;
    return this.dataSource.transaction(async (manager) => {
      const [user]: { id: string }[] = await manager.query(
        `INSERT INTO users (id, email, full_name, activated_at, email_verified_at) VALUES ($1, $2, $3, now(), now())
         ON CONFLICT (email) DO UPDATE
            SET email_verified_at = COALESCE(users.email_verified_at, now()),
                activated_at = COALESCE(users.activated_at, now()), updated_at = now()
         RETURNING id`,
        [newId('usr'), email, claims.name ?? null],
      );
      await manager.query(
        `INSERT INTO user_identities (id, issuer, subject, user_id) VALUES ($1, $2, $3, $4)
         ON CONFLICT (issuer, subject) DO NOTHING`,
        [newId('idn'), claims.issuer, claims.subject, user.id],
      );
      const [linked]: { user_id: string }[] = await manager.query(
        'SELECT user_id FROM user_identities WHERE issuer = $1 AND subject = $2',
        [claims.issuer, claims.subject],
      );
      return linked.user_id;
    });
  }

  /** A linked user whose provider now vouches for their (unchanged) email: the email is proven. */
  async markEmailVerified(userId: string, email: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE users SET email_verified_at = now(), updated_at = now()
        WHERE id = $1 AND email = $2 AND email_verified_at IS NULL`,
      [userId, email],
    );
  }
}
