import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The inference lifecycle (src/inference/inference-status.ts), result batches, workers and the
 * replay guard of the worker API, and the cursor of the on-chain request watcher.
 */
export class CreateInferenceLifecycle1795470000000 implements MigrationInterface {
  name = 'CreateInferenceLifecycle1795470000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE models
        ADD COLUMN modes text[] NOT NULL DEFAULT '{OPTIMISTIC}',
        ADD COLUMN chain_status text NOT NULL DEFAULT 'PENDING' CHECK (chain_status IN ('PENDING', 'REGISTERED')),
        ADD COLUMN chain_tx char(66)`);
    await queryRunner.query(`
      CREATE TABLE workers (
        address char(42) PRIMARY KEY,
        name text NOT NULL,
        backend text NOT NULL,
        registered_at timestamptz NOT NULL DEFAULT now(),
        last_seen_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE worker_call_nonces (
        worker char(42) NOT NULL,
        nonce char(66) NOT NULL,
        expires_at timestamptz NOT NULL,
        PRIMARY KEY (worker, nonce)
      )`);
    await queryRunner.query('CREATE INDEX worker_call_nonces_expires_idx ON worker_call_nonces (expires_at)');
    await queryRunner.query(`
      CREATE TABLE result_batches (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        root char(66) NOT NULL,
        leaf_count integer NOT NULL CHECK (leaf_count > 0),
        status text NOT NULL CHECK (status IN ('PENDING', 'SUBMITTED', 'COMMITTED')),
        tx_hash char(66),
        tx_nonce integer,
        send_attempts integer NOT NULL DEFAULT 0,
        last_error text,
        chain_batch_id bigint,
        block_number bigint,
        committed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query("CREATE INDEX result_batches_open_idx ON result_batches (created_at) WHERE status <> 'COMMITTED'");
    await queryRunner.query(`
      CREATE TABLE inferences (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        seq bigserial NOT NULL UNIQUE,
        request_id char(66) NOT NULL UNIQUE,
        model_id uuid NOT NULL REFERENCES models (id),
        mode text NOT NULL CHECK (mode IN ('ZK', 'OPTIMISTIC')),
        origin text NOT NULL CHECK (origin IN ('API', 'CHAIN')),
        client_id text NOT NULL,
        client_request_id text,
        input_fixed bigint[] NOT NULL,
        input_commitment char(66) NOT NULL,
        status text NOT NULL CHECK (status IN ('REQUESTED', 'ASSIGNED', 'COMPUTED', 'COMMITTED', 'PROVING',
          'CHALLENGEABLE', 'FINAL', 'FAILED', 'DISPUTED', 'SLASHED')),
        attempts integer NOT NULL DEFAULT 0,
        worker_address char(42),
        lease_expires_at timestamptz,
        lease_seconds integer,
        backend text,
        output_fixed bigint[],
        output_commitment char(66),
        trace_commitment char(66),
        worker_signature text,
        batch_id uuid REFERENCES result_batches (id),
        leaf_index integer,
        challenge_ends_at timestamptz,
        chain_requester char(42),
        callback char(42),
        fee_wei numeric(78, 0),
        request_tx char(66),
        reveal_tx char(66),
        finalize_tx char(66),
        error_code text,
        error_message text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        computed_at timestamptz,
        committed_at timestamptz,
        final_at timestamptz,
        UNIQUE (client_id, client_request_id)
      )`);
    await queryRunner.query("CREATE INDEX inferences_queue_idx ON inferences (created_at, id) WHERE status = 'REQUESTED'");
    await queryRunner.query("CREATE INDEX inferences_leases_idx ON inferences (lease_expires_at) WHERE status = 'ASSIGNED'");
    await queryRunner.query(
      "CREATE INDEX inferences_unbatched_idx ON inferences (computed_at, id) WHERE status = 'COMPUTED' AND batch_id IS NULL",
    );
    await queryRunner.query('CREATE INDEX inferences_batch_idx ON inferences (batch_id)');
    await queryRunner.query(
      "CREATE INDEX inferences_challenge_idx ON inferences (challenge_ends_at) WHERE status = 'CHALLENGEABLE'",
    );
    await queryRunner.query('CREATE INDEX inferences_model_idx ON inferences (model_id, seq DESC)');
    await queryRunner.query('CREATE INDEX inferences_status_idx ON inferences (status, seq DESC)');
    await queryRunner.query(`
      CREATE TABLE chain_cursors (
        name text PRIMARY KEY,
        block_number bigint NOT NULL
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE chain_cursors');
    await queryRunner.query('DROP TABLE inferences');
    await queryRunner.query('DROP TABLE result_batches');
    await queryRunner.query('DROP TABLE worker_call_nonces');
    await queryRunner.query('DROP TABLE workers');
    await queryRunner.query('ALTER TABLE models DROP COLUMN chain_tx, DROP COLUMN chain_status, DROP COLUMN modes');
  }
}
