import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The chain the database's commitments were made on (chain id, genesis block hash, Settlement
 * address), one row. When the service boots on another chain, every commitment is made again
 * there before any result can become FINAL (src/settlement/chain-identity-guard.ts).
 */
export class CreateChainIdentity1795745000000 implements MigrationInterface {
  name = 'CreateChainIdentity1795745000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE chain_identity (
        id smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
        chain_id integer NOT NULL,
        genesis_hash char(66) NOT NULL,
        settlement char(42) NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE chain_identity');
  }
}
