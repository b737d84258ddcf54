import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The customer's identity provider and domains (API.md "OIDC access tokens", "Domains"):
 * - user_identities: an OIDC (iss, sub) linked to a user; the unique index decides concurrent first sights.
 * - organization_domains: claimed email domains; the partial unique index lets one organization hold a
 *   domain verified (DOMAIN_TAKEN), while any number may claim it pending.
 * - organizations: invite_policy and auto_join (enabled, role), the role referenced so it cannot be deleted.
 */
export class IdentityAndDomains1795550000000 implements MigrationInterface {
  name = 'IdentityAndDomains1795550000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "user_identities" ("id" character varying(40) NOT NULL, "issuer" character varying(500) NOT NULL, "subject" character varying(255) NOT NULL, "user_id" character varying(40) NOT NULL, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_e23bff04e9c3e7b785e442b262c" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_user_identities_user" ON "user_identities"  ("user_id") `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_user_identities_issuer_subject" ON "user_identities"  ("issuer", "subject") `,
    );
    await queryRunner.query(
      `CREATE TABLE "organization_domains" ("id" character varying(40) NOT NULL, "organization_id" character varying(40) NOT NULL, "domain" character varying(253) NOT NULL, "status" character varying(16) NOT NULL DEFAULT 'pending', "verification_value" character varying(100) NOT NULL, "verified_at" TIMESTAMP(3) WITH TIME ZONE, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_organization_domains_status" CHECK ("status" IN ('pending', 'verified')), CONSTRAINT "PK_66c1149e9a4faf8d657161b263f" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_organization_domains_org_created" ON "organization_domains"  ("organization_id", "created_at", "id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_organization_domains_verified" ON "organization_domains"  ("domain") WHERE "status" = 'verified'`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_organization_domains_org_domain" ON "organization_domains"  ("organization_id", "domain") `,
    );
    await queryRunner.query(
      `ALTER TABLE "organizations" ADD "invite_policy" character varying(32) NOT NULL DEFAULT 'any'`,
    );
    await queryRunner.query(
      `ALTER TABLE "organizations" ADD "auto_join_enabled" boolean NOT NULL DEFAULT false`,
    );
    await queryRunner.query(`ALTER TABLE "organizations" ADD "auto_join_role_id" character varying(40)`);
    await queryRunner.query(
      `CREATE INDEX "ix_organizations_auto_join_role" ON "organizations"  ("auto_join_role_id") `,
    );
    await queryRunner.query(
      `ALTER TABLE "organizations" ADD CONSTRAINT "ck_organizations_invite_policy" CHECK ("invite_policy" IN ('any', 'verified_domains_only'))`,
    );
    await queryRunner.query(
      `ALTER TABLE "user_identities" ADD CONSTRAINT "fk_user_identities_user" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "organizations" ADD CONSTRAINT "fk_organizations_auto_join_role" FOREIGN KEY ("auto_join_role_id") REFERENCES "roles"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "organization_domains" ADD CONSTRAINT "fk_organization_domains_organization" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "organization_domains" DROP CONSTRAINT "fk_organization_domains_organization"`,
    );
    await queryRunner.query(`ALTER TABLE "organizations" DROP CONSTRAINT "fk_organizations_auto_join_role"`);
    await queryRunner.query(`ALTER TABLE "user_identities" DROP CONSTRAINT "fk_user_identities_user"`);
    await queryRunner.query(`ALTER TABLE "organizations" DROP CONSTRAINT "ck_organizations_invite_policy"`);
    await queryRunner.query(`DROP INDEX "public"."ix_organizations_auto_join_role"`);
    await queryRunner.query(`ALTER TABLE "organizations" DROP COLUMN "auto_join_role_id"`);
    await queryRunner.query(`ALTER TABLE "organizations" DROP COLUMN "auto_join_enabled"`);
    await queryRunner.query(`ALTER TABLE "organizations" DROP COLUMN "invite_policy"`);
    await queryRunner.query(`DROP INDEX "public"."uq_organization_domains_org_domain"`);
    await queryRunner.query(`DROP INDEX "public"."uq_organization_domains_verified"`);
    await queryRunner.query(`DROP INDEX "public"."ix_organization_domains_org_created"`);
    await queryRunner.query(`DROP TABLE "organization_domains"`);
    await queryRunner.query(`DROP INDEX "public"."uq_user_identities_issuer_subject"`);
    await queryRunner.query(`DROP INDEX "public"."ix_user_identities_user"`);
    await queryRunner.query(`DROP TABLE "user_identities"`);
  }
}
