import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `rate_limit_windows`: the rate limiter's counters, shared by every API replica
 * (src/database/pg-throttler-storage.ts): hits in the current fixed window per key, and the end
 * of a block once the limit was passed.
 */
export class CreateRateLimitWindows1795820000000 implements MigrationInterface {
  name = 'CreateRateLimitWindows1795820000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE rate_limit_windows (
        key text PRIMARY KEY,
        hits integer NOT NULL,
        window_ends timestamptz NOT NULL,
        blocked_until timestamptz NULL
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE rate_limit_windows`);
  }
}
