import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A worker that registered with the API (its stake lives on-chain, in WorkerRegistry). */
@Entity({ name: 'workers' })
export class WorkerEntity {
  /** Checksummed Ethereum address: the key that signs its calls and results. */
  @PrimaryColumn({ type: 'char', length: 42 })
  address!: string;

  @Column({ type: 'text' })
  name!: string;

  /** Execution provider the worker reported at registration ('cpu', 'cuda'). */
  @Column({ type: 'text' })
  backend!: string;

  @Column({ name: 'registered_at', type: 'timestamptz' })
  registeredAt!: Date;

  @Column({ name: 'last_seen_at', type: 'timestamptz' })
  lastSeenAt!: Date;
}
