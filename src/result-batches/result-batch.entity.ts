import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export type ResultBatchStatus = 'PENDING' | 'SUBMITTED' | 'COMMITTED';

/**
 * A mined batch. Passed to SQL as a parameter: an inference status has the same name, and no
 * status literal is written in SQL outside src/inference/lifecycle (status-literals.spec.ts).
 */
export const BATCH_COMMITTED: ResultBatchStatus = 'COMMITTED';

/**
 * A Merkle root over computed results, committed in one Settlement.commitBatch transaction.
 * PENDING: built, not yet sent; SUBMITTED: sent as `txHash` with `txNonce`; COMMITTED: mined.
 */
@Entity({ name: 'result_batches' })
export class ResultBatchEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'char', length: 66 })
  root!: string;

  @Column({ name: 'leaf_count', type: 'integer' })
  leafCount!: number;

  @Column({ type: 'text' })
  status!: ResultBatchStatus;

  @Column({ name: 'tx_hash', type: 'char', length: 66, nullable: true })
  txHash!: string | null;

  @Column({ name: 'tx_nonce', type: 'integer', nullable: true })
  txNonce!: number | null;

  @Column({ name: 'send_attempts', type: 'integer', default: 0 })
  sendAttempts!: number;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  /** Settlement's batch id (from the BatchCommitted event). */
  @Column({ name: 'chain_batch_id', type: 'bigint', nullable: true })
  chainBatchId!: string | null;

  @Column({ name: 'block_number', type: 'bigint', nullable: true })
  blockNumber!: string | null;

  /** The block timestamp of the commit: the reveal deadline and API results' window start. */
  @Column({ name: 'committed_at', type: 'timestamptz', nullable: true })
  committedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
