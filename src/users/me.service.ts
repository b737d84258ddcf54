import { Injectable } from '@nestjs/common';
import { iso } from '../common/http/timestamps.js';
import { MeResponseDto } from './dto/me-response.dto.js';
import { MembershipsRepository } from './memberships.repository.js';
import { UsersRepository } from './users.repository.js';

@Injectable()
export class MeService {
  constructor(
    private readonly users: UsersRepository,
    private readonly memberships: MembershipsRepository,
  ) {}

  /** The caller and every organization they belong to, in two queries. */
  async me(userId: string): Promise<MeResponseDto> {
    const user = await this.users.profile(userId);
    const memberships = await this.memberships.allOfUser(userId);
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
