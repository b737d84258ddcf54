import { PartialType } from '@nestjs/swagger';
import { OrganizationCreateDto } from './organization-create.dto.js';

export class OrganizationUpdateDto extends PartialType(OrganizationCreateDto) {}
