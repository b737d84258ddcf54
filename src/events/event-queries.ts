import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { AppError } from '../common/errors/app-error.js';
import { ErrorCode } from '../common/errors/error-code.js';
import { CursorCodec } from '../common/pagination/cursor-codec.js';
import { Page, paginate } from '../common/pagination/pagination.js';
import { EventQueryDto } from './dto/event-query.dto.js';
import { EventJson, eventRecordJson } from './event-json.js';
import { EventRecord } from './event.entity.js';

/** The audit log, read per organization: newest first over the (organization_id, created_at, id) index. */
@Injectable()
export class EventQueries {
  constructor(
    @InjectRepository(EventRecord) private readonly events: Repository<EventRecord>,
    private readonly cursors: CursorCodec,
  ) {}

  list(organizationId: string, query: EventQueryDto): Promise<Page<EventJson>> {
    const qb = this.events
      .createQueryBuilder('e')
      .where('e.organization_id = :organizationId', { organizationId });
    if (query.type?.endsWith('.*')) {
      qb.andWhere('e.subject_type = :subjectType', { subjectType: query.type.slice(0, -2) });
    } else if (query.type) {
      qb.andWhere('e.type = :type', { type: query.type });
    }
    if (query.actor_id) qb.andWhere('e.actor_id = :actorId', { actorId: query.actor_id });
    if (query.subject_id) qb.andWhere('e.subject_id = :subjectId', { subjectId: query.subject_id });
    if (query.since) qb.andWhere('e.created_at >= :since', { since: query.since });
    if (query.until) qb.andWhere('e.created_at < :until', { until: query.until });
    return paginate(qb, query, eventRecordJson, this.cursors.for('events', organizationId), 'newest_first');
  }

  async get(organizationId: string, eventId: string): Promise<EventJson> {
    const event = await this.events.findOneBy({ organizationId, id: eventId });
    if (!event) throw new AppError(ErrorCode.EVENT_NOT_FOUND, undefined, { event_id: eventId });
    return eventRecordJson(event);
  }
}
