import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * zk mode: one row per circuit prepared for a model (its generated circuit, trusted-setup key,
 * verifier contract and on-chain record, docs/zk.md), and the proof of each ZK-mode inference.
 */
export class CreateZkMode1795560000000 implements MigrationInterface {
  name = 'CreateZkMode1795560000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE zk_circuits (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        model_id uuid NOT NULL REFERENCES models(id) ON DELETE CASCADE,
        batch_size integer NOT NULL CHECK (batch_size >= 1),
        status text NOT NULL CHECK (status IN ('PREPARING', 'READY', 'FAILED')),
        stage text NOT NULL,
        circuit_name text,
        circuit_hash char(64),
        constraints integer,
        layout jsonb,
        ptau jsonb,
        zkey_path text,
        zkey_hash char(64),
        contributions jsonb,
        verification_key jsonb,
        verifier_address char(42),
        chain_tx char(66),
        error_code text,
        error_message text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (model_id, batch_size)
      )`);
    await queryRunner.query(`
      ALTER TABLE inferences
        ADD COLUMN zk_input_commitment text,
        ADD COLUMN zk_proof jsonb,
        ADD COLUMN zk_public_signals text[],
        ADD COLUMN zk_circuit_id uuid REFERENCES zk_circuits(id),
        ADD COLUMN proving_stage text,
        ADD COLUMN settle_tx char(66)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE inferences
        DROP COLUMN settle_tx, DROP COLUMN proving_stage, DROP COLUMN zk_circuit_id,
        DROP COLUMN zk_public_signals, DROP COLUMN zk_proof, DROP COLUMN zk_input_commitment`);
    await queryRunner.query('DROP TABLE zk_circuits');
  }
}
