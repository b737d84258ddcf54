import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '../common/auth/access.decorator.js';
import { Caller, CurrentCaller } from '../common/auth/request-context.js';
import { MeResponseDto } from './dto/me-response.dto.js';
import { MeService } from './me.service.js';

@ApiTags('Me')
@Controller('v1/me')
export class MeController {
  constructor(private readonly meService: MeService) {}

  @Get()
  @Access('user')
  @ApiOperation({ summary: 'The caller and their memberships' })
  @ApiOkResponse({ type: MeResponseDto })
  getMe(@CurrentCaller() caller: Caller): Promise<MeResponseDto> {
    return this.meService.me(caller.userId);
  }
}
