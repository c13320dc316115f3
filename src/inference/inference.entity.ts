import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { InferenceMode, InferenceOrigin, InferenceStatus } from './inference-status';

/** One inference request and its result, as it moves through the lifecycle (inference-status.ts). */
@Entity({ name: 'inferences' })
export class InferenceEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** Insertion order (bigserial): the keyset of `inferences` pages. */
  @Column({ type: 'bigint', insert: false, update: false })
  seq!: string;

  /** bytes32 id of the request in result leaves and on-chain (inference-ids.ts). */
  @Column({ name: 'request_id', type: 'char', length: 66, unique: true })
  requestId!: string;

  @Column({ name: 'model_id', type: 'uuid' })
  modelId!: string;

  @Column({ type: 'text' })
  mode!: InferenceMode;

  @Column({ type: 'text' })
  origin!: InferenceOrigin;

  /** Who asked: the API client key, or the requesting contract's address. */
  @Column({ name: 'client_id', type: 'text' })
  clientId!: string;

  /** The client's own id for the request; a repeated one returns the first inference. */
  @Column({ name: 'client_request_id', type: 'text', nullable: true })
  clientRequestId!: string | null;

  /** Quantized input, integers as decimal strings (bigint[] column). */
  @Column({ name: 'input_fixed', type: 'bigint', array: true })
  inputFixed!: string[];

  @Column({ name: 'input_commitment', type: 'char', length: 66 })
  inputCommitment!: string;

  @Column({ type: 'text' })
  status!: InferenceStatus;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'worker_address', type: 'char', length: 42, nullable: true })
  workerAddress!: string | null;

  @Column({ name: 'lease_expires_at', type: 'timestamptz', nullable: true })
  leaseExpiresAt!: Date | null;

  @Column({ name: 'lease_seconds', type: 'integer', nullable: true })
  leaseSeconds!: number | null;

  /** The execution provider the worker reported ('cpu', 'cuda'). */
  @Column({ type: 'text', nullable: true })
  backend!: string | null;

  @Column({ name: 'output_fixed', type: 'bigint', array: true, nullable: true })
  outputFixed!: string[] | null;

  @Column({ name: 'output_commitment', type: 'char', length: 66, nullable: true })
  outputCommitment!: string | null;

  @Column({ name: 'trace_commitment', type: 'char', length: 66, nullable: true })
  traceCommitment!: string | null;

  /** The worker's EIP-712 signature over the result leaf (src/chain/typed-data.ts). */
  @Column({ name: 'worker_signature', type: 'text', nullable: true })
  workerSignature!: string | null;

  @Column({ name: 'batch_id', type: 'uuid', nullable: true })
  batchId!: string | null;

  @Column({ name: 'leaf_index', type: 'integer', nullable: true })
  leafIndex!: number | null;

  @Column({ name: 'challenge_ends_at', type: 'timestamptz', nullable: true })
  challengeEndsAt!: Date | null;

  @Column({ name: 'chain_requester', type: 'char', length: 42, nullable: true })
  chainRequester!: string | null;

  @Column({ type: 'char', length: 42, nullable: true })
  callback!: string | null;

  @Column({ name: 'fee_wei', type: 'numeric', precision: 78, scale: 0, nullable: true })
  feeWei!: string | null;

  @Column({ name: 'request_tx', type: 'char', length: 66, nullable: true })
  requestTx!: string | null;

  @Column({ name: 'reveal_tx', type: 'char', length: 66, nullable: true })
  revealTx!: string | null;

  @Column({ name: 'finalize_tx', type: 'char', length: 66, nullable: true })
  finalizeTx!: string | null;

  @Column({ name: 'error_code', type: 'text', nullable: true })
  errorCode!: string | null;

  @Column({ name: 'error_message', type: 'text', nullable: true })
  errorMessage!: string | null;

  @Column({ name: 'zk_input_commitment', type: 'text', nullable: true })
  zkInputCommitment!: string | null;

  @Column({ name: 'zk_proof', type: 'jsonb', nullable: true })
  zkProof!: unknown;

  @Column({ name: 'zk_public_signals', type: 'text', array: true, nullable: true })
  zkPublicSignals!: string[] | null;

  @Column({ name: 'zk_circuit_id', type: 'uuid', nullable: true })
  zkCircuitId!: string | null;

  @Column({ name: 'proving_stage', type: 'text', nullable: true })
  provingStage!: string | null;

  @Column({ name: 'settle_tx', type: 'char', length: 66, nullable: true })
  settleTx!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @Column({ name: 'computed_at', type: 'timestamptz', nullable: true })
  computedAt!: Date | null;

  @Column({ name: 'committed_at', type: 'timestamptz', nullable: true })
  committedAt!: Date | null;

  @Column({ name: 'final_at', type: 'timestamptz', nullable: true })
  finalAt!: Date | null;
}
