import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `models.chain_status` CONFLICT: the ModelRegistry holds the commitment for another owner (or
 * without optimistic mode), so the service refuses to anchor it (src/settlement/model-anchorer.ts).
 */
export class ModelChainConflict1795760000000 implements MigrationInterface {
  name = 'ModelChainConflict1795760000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE models DROP CONSTRAINT models_chain_status_check`);
    await queryRunner.query(
      `ALTER TABLE models ADD CONSTRAINT models_chain_status_check CHECK (chain_status IN ('PENDING', 'REGISTERED', 'CONFLICT'))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`UPDATE models SET chain_status = 'PENDING' WHERE chain_status = 'CONFLICT'`);
    await queryRunner.query(`ALTER TABLE models DROP CONSTRAINT models_chain_status_check`);
    await queryRunner.query(
      `ALTER TABLE models ADD CONSTRAINT models_chain_status_check CHECK (chain_status IN ('PENDING', 'REGISTERED'))`,
    );
  }
}
