import type { MigrationInterface, QueryRunner } from 'typeorm';

const STATUSES_WITH_SLASHED = `'REQUESTED', 'ASSIGNED', 'COMPUTED', 'COMMITTED', 'PROVING',
  'CHALLENGEABLE', 'FINAL', 'FAILED', 'DISPUTED', 'SLASHED'`;
const STATUSES = `'REQUESTED', 'ASSIGNED', 'COMPUTED', 'COMMITTED', 'PROVING',
  'CHALLENGEABLE', 'FINAL', 'FAILED', 'DISPUTED'`;

/**
 * Disputes over committed results and what a lost one leaves behind (src/challenges,
 * docs/disputes.md "Defending disputes"):
 *
 * - `disputes`: one row per DisputeGame dispute opened on one of our result leaves, with the
 *   service's defence (whether it can defend, its last move) and the outcome;
 * - `discarded_results`: a result a dispute refuted, moved off its inference row so the request can
 *   be computed again; the row keeps its batch position, so the batch's tree (and the proofs of
 *   its other leaves) can still be rebuilt;
 * - `inferences.excluded_workers`: workers whose result for the request was refuted, never leased
 *   it again;
 * - SLASHED is no longer a status: a refuted result's request goes back to REQUESTED.
 */
export class CreateDisputes1795650000000 implements MigrationInterface {
  name = 'CreateDisputes1795650000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE disputes (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        dispute_id numeric(78, 0) NOT NULL UNIQUE,
        chain_batch_id numeric(78, 0) NOT NULL,
        leaf_hash char(66) NOT NULL,
        request_id char(66) NOT NULL,
        inference_id uuid REFERENCES inferences (id),
        worker char(42) NOT NULL,
        challenger char(42) NOT NULL,
        status text NOT NULL DEFAULT 'OPEN' CHECK (status IN ('OPEN', 'DEFENDER_WON', 'CHALLENGER_WON')),
        reason text CHECK (reason IN ('INPUT_MISMATCH', 'OUTPUT_MISMATCH', 'ONE_STEP', 'TIMEOUT')),
        phase text NOT NULL,
        defending boolean NOT NULL DEFAULT true,
        note text,
        last_move text,
        last_move_tx char(66),
        moves integer NOT NULL DEFAULT 0,
        slashed_wei numeric(78, 0),
        opened_tx char(66) NOT NULL,
        opened_block bigint NOT NULL,
        opened_at timestamptz NOT NULL,
        resolved_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      'CREATE INDEX disputes_inference_idx ON disputes (inference_id, dispute_id DESC)',
    );
    await queryRunner.query('CREATE INDEX disputes_status_idx ON disputes (status, dispute_id DESC)');
    await queryRunner.query(`
      CREATE TABLE discarded_results (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        inference_id uuid NOT NULL REFERENCES inferences (id),
        request_id char(66) NOT NULL,
        batch_id uuid NOT NULL REFERENCES result_batches (id),
        leaf_index integer NOT NULL,
        leaf_hash char(66) NOT NULL,
        input_commitment char(66) NOT NULL,
        output_commitment char(66) NOT NULL,
        trace_commitment char(66) NOT NULL,
        worker_address char(42) NOT NULL,
        worker_signature text NOT NULL,
        output_fixed bigint[] NOT NULL,
        backend text,
        dispute_id numeric(78, 0) NOT NULL,
        discarded_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (batch_id, leaf_index)
      )`);
    await queryRunner.query(
      'CREATE INDEX discarded_results_inference_idx ON discarded_results (inference_id)',
    );
    await queryRunner.query(
      `ALTER TABLE inferences ADD COLUMN excluded_workers char(42)[] NOT NULL DEFAULT '{}'`,
    );
    await queryRunner.query(`
      ALTER TABLE inferences
        DROP CONSTRAINT inferences_status_check,
        ADD CONSTRAINT inferences_status_check CHECK (status IN (${STATUSES}))`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE inferences
        DROP CONSTRAINT inferences_status_check,
        ADD CONSTRAINT inferences_status_check CHECK (status IN (${STATUSES_WITH_SLASHED}))`);
    await queryRunner.query('ALTER TABLE inferences DROP COLUMN excluded_workers');
    await queryRunner.query('DROP TABLE discarded_results');
    await queryRunner.query('DROP TABLE disputes');
  }
}
