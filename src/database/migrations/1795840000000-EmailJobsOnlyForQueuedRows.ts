import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The outbox trigger adds jobs only when its statement inserted a queued row. Every events
 * statement now carries the created-invitation emails' INSERT (an EventLog writing reaction), most
 * of them inserting nothing; an add_jobs call with no job would still NOTIFY every worker.
 */
export class EmailJobsOnlyForQueuedRows1795840000000 implements MigrationInterface {
  name = 'EmailJobsOnlyForQueuedRows1795840000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      addJobsFunction(`
        IF to_regnamespace('graphile_worker') IS NULL
           OR NOT EXISTS (SELECT 1 FROM new_rows n WHERE n.status = 'queued') THEN
          RETURN NULL;
        END IF;`),
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      addJobsFunction(`
        IF to_regnamespace('graphile_worker') IS NULL THEN
          RETURN NULL;
        END IF;`),
    );
  }
}

/** email_outbox_add_jobs (1795700000000-EmailJobs.ts) with its opening guard. */
function addJobsFunction(guard: string): string {
  return `
      CREATE OR REPLACE FUNCTION email_outbox_add_jobs() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN${guard}
        PERFORM graphile_worker.add_jobs(array(
          SELECT ROW('email_send', json_build_object('outbox_id', n.id::text), NULL, n.next_attempt_at, 25,
                     'email:' || n.id, NULL, NULL)::graphile_worker.job_spec
            FROM new_rows n WHERE n.status = 'queued'));
        RETURN NULL;
      END $$`;
}
