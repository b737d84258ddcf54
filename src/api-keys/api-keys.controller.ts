import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Access } from '../common/auth/access.decorator.js';
import { Caller, CurrentCaller } from '../common/auth/request-context.js';
import { KeyIdParams } from '../common/ids/id-params.js';
import { ErrorCode } from '../common/errors/error-code.js';
import { ApiErrors } from '../common/openapi/api-errors.decorator.js';
import { Page, PageOf, PageQueryDto } from '../common/pagination/pagination.js';
import { ApiKeysService } from './api-keys.service.js';
import { ApiKeyCreateDto, ApiKeyCreatedResponseDto, ApiKeyResponseDto } from './dto/api-key.dto.js';

@ApiTags('API keys')
@Controller('v1/api-keys')
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Post()
  @HttpCode(201)
  @Access('user')
  @ApiOperation({
    summary: 'Create an API key',
    description:
      'The key acts as the caller. It is shown once. A user holds at most MAX_API_KEYS_PER_USER (25) unrevoked ' +
      'keys, and all of them share one request budget (RATE_LIMIT_PER_KEY_PER_MIN).',
  })
  @ApiCreatedResponse({ type: ApiKeyCreatedResponseDto })
  @ApiErrors(ErrorCode.API_KEY_LIMIT_REACHED)
  createApiKey(
    @Body() body: ApiKeyCreateDto,
    @CurrentCaller() caller: Caller,
  ): Promise<ApiKeyCreatedResponseDto> {
    return this.apiKeys.issue(caller.userId, body.name ?? 'API key');
  }

  @Get()
  @Access('user')
  @ApiOperation({
    summary: "List the caller's API keys",
    description: 'Active keys only; secrets are never shown again.',
  })
  @ApiOkResponse({ type: PageOf(ApiKeyResponseDto) })
  listApiKeys(
    @Query() query: PageQueryDto,
    @CurrentCaller() caller: Caller,
  ): Promise<Page<ApiKeyResponseDto>> {
    return this.apiKeys.list(caller.userId, query);
  }

  @Delete(':key_id')
  @HttpCode(204)
  @Access('user')
  @ApiOperation({ summary: 'Revoke an API key', description: "Only the caller's own keys." })
  @ApiNoContentResponse({ description: 'Revoked' })
  @ApiErrors(ErrorCode.API_KEY_NOT_FOUND)
  async revokeApiKey(@Param() params: KeyIdParams, @CurrentCaller() caller: Caller): Promise<void> {
    await this.apiKeys.revoke(caller.userId, params.key_id);
  }
}
