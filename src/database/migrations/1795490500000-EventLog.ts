import { MigrationInterface, QueryRunner } from 'typeorm';

/** The event log: one append-only row per state change, read newest first per organization. */
export class EventLog1795490500000 implements MigrationInterface {
  name = 'EventLog1795490500000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "events" ("id" character varying(40) NOT NULL, "organization_id" character varying(40), "type" character varying(64) NOT NULL, "actor_type" character varying(16) NOT NULL, "actor_id" character varying(40), "actor_api_key_id" character varying(40), "subject_type" character varying(32) NOT NULL, "subject_id" character varying(40) NOT NULL, "data" jsonb NOT NULL, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_events" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_events_org_created" ON "events" ("organization_id", "created_at", "id") `,
    );
    await queryRunner.query(`CREATE INDEX "ix_events_subject" ON "events" ("subject_id") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_events_subject"`);
    await queryRunner.query(`DROP INDEX "public"."ix_events_org_created"`);
    await queryRunner.query(`DROP TABLE "events"`);
  }
}
