import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { iso } from '../../common/http/timestamps.js';
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

  static from(key: Pick<ApiKey, 'id' | 'name' | 'prefix' | 'createdAt'>): ApiKeyResponseDto {
    return { id: key.id, name: key.name, prefix: key.prefix, created_at: iso(key.createdAt) };
  }
}

export class ApiKeyCreatedResponseDto extends ApiKeyResponseDto {
  @ApiProperty({ example: 'oik_7Hq2LmVb0c…', description: 'The key itself. Shown once; only its hash is stored.' })
  key: string;
}

