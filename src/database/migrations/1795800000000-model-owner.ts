import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `models.owner`: the Ethereum address a dapp names when it registers a model. Only a signature of
 * that key may enable zk mode for the model (a compile, a trusted setup and a verifier deployment
 * the service pays for); a model without an owner cannot enable zk mode through the API.
 */
export class ModelOwner1795800000000 implements MigrationInterface {
  name = 'ModelOwner1795800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE models ADD COLUMN owner char(42) NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE models DROP COLUMN owner`);
  }
}
