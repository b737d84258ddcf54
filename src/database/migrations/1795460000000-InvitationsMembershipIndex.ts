import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Revoking or declining an invitation deletes its pending membership, and PostgreSQL then runs
 * fk_invitations_membership's ON DELETE SET NULL as `UPDATE invitations … WHERE membership_id = $1`.
 * Without an index on membership_id that is a sequential scan of every invitation, per revoke
 * (test/query-plans.e2e-spec.ts).
 */
export class InvitationsMembershipIndex1795460000000 implements MigrationInterface {
  name = 'InvitationsMembershipIndex1795460000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX "ix_invitations_membership" ON "invitations" ("membership_id") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_invitations_membership"`);
  }
}
