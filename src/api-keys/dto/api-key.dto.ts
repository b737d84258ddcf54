import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { iso, isoMinute } from '../../common/http/timestamps.js';
import { ApiKey } from '../api-key.entity.js';

export class ApiKeyCreateDto {
  @ApiPropertyOptional({ example: 'CI pipeline', maxLength: 100, description: 'A label to tell keys apart.' })
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  name?: string;
}

export class ApiKeyResponseDto {
  @ApiProperty({ example: 'key_4Z7kQ2mN8pR1sT5vW9xY3a' })
  id: string;

  @ApiProperty({ example: 'CI pipeline' })
  name: string;

  @ApiProperty({ example: 'oik_7Hq2Lm', description: 'The first characters of the key.' })
  prefix: string;

  @ApiProperty({ format: 'date-time', example: '2026-01-05T10:30:00Z' })
  created_at: string;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    example: '2026-01-07T08:12:00Z',
    description:
      'When the key last authenticated a request, to the minute (recorded at most once a minute); null if never used.',
  })
  last_used_at: string | null;

  static from(key: Pick<ApiKey, 'id' | 'name' | 'prefix' | 'createdAt' | 'lastUsedAt'>): ApiKeyResponseDto {
    return {
      id: key.id,
      name: key.name,
      prefix: key.prefix,
      created_at: iso(key.createdAt),
      last_used_at: key.lastUsedAt ? isoMinute(key.lastUsedAt) : null,
    };
  }
}

export class ApiKeyCreatedResponseDto extends ApiKeyResponseDto {
  @ApiProperty({
    example: 'oik_7Hq2LmVb0c…',
    description: 'The key itself. Shown once; only its hash is stored.',
  })
  key: string;
}
