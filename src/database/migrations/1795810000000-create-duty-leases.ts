import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `duty_leases`: which process runs a duty that must run once (the service account's chain duties,
 * a defender key's dispute loops) when several API replicas share the database
 * (src/database/duty-lease.ts). `token` grows by one at every change of holder: the fencing token.
 */
export class CreateDutyLeases1795810000000 implements MigrationInterface {
  name = 'CreateDutyLeases1795810000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE duty_leases (
        name text PRIMARY KEY,
        holder text NOT NULL,
        token bigint NOT NULL,
        expires_at timestamptz NOT NULL,
        acquired_at timestamptz NOT NULL
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE duty_leases`);
  }
}
