import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The fair queue (src/workers/fair-queue.ts, docs/service.md "A fair queue"):
 *
 * - `inferences.claim_id`, `leased_at`: the claim that leased the row and when, so a lease is
 *   never extended past its maximum lifetime and a lapse is counted once per claim;
 * - `inferences.lapsed_workers`: the distinct workers (lowercase) whose lease on the request
 *   lapsed; the request fails on lapses only when enough distinct workers are in it;
 * - `lease_lapses`: one row per claim whose lease(s) lapsed unsubmitted, the per-worker count
 *   that throttles and then excludes a worker;
 * - an index to count the jobs a worker holds.
 */
export class CreateFairQueue1795740000000 implements MigrationInterface {
  name = 'CreateFairQueue1795740000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE inferences
        ADD COLUMN claim_id uuid,
        ADD COLUMN leased_at timestamptz,
        ADD COLUMN lapsed_workers char(42)[] NOT NULL DEFAULT '{}'`);
    await queryRunner.query(
      "CREATE INDEX inferences_worker_leases_idx ON inferences (worker_address) WHERE status = 'ASSIGNED'",
    );
    await queryRunner.query(`
      CREATE TABLE lease_lapses (
        claim_id uuid PRIMARY KEY,
        worker char(42) NOT NULL,
        jobs integer NOT NULL CHECK (jobs > 0),
        lapsed_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query('CREATE INDEX lease_lapses_worker_idx ON lease_lapses (worker, lapsed_at)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE lease_lapses');
    await queryRunner.query('DROP INDEX inferences_worker_leases_idx');
    await queryRunner.query(
      'ALTER TABLE inferences DROP COLUMN lapsed_workers, DROP COLUMN leased_at, DROP COLUMN claim_id',
    );
  }
}
