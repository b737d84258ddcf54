import { Body, Controller, HttpCode, Post, Query } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '../../common/auth/access.decorator.js';
import { Caller, CurrentCaller, CurrentOrg, OrgScope } from '../../common/auth/request-context.js';
import { ApiRequestMedia } from '../../common/openapi/request-media.decorator.js';
import { AppValidationPipe } from '../../common/validation/app-validation.pipe.js';
import { ORG_PARAM } from '../../common/ids/id-params.js';
import { jsonRows, RawRow } from './bulk-rows.js';
import { BulkInvitationsService } from './bulk-invitations.service.js';
import { BULK_BODY_LIMIT_BYTES, CSV } from './csv-body.js';
import { csvRows } from './csv-rows.js';
import { InvitationBulkQueryDto, InvitationBulkRequestDto } from './dto/invitation-bulk-request.dto.js';
import { InvitationBulkResponseDto } from './dto/invitation-bulk-response.dto.js';

export const BULK_ROUTE = '/v1/organizations/:organization_id/invitations/bulk';

const CSV_EXAMPLE =
  'email,full_name,roles,departments,custom_message\r\n' +
  'jane@example.com,Jane Doe,Admin,Engineering;Design,Welcome!\r\n' +
  'john@example.com,"Doe, John",,Sales,\r\n';

/** Many invitations in one request, from JSON or from a spreadsheet's CSV. */
@ApiTags('Invitations')
@Controller('v1/organizations/:organization_id/invitations/bulk')
export class BulkInvitationsController {
  private readonly pipe = new AppValidationPipe();

  constructor(private readonly bulk: BulkInvitationsService) {}

  @Post()
  @HttpCode(200)
  @Access('admin')
  @ORG_PARAM
  // Up to 5 MB, JSON or CSV; every other route keeps 1 MB (create-app.ts reads this).
  @RouteConfig({ bodyLimit: BULK_BODY_LIMIT_BYTES })
  @ApiOperation({
    summary: 'Create invitations in bulk',
    description:
      'Invites 1–1000 emails at once, from JSON (`defaults` merged into every row) or from `text/csv` (UTF-8, a ' +
      'header row; columns `email` (required), `full_name`, `roles`, `departments` (each a `;`-separated list of ' +
      'IDs or names, matched case-insensitively), `custom_message`; a BOM, CRLF and quoted fields are accepted; ' +
      '`?send_invitation=false` sends no email). Every row follows the rules of `createInvitation` and fails ' +
      'alone, with the error that route would return for it: the response lists every row in input order. A ' +
      'second row with the same email fails as INVITATION_ALREADY_PENDING. Each row counts against the ' +
      "organization's hourly invitation budget: rows beyond it refuse the whole request (429 RATE_LIMITED, " +
      '`details.requested`, `details.remaining`) before anything is written. Up to 5 MB, as JSON or CSV.',
  })
  @ApiBody({ type: InvitationBulkRequestDto, required: true })
  @ApiRequestMedia({
    [CSV]: {
      schema: { type: 'string', description: 'CSV in UTF-8 with a header row (see the description).' },
      example: CSV_EXAMPLE,
    },
  })
  @ApiOkResponse({ type: InvitationBulkResponseDto, description: 'Every row, created or with its error' })
  async createInvitationsBulk(
    @CurrentOrg() org: OrgScope,
    @CurrentCaller() caller: Caller,
    // JSON or CSV: checked below by media type, so the pipe leaves it as parsed.
    @Body() body: unknown,
    @Query() query: InvitationBulkQueryDto,
  ): Promise<InvitationBulkResponseDto> {
    const querySend = query.send_invitation === undefined ? undefined : query.send_invitation === 'true';
    let rows: RawRow[];
    let send: boolean;
    if (typeof body === 'string') {
      rows = csvRows(body);
      send = querySend ?? true;
    } else {
      const request = (await this.pipe.transform(body, {
        type: 'body',
        metatype: InvitationBulkRequestDto,
      })) as InvitationBulkRequestDto;
      rows = jsonRows(request.invitations, request.defaults);
      send = request.send_invitation ?? querySend ?? true;
    }
    return this.bulk.create(org, caller, rows, send);
  }
}
