import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { iso } from '../common/http/timestamps.js';
import { AccountState } from './membership.entity.js';
import { MeResponseDto } from './dto/me-response.dto.js';

@Injectable()
export class MeService {
  constructor(private readonly dataSource: DataSource) {}

  /** The caller and every organization they belong to, in two queries. */
  async me(userId: string): Promise<MeResponseDto> {
    const [user] = await this.dataSource.query(
      'SELECT id, email, full_name, user_name, email_verified_at, created_at FROM users WHERE id = $1',
      [userId],
    );
    const memberships: {
      organization_id: string;
      organization_name: string;
      organization_slug: string;
      account_state: AccountState;
      role_ids: string[];
      department_ids: string[];
    }[] = await this.dataSource.query(
      `SELECT o.id AS organization_id, o.name AS organization_name, o.slug AS organization_slug, m.account_state,
              COALESCE((SELECT array_agg(mr.role_id ORDER BY mr.role_id) FROM membership_roles mr WHERE mr.membership_id = m.id), '{}') AS role_ids,
              COALESCE((SELECT array_agg(md.department_id ORDER BY md.department_id) FROM membership_departments md WHERE md.membership_id = m.id), '{}') AS department_ids
         FROM memberships m JOIN organizations o ON o.id = m.organization_id
        WHERE m.user_id = $1
        ORDER BY m.created_at, m.id`,
      [userId],
    );
    return {
      user: {
        id: user.id,
        email: user.email,
        full_name: user.full_name,
        user_name: user.user_name,
        email_verified: user.email_verified_at !== null,
        created_at: iso(user.created_at),
      },
      memberships,
    };
  }
}
