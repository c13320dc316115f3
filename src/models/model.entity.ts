import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A registered model: the ONNX bytes as received and its canonical quantized form. */
@Entity({ name: 'models' })
export class ModelEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  name!: string;

  /** keccak256 model commitment (docs/semantics.md), 0x-prefixed; unique. */
  @Column({ type: 'char', length: 66, unique: true })
  commitment!: string;

  @Column({ name: 'onnx_sha256', type: 'char', length: 64 })
  onnxSha256!: string;

  @Column({ type: 'bytea' })
  onnx!: Buffer;

  /** The QuantizedModel JSON: everything needed to evaluate, prove or dispute. */
  @Column({ type: 'jsonb' })
  quantized!: unknown;

  @Column({ type: 'text', array: true })
  ops!: string[];

  @Column({ name: 'parameter_count', type: 'integer' })
  parameterCount!: number;

  @Column({ name: 'input_shape', type: 'integer', array: true })
  inputShape!: number[];

  @Column({ name: 'output_shape', type: 'integer', array: true })
  outputShape!: number[];

  @Column({ name: 'fraction_bits', type: 'integer' })
  fractionBits!: number;

  @Column({ type: 'jsonb' })
  accuracy!: unknown;

  /** Modes requests may use: OPTIMISTIC always; ZK once a circuit and verifier exist. */
  @Column({ type: 'text', array: true })
  modes!: string[];

  /** PENDING until the commitment is registered in ModelRegistry (then REGISTERED); CONFLICT when another owner holds it there. */
  @Column({ name: 'chain_status', type: 'text' })
  chainStatus!: 'PENDING' | 'REGISTERED' | 'CONFLICT';

  @Column({ name: 'chain_tx', type: 'char', length: 66, nullable: true })
  chainTx!: string | null;

  /** The address (checksummed) whose EIP-712 signature may enable zk mode; null: nobody may through the API. */
  @Column({ type: 'char', length: 42, nullable: true })
  owner!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

/** A model as listings load it: every column but the ONNX bytes and the quantized JSON. */
export type ModelListing = Omit<ModelEntity, 'onnx' | 'quantized'> & { inputBound: number };

export const LISTING_COLUMNS = [
  'id',
  'name',
  'commitment',
  'onnxSha256',
  'ops',
  'parameterCount',
  'inputShape',
  'outputShape',
  'fractionBits',
  'accuracy',
  'modes',
  'chainStatus',
  'chainTx',
  'owner',
  'createdAt',
] as const satisfies readonly (keyof ModelListing)[];
