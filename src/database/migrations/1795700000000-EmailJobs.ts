import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every queued outbox row gets its job (graphile-worker's `email_send`) in the transaction that
 * inserts it, whoever inserts it (invitations, email verification): one add_jobs per statement, over
 * the statement's new rows. The job key is the row's, so re-adding one (the mail sweep, a retry)
 * replaces it. Without the queue's schema (installed by graphile-worker at start, so never missing in
 * a running app) rows still commit; the mail sweep adds their jobs.
 */
export class EmailJobs1795700000000 implements MigrationInterface {
  name = 'EmailJobs1795700000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION email_outbox_add_jobs() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF to_regnamespace('graphile_worker') IS NULL THEN
          RETURN NULL;
        END IF;
        PERFORM graphile_worker.add_jobs(array(
          SELECT ROW('email_send', json_build_object('outbox_id', n.id::text), NULL, n.next_attempt_at, 25,
                     'email:' || n.id, NULL, NULL)::graphile_worker.job_spec
            FROM new_rows n WHERE n.status = 'queued'));
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER email_outbox_jobs AFTER INSERT ON email_outbox
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION email_outbox_add_jobs()`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER email_outbox_jobs ON email_outbox`);
    await queryRunner.query(`DROP FUNCTION email_outbox_add_jobs()`);
  }
}
