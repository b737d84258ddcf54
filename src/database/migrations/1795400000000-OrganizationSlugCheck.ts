import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Slugs are lowercase letters, digits and inner hyphens, never `_`: `{organization_id}` in a path
 * is an ID when it starts with `org_` and a slug otherwise, so a slug shaped like an ID would
 * make one organization unreachable by its slug. The API validates this; the check makes it hold
 * for every writer (the bootstrap CLI included).
 */
export class OrganizationSlugCheck1795400000000 implements MigrationInterface {
  name = 'OrganizationSlugCheck1795400000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "organizations" ADD CONSTRAINT "ck_organizations_slug" CHECK ("slug" ~ '^[a-z0-9]([a-z0-9-]*[a-z0-9])?$')`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "organizations" DROP CONSTRAINT "ck_organizations_slug"`);
  }
}
