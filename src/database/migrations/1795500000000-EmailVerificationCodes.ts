import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Email proof (API.md): each user's live one-time code (stored as a keyed hash only), and outbox
 * rows that carry such a code instead of an invitation, so the code email goes out through the
 * same worker, written in the same transaction as the code.
 */
export class EmailVerificationCodes1795500000000 implements MigrationInterface {
  name = 'EmailVerificationCodes1795500000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "email_verification_codes" ("user_id" character varying(40) NOT NULL, "id" character varying(40) NOT NULL, "email" character varying(254) NOT NULL, "code_hash" character(64) NOT NULL, "attempts" integer NOT NULL DEFAULT '0', "issued_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "expires_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, "consumed_at" TIMESTAMP(3) WITH TIME ZONE, CONSTRAINT "PK_d18df5dff26676faed7d3e1640b" PRIMARY KEY ("user_id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_email_verification_codes_id" ON "email_verification_codes" ("id")`,
    );
    await queryRunner.query(
      `ALTER TABLE "email_verification_codes" ADD CONSTRAINT "fk_email_verification_codes_user" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );

    await queryRunner.query(`ALTER TABLE "email_outbox" ADD "user_id" character varying(40)`);
    await queryRunner.query(`ALTER TABLE "email_outbox" ADD "verification_code_id" character varying(40)`);
    await queryRunner.query(`ALTER TABLE "email_outbox" ALTER COLUMN "invitation_id" DROP NOT NULL`);
    await queryRunner.query(`ALTER TABLE "email_outbox" ALTER COLUMN "invitation_version" DROP NOT NULL`);
    await queryRunner.query(`CREATE INDEX "ix_email_outbox_user" ON "email_outbox" ("user_id")`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_email_outbox_verification_code" ON "email_outbox" ("verification_code_id")`,
    );
    await queryRunner.query(
      `ALTER TABLE "email_outbox" ADD CONSTRAINT "ck_email_outbox_subject" CHECK (("invitation_id" IS NOT NULL AND "invitation_version" IS NOT NULL AND "verification_code_id" IS NULL) OR ("invitation_id" IS NULL AND "verification_code_id" IS NOT NULL AND "user_id" IS NOT NULL))`,
    );
    await queryRunner.query(
      `ALTER TABLE "email_outbox" ADD CONSTRAINT "fk_email_outbox_user" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM "email_outbox" WHERE "invitation_id" IS NULL`);
    await queryRunner.query(`ALTER TABLE "email_outbox" DROP CONSTRAINT "fk_email_outbox_user"`);
    await queryRunner.query(`ALTER TABLE "email_outbox" DROP CONSTRAINT "ck_email_outbox_subject"`);
    await queryRunner.query(`DROP INDEX "public"."uq_email_outbox_verification_code"`);
    await queryRunner.query(`DROP INDEX "public"."ix_email_outbox_user"`);
    await queryRunner.query(`ALTER TABLE "email_outbox" ALTER COLUMN "invitation_version" SET NOT NULL`);
    await queryRunner.query(`ALTER TABLE "email_outbox" ALTER COLUMN "invitation_id" SET NOT NULL`);
    await queryRunner.query(`ALTER TABLE "email_outbox" DROP COLUMN "verification_code_id"`);
    await queryRunner.query(`ALTER TABLE "email_outbox" DROP COLUMN "user_id"`);
    await queryRunner.query(`DROP TABLE "email_verification_codes"`);
  }
}
