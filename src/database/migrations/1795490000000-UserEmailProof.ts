import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Email proof (API.md): which invitation created an account, and when its email was verified. A link
 * proves nothing about who controls an address, so only the invitation that created a never-active
 * account may activate it without credentials, and every other accept needs a verified email.
 */
export class UserEmailProof1795490000000 implements MigrationInterface {
  name = 'UserEmailProof1795490000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "users" ADD "email_verified_at" TIMESTAMP(3) WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "users" ADD "created_by_invitation_id" character varying(40)`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "created_by_invitation_id"`);
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "email_verified_at"`);
  }
}
