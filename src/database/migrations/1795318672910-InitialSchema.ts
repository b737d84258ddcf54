import { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1795318672910 implements MigrationInterface {
  name = 'InitialSchema1795318672910';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "users" ("id" character varying(40) NOT NULL, "email" character varying(254) NOT NULL, "full_name" character varying(255), "user_name" character varying(64), "activated_at" TIMESTAMP(3) WITH TIME ZONE, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_a3ffb1c0c8416b9fc6f907b7433" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_users_email" ON "users"  ("email") `);
    await queryRunner.query(
      `CREATE TABLE "api_keys" ("id" character varying(40) NOT NULL, "user_id" character varying(40) NOT NULL, "name" character varying(100) NOT NULL, "prefix" character varying(16) NOT NULL, "key_hash" character(64) NOT NULL, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "last_used_at" TIMESTAMP(3) WITH TIME ZONE, "revoked_at" TIMESTAMP(3) WITH TIME ZONE, CONSTRAINT "PK_5c8a79801b44bd27b79228e1dad" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_api_keys_hash" ON "api_keys"  ("key_hash") `);
    await queryRunner.query(
      `CREATE INDEX "ix_api_keys_user_created" ON "api_keys"  ("user_id", "created_at", "id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "organizations" ("id" character varying(40) NOT NULL, "name" character varying(200) NOT NULL, "slug" character varying(64) NOT NULL, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_6b031fcd0863e3f6b44230163f9" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_organizations_slug" ON "organizations"  ("slug") `);
    await queryRunner.query(
      `CREATE TABLE "departments" ("id" character varying(40) NOT NULL, "organization_id" character varying(40) NOT NULL, "name" character varying(100) NOT NULL, "description" character varying(500), "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_839517a681a86bb84cbcc6a1e9d" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_departments_org_name" ON "departments" ("organization_id", lower("name"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_departments_org_created" ON "departments"  ("organization_id", "created_at", "id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "memberships" ("id" character varying(40) NOT NULL, "organization_id" character varying(40) NOT NULL, "user_id" character varying(40) NOT NULL, "account_state" character varying(20) NOT NULL, "invited_at" TIMESTAMP(3) WITH TIME ZONE, "deactivated_at" TIMESTAMP(3) WITH TIME ZONE, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_25d28bd932097a9e90495ede7b4" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_memberships_user" ON "memberships"  ("user_id") `);
    await queryRunner.query(
      `CREATE INDEX "ix_memberships_org_created" ON "memberships"  ("organization_id", "created_at", "id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_memberships_org_user" ON "memberships"  ("organization_id", "user_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "invitations" ("id" character varying(40) NOT NULL, "organization_id" character varying(40) NOT NULL, "user_id" character varying(40) NOT NULL, "membership_id" character varying(40), "email" character varying(254) NOT NULL, "full_name" character varying(255), "role_ids" character varying(40) array NOT NULL DEFAULT '{}', "department_ids" character varying(40) array NOT NULL DEFAULT '{}', "status" character varying(16) NOT NULL DEFAULT 'pending', "version" integer NOT NULL DEFAULT '1', "custom_message" text, "invited_by" character varying(40), "email_status" character varying(16) NOT NULL DEFAULT 'not_requested', "email_last_error" text, "expires_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, "issued_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "accepted_at" TIMESTAMP(3) WITH TIME ZONE, "declined_at" TIMESTAMP(3) WITH TIME ZONE, "revoked_at" TIMESTAMP(3) WITH TIME ZONE, CONSTRAINT "PK_5dec98cfdfd562e4ad3648bbb07" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_invitations_user" ON "invitations"  ("user_id") `);
    await queryRunner.query(
      `CREATE INDEX "ix_invitations_org_email" ON "invitations"  ("organization_id", "email") `,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_invitations_org_created" ON "invitations"  ("organization_id", "created_at", "id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_invitations_pending_email" ON "invitations"  ("organization_id", "email") WHERE "status" = 'pending'`,
    );
    await queryRunner.query(
      `CREATE TABLE "email_outbox" ("id" BIGSERIAL NOT NULL, "invitation_id" character varying(40) NOT NULL, "invitation_version" integer NOT NULL, "status" character varying(16) NOT NULL DEFAULT 'queued', "attempts" integer NOT NULL DEFAULT '0', "next_attempt_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "locked_until" TIMESTAMP(3) WITH TIME ZONE, "last_error" text, "message_id" character varying(255) NOT NULL, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "sent_at" TIMESTAMP(3) WITH TIME ZONE, CONSTRAINT "PK_b6fbfc201f705fbf1ac87bd7197" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_email_outbox_due" ON "email_outbox"  ("next_attempt_at") WHERE "status" = 'queued'`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_email_outbox_invitation_version" ON "email_outbox"  ("invitation_id", "invitation_version") `,
    );
    await queryRunner.query(
      `CREATE TABLE "roles" ("id" character varying(40) NOT NULL, "organization_id" character varying(40) NOT NULL, "key" character varying(100) NOT NULL, "name" character varying(100) NOT NULL, "description" character varying(500), "is_system" boolean NOT NULL DEFAULT false, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_c1433d71a4838793a49dcad46ab" PRIMARY KEY ("id"))`,
    );
    // Case-insensitive name uniqueness per organization (expression indexes; entities mark them synchronize: false).
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_roles_org_name" ON "roles" ("organization_id", lower("name"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_roles_org_created" ON "roles"  ("organization_id", "created_at", "id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "membership_departments" ("membership_id" character varying(40) NOT NULL, "department_id" character varying(40) NOT NULL, CONSTRAINT "PK_e1c19c7843e9274eba7f8ddaeef" PRIMARY KEY ("membership_id", "department_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_membership_departments_department" ON "membership_departments"  ("department_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "membership_roles" ("membership_id" character varying(40) NOT NULL, "role_id" character varying(40) NOT NULL, CONSTRAINT "PK_9f66b1234388294e15f26799afe" PRIMARY KEY ("membership_id", "role_id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_membership_roles_role" ON "membership_roles"  ("role_id") `);
    await queryRunner.query(
      `ALTER TABLE "api_keys" ADD CONSTRAINT "fk_api_keys_user" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "departments" ADD CONSTRAINT "fk_departments_organization" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "memberships" ADD CONSTRAINT "fk_memberships_organization" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "memberships" ADD CONSTRAINT "fk_memberships_user" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "invitations" ADD CONSTRAINT "fk_invitations_organization" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "invitations" ADD CONSTRAINT "fk_invitations_user" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "invitations" ADD CONSTRAINT "fk_invitations_membership" FOREIGN KEY ("membership_id") REFERENCES "memberships"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "invitations" ADD CONSTRAINT "fk_invitations_invited_by" FOREIGN KEY ("invited_by") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "email_outbox" ADD CONSTRAINT "fk_email_outbox_invitation" FOREIGN KEY ("invitation_id") REFERENCES "invitations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "roles" ADD CONSTRAINT "fk_roles_organization" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "membership_departments" ADD CONSTRAINT "fk_membership_departments_membership" FOREIGN KEY ("membership_id") REFERENCES "memberships"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "membership_departments" ADD CONSTRAINT "fk_membership_departments_department" FOREIGN KEY ("department_id") REFERENCES "departments"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "membership_roles" ADD CONSTRAINT "fk_membership_roles_membership" FOREIGN KEY ("membership_id") REFERENCES "memberships"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "membership_roles" ADD CONSTRAINT "fk_membership_roles_role" FOREIGN KEY ("role_id") REFERENCES "roles"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "membership_roles" DROP CONSTRAINT "fk_membership_roles_role"`);
    await queryRunner.query(
      `ALTER TABLE "membership_roles" DROP CONSTRAINT "fk_membership_roles_membership"`,
    );
    await queryRunner.query(
      `ALTER TABLE "membership_departments" DROP CONSTRAINT "fk_membership_departments_department"`,
    );
    await queryRunner.query(
      `ALTER TABLE "membership_departments" DROP CONSTRAINT "fk_membership_departments_membership"`,
    );
    await queryRunner.query(`ALTER TABLE "roles" DROP CONSTRAINT "fk_roles_organization"`);
    await queryRunner.query(`ALTER TABLE "email_outbox" DROP CONSTRAINT "fk_email_outbox_invitation"`);
    await queryRunner.query(`ALTER TABLE "invitations" DROP CONSTRAINT "fk_invitations_invited_by"`);
    await queryRunner.query(`ALTER TABLE "invitations" DROP CONSTRAINT "fk_invitations_membership"`);
    await queryRunner.query(`ALTER TABLE "invitations" DROP CONSTRAINT "fk_invitations_user"`);
    await queryRunner.query(`ALTER TABLE "invitations" DROP CONSTRAINT "fk_invitations_organization"`);
    await queryRunner.query(`ALTER TABLE "memberships" DROP CONSTRAINT "fk_memberships_user"`);
    await queryRunner.query(`ALTER TABLE "memberships" DROP CONSTRAINT "fk_memberships_organization"`);
    await queryRunner.query(`ALTER TABLE "departments" DROP CONSTRAINT "fk_departments_organization"`);
    await queryRunner.query(`ALTER TABLE "api_keys" DROP CONSTRAINT "fk_api_keys_user"`);
    await queryRunner.query(`DROP INDEX "public"."ix_membership_roles_role"`);
    await queryRunner.query(`DROP TABLE "membership_roles"`);
    await queryRunner.query(`DROP INDEX "public"."ix_membership_departments_department"`);
    await queryRunner.query(`DROP TABLE "membership_departments"`);
    await queryRunner.query(`DROP INDEX "public"."ix_roles_org_created"`);
    await queryRunner.query(`DROP INDEX "public"."uq_roles_org_name"`);
    await queryRunner.query(`DROP TABLE "roles"`);
    await queryRunner.query(`DROP INDEX "public"."uq_email_outbox_invitation_version"`);
    await queryRunner.query(`DROP INDEX "public"."ix_email_outbox_due"`);
    await queryRunner.query(`DROP TABLE "email_outbox"`);
    await queryRunner.query(`DROP INDEX "public"."uq_invitations_pending_email"`);
    await queryRunner.query(`DROP INDEX "public"."ix_invitations_org_created"`);
    await queryRunner.query(`DROP INDEX "public"."ix_invitations_org_email"`);
    await queryRunner.query(`DROP INDEX "public"."ix_invitations_user"`);
    await queryRunner.query(`DROP TABLE "invitations"`);
    await queryRunner.query(`DROP INDEX "public"."uq_memberships_org_user"`);
    await queryRunner.query(`DROP INDEX "public"."ix_memberships_org_created"`);
    await queryRunner.query(`DROP INDEX "public"."ix_memberships_user"`);
    await queryRunner.query(`DROP TABLE "memberships"`);
    await queryRunner.query(`DROP INDEX "public"."ix_departments_org_created"`);
    await queryRunner.query(`DROP INDEX "public"."uq_departments_org_name"`);
    await queryRunner.query(`DROP TABLE "departments"`);
    await queryRunner.query(`DROP INDEX "public"."uq_organizations_slug"`);
    await queryRunner.query(`DROP TABLE "organizations"`);
    await queryRunner.query(`DROP INDEX "public"."ix_api_keys_user_created"`);
    await queryRunner.query(`DROP INDEX "public"."uq_api_keys_hash"`);
    await queryRunner.query(`DROP TABLE "api_keys"`);
    await queryRunner.query(`DROP INDEX "public"."uq_users_email"`);
    await queryRunner.query(`DROP TABLE "users"`);
  }
}
