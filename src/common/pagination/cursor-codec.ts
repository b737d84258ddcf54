import { createHmac, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { loadInvitationSecret } from '../../config/server-secret.js';
import { AppError } from '../errors/app-error.js';

/** A keyset position: the last row's `created_at` (ISO, milliseconds, `Z`) and id. */
export interface CursorPosition {
  t: string;
  i: string;
}

/** The cursors of one list (e.g. the roles of one organization): nothing else's are accepted. */
export interface ListCursors {
  encode(createdAt: Date, id: string): string;
  /** The position of a cursor this list issued; anything else is a 400 `cursor_invalid`. */
  decode(cursor: string): CursorPosition;
}

/** The lists that paginate, and what scopes each (the cursor is bound to both). */
export type ListName =
  | 'organizations'
  | 'api_keys'
  | 'roles'
  | 'departments'
  | 'members'
  | 'invitations'
  | 'domains'
  | 'organization_suggestions'
  | 'events'
  | 'webhook_endpoints'
  | 'webhook_deliveries';

const MAC_BYTES = 16;
const SHAPE = /^([A-Za-z0-9_-]{1,160})\.([A-Za-z0-9_-]{22})$/;
// What Date#toISOString writes for the years timestamptz(3) and Date share (0001–9999).
const ISO_MS = /^(?!0000)\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const ID = /^[a-z]+_[A-Za-z0-9]{1,64}$/;

export function cursorInvalid(): AppError {
  return AppError.validation([
    { loc: ['query', 'cursor'], msg: 'cursor is not a cursor this list returned', type: 'cursor_invalid' },
  ]);
}

/**
 * Pagination cursors are `base64url(JSON position).base64url(HMAC-SHA256)` (128-bit MAC) under a key
 * derived from the server secret, over the list's name and scope as well as the position. So a cursor
 * the service did not issue, or issued for another list, organization or user, fails the MAC and is a
 * 400, before any of it reaches a query: PostgreSQL never sees a timestamp it could reject (a 500).
 * The position is still checked strictly after the MAC, in case the secret ever leaks.
 */
@Injectable()
export class CursorCodec {
  private readonly key: Buffer;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    // A key of its own (domain-separated), so no cursor can ever be mistaken for an invitation MAC.
    this.key = createHmac('sha256', loadInvitationSecret(config)).update('pagination-cursor-key-v1').digest();
  }

  for(list: ListName, scopeId: string): ListCursors {
    const bound = `${list}:${scopeId}`;
    return {
      encode: (createdAt, id) => {
        const payload = Buffer.from(JSON.stringify({ t: createdAt.toISOString(), i: id })).toString(
          'base64url',
        );
        return `${payload}.${this.mac(bound, payload).toString('base64url')}`;
      },
      decode: (cursor) => this.decode(bound, cursor),
    };
  }

  private mac(bound: string, payload: string): Buffer {
    return createHmac('sha256', this.key).update(`${bound}\n${payload}`).digest().subarray(0, MAC_BYTES);
  }

  private decode(bound: string, cursor: string): CursorPosition {
    const match = SHAPE.exec(cursor);
    if (!match) throw cursorInvalid();
    const [, payload, macText] = match;
    // Compared as text: base64url's last character carries spare bits, so two spellings decode alike.
    const given = Buffer.from(macText);
    const expected = Buffer.from(this.mac(bound, payload).toString('base64url'));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw cursorInvalid();
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      throw cursorInvalid();
    }
    const { t, i } = (parsed ?? {}) as Partial<Record<keyof CursorPosition, unknown>>;
    if (typeof t !== 'string' || typeof i !== 'string' || !ISO_MS.test(t) || !ID.test(i))
      throw cursorInvalid();
    const date = new Date(t);
    if (Number.isNaN(date.getTime()) || date.toISOString() !== t) throw cursorInvalid();
    return { t, i };
  }
}
