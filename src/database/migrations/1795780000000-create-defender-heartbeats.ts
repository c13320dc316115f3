import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `defender_heartbeats`: one row per account that defends disputes, written after each full pass
 * of its dispute loop (src/challenges/defender-heartbeat.ts). The API's /health reads the freshest
 * one, so it knows whether a defender is alive whether it is its child process or runs elsewhere.
 */
export class CreateDefenderHeartbeats1795780000000 implements MigrationInterface {
  name = 'CreateDefenderHeartbeats1795780000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE defender_heartbeats (
        address char(42) PRIMARY KEY,
        pid integer NOT NULL,
        host text NOT NULL,
        started_at timestamptz NOT NULL,
        beat_at timestamptz NOT NULL
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE defender_heartbeats`);
  }
}
