import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

export class DomainCreateDto {
  @ApiProperty({
    example: 'acme.com',
    maxLength: 253,
    description:
      'An email domain of the organization. Stored lowercased in IDNA ASCII form (`xn--…`); public email providers (gmail.com and the like) are refused.',
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(253)
  domain: string;
}
