import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '../common/auth/access.decorator.js';
import { CurrentOrg, OrgScope } from '../common/auth/request-context.js';
import { EventIdParams, ORG_PARAM } from '../common/ids/id-params.js';
import { ErrorCode } from '../common/errors/error-code.js';
import { ApiErrors } from '../common/openapi/api-errors.decorator.js';
import { Page, PageOf } from '../common/pagination/pagination.js';
import { EventQueryDto } from './dto/event-query.dto.js';
import { EventResponseDto } from './dto/event-response.dto.js';
import { EventJson } from './event-json.js';
import { EventQueries } from './event-queries.js';

@ApiTags('Events')
@Controller('v1/organizations/:organization_id/events')
@ORG_PARAM
export class EventsController {
  constructor(private readonly events: EventQueries) {}

  @Get()
  @Access('admin')
  @ApiOperation({
    summary: "List the organization's audit log",
    description: 'Newest first; filters combine.',
  })
  @ApiOkResponse({ type: PageOf(EventResponseDto), description: 'A page of events' })
  listEvents(@CurrentOrg() org: OrgScope, @Query() query: EventQueryDto): Promise<Page<EventJson>> {
    return this.events.list(org.organizationId, query);
  }

  @Get(':event_id')
  @Access('admin')
  @ApiOperation({ summary: 'Get an event' })
  @ApiOkResponse({ type: EventResponseDto, description: 'The event' })
  @ApiErrors(ErrorCode.EVENT_NOT_FOUND)
  getEvent(@CurrentOrg() org: OrgScope, @Param() params: EventIdParams): Promise<EventJson> {
    return this.events.get(org.organizationId, params.event_id);
  }
}
