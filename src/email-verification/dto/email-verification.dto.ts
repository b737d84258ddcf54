import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';

export class EmailVerificationConfirmDto {
  @ApiProperty({ pattern: '^[0-9]{6}$', example: '493817', description: 'The 6-digit code from the email.' })
  @IsString()
  @Matches(/^[0-9]{6}$/, { message: 'the code is 6 digits' })
  code: string;
}

export class EmailVerificationSentDto {
  @ApiProperty({ example: 'jane@example.com', description: "Where the code was sent: the caller's email." })
  email: string;

  @ApiProperty({
    format: 'date-time',
    example: '2026-01-05T10:40:00Z',
    description: 'The code stops working then.',
  })
  expires_at: string;
}
