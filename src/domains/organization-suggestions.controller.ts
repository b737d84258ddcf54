import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '../common/auth/access.decorator.js';
import { Caller, CurrentCaller } from '../common/auth/request-context.js';
import { Page, PageOf, PageQueryDto } from '../common/pagination/pagination.js';
import { DomainJoinService } from './domain-join.service.js';
import { OrganizationSuggestionDto } from './dto/organization-suggestion.dto.js';

/** The caller's side of auto-join: the organizations their verified email lets them join. */
@ApiTags('Me')
@Controller('v1/me/organization-suggestions')
export class OrganizationSuggestionsController {
  constructor(private readonly join: DomainJoinService) {}

  @Get()
  @Access('user')
  @ApiOperation({
    summary: 'Organizations the caller may join by email domain',
    description:
      "Organizations with auto-join on that have verified the domain of the caller's email, and that the caller " +
      'is not a member of (in any state). Empty while the caller’s email is not verified.',
  })
  @ApiOkResponse({ type: PageOf(OrganizationSuggestionDto), description: 'A page of suggestions' })
  listOrganizationSuggestions(
    @CurrentCaller() caller: Caller,
    @Query() query: PageQueryDto,
  ): Promise<Page<OrganizationSuggestionDto>> {
    return this.join.suggestions(caller, query);
  }
}
