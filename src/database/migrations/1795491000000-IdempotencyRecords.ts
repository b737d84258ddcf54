import { MigrationInterface, QueryRunner } from 'typeorm';

/** Kept outcomes of writes made under an Idempotency-Key (API.md "Idempotency-Key"). */
export class IdempotencyRecords1795491000000 implements MigrationInterface {
  name = 'IdempotencyRecords1795491000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "idempotency_records" ("scope" character varying(300) NOT NULL, "key" character varying(255) NOT NULL, "fingerprint" character(64) NOT NULL, "status" smallint NOT NULL, "body" text, "headers" jsonb NOT NULL DEFAULT '{}', "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_idempotency_records" PRIMARY KEY ("scope", "key"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_idempotency_records_created" ON "idempotency_records" ("created_at") `,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_idempotency_records_created"`);
    await queryRunner.query(`DROP TABLE "idempotency_records"`);
  }
}
