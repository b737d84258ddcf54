import { createHmac, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { loadInvitationSecret } from '../config/server-secret.js';

export interface TokenClaims {
  invitationId: string;
  version: number;
}

const TOKEN_SHAPE = /^(inv_[A-Za-z0-9]{1,64})\.([1-9][0-9]{0,8})\.([A-Za-z0-9_-]{43})$/;

/**
 * Invitation tokens are `<invitation id>.<version>.<HMAC-SHA256(secret, id.version)>` (256-bit MAC,
 * base64url). Nothing about them is stored: the link can be derived again from the secret (the pending-invitation
 * page shows it later), and bumping the invitation's version on resend kills every older link.
 * Single use follows from the invitation's status: once it is not pending, the token does nothing.
 */
@Injectable()
export class InvitationTokens {
  private readonly secret: Buffer;
  private readonly publicAppUrl: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.secret = loadInvitationSecret(config);
    this.publicAppUrl = config.publicAppUrl;
  }

  private mac(invitationId: string, version: number): string {
    return createHmac('sha256', this.secret).update(`${invitationId}.${version}`).digest('base64url');
  }

  sign(invitationId: string, version: number): string {
    return `${invitationId}.${version}.${this.mac(invitationId, version)}`;
  }

  /** The claims of a genuine token, or undefined for anything malformed or forged (compared in constant time). */
  verify(token: unknown): TokenClaims | undefined {
    if (typeof token !== 'string') return undefined;
    const match = TOKEN_SHAPE.exec(token);
    if (!match) return undefined;
    const [, invitationId, versionText, mac] = match;
    const version = Number(versionText);
    const expected = Buffer.from(this.mac(invitationId, version));
    const given = Buffer.from(mac);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
    return { invitationId, version };
  }

  /** `{PUBLIC_APP_URL}/user/register?invite=<token>` (the invite-user page's shape), never from the request's Host. */
  link(invitationId: string, version: number): string {
    return `${this.publicAppUrl}/user/register?invite=${encodeURIComponent(this.sign(invitationId, version))}`;
  }
}
