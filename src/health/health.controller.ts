import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import {
  HealthCheckResult,
  HealthCheckService,
  HealthIndicatorFunction,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import { Access } from '../common/auth/access.decorator.js';
import { AppError } from '../common/errors/app-error.js';
import { ErrorCode } from '../common/errors/error-code.js';
import { RedisHealthIndicator } from './redis.health.js';

export class HealthResponseDto {
  @ApiProperty({ enum: ['ok'], example: 'ok' })
  status: 'ok';
}

const READY_TIMEOUT_MS = 2000;

const DOWN_MESSAGES: Record<string, string> = {
  database: 'The database is not reachable.',
  redis: 'Redis is not reachable.',
};

/** Terminus' 503 (its own body) as our SERVICE_UNAVAILABLE, naming the checks that failed. */
function notReady(error: unknown): unknown {
  if (!(error instanceof ServiceUnavailableException)) return error;
  const result = error.getResponse() as Partial<HealthCheckResult>;
  const down = Object.keys(result.error ?? {});
  const message =
    down.map((check) => DOWN_MESSAGES[check] ?? `${check} is down.`).join(' ') || 'Shutting down.';
  return new AppError(ErrorCode.SERVICE_UNAVAILABLE, message, { down });
}

/** The checks run by Terminus; our envelopes stay what they were (`{ status }` or the error envelope). */
@ApiTags('Health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly redis: RedisHealthIndicator,
  ) {}

  @Get('live')
  @Access('public')
  @ApiOperation({ summary: 'Liveness: the process serves requests' })
  @ApiOkResponse({ type: HealthResponseDto })
  async getLiveness(): Promise<HealthResponseDto> {
    await this.health.check([]);
    return { status: 'ok' };
  }

  @Get('ready')
  @Access('public')
  @ApiOperation({ summary: 'Readiness: the database (and Redis, when REDIS_URL is set) answers' })
  @ApiOkResponse({ type: HealthResponseDto })
  async getReadiness(): Promise<HealthResponseDto> {
    const checks: HealthIndicatorFunction[] = [
      () => this.database.pingCheck('database', { timeout: READY_TIMEOUT_MS }),
    ];
    if (this.redis.enabled) checks.push(() => this.redis.pingCheck('redis', READY_TIMEOUT_MS));
    try {
      await this.health.check(checks);
      return { status: 'ok' };
    } catch (error) {
      throw notReady(error);
    }
  }
}
