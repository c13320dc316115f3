import { Field, Float, ID, Int, ObjectType } from '@nestjs/graphql';
import { PageInfo } from '../../models/dto/model.model';
import { InferenceModeEnum, InferenceOriginEnum, InferenceStatusEnum } from './inference-enums';

@ObjectType({ description: 'The on-chain batch a result was committed in' })
export class ResultBatch {
  @Field(() => ID)
  id!: string;

  @Field({
    description: "Merkle root over the batch's result leaves (contracts/libraries/LibResultMerkle.sol)",
  })
  root!: string;

  @Field(() => Int)
  leafCount!: number;

  @Field({ description: 'PENDING, SUBMITTED or COMMITTED' })
  status!: string;

  @Field(() => String, { nullable: true, description: 'Settlement batch id' })
  chainBatchId!: string | null;

  @Field(() => String, { nullable: true, description: 'The commitBatch transaction' })
  txHash!: string | null;

  @Field(() => String, { nullable: true })
  blockNumber!: string | null;

  @Field(() => Date, { nullable: true, description: 'Block time of the commit' })
  committedAt!: Date | null;
}

@ObjectType({ description: 'A Groth16 proof of one inference and the public signals it was verified against (docs/zk.md).' })
export class ZkProof {
  @Field({ description: 'The snarkjs proof object (pi_a, pi_b, pi_c), JSON' })
  proof!: string;

  @Field(() => [String], { description: 'Public signals: input commitment(s), packed outputs, beneficiary' })
  publicSignals!: string[];

  @Field({ description: 'Poseidon commitment of the quantized input (the first public signal)' })
  inputCommitment!: string;

  @Field(() => ID, { description: 'The zk circuit (model + batch size) whose verification key checks it' })
  circuitId!: string;

  @Field(() => String, { nullable: true, description: 'The ZkSettlement.settleZk transaction in which the verifier accepted it' })
  settleTx!: string | null;
}

@ObjectType()
export class InferenceFailure {
  @Field()
  code!: string;

  @Field()
  message!: string;
}

@ObjectType({ description: 'An inference request and everything needed to check its result' })
export class Inference {
  @Field(() => ID)
  id!: string;

  @Field({ description: 'bytes32 request id used in result leaves, signatures and on-chain' })
  requestId!: string;

  @Field(() => ID)
  modelId!: string;

  @Field({ description: 'Commitment of the model that computes it' })
  modelCommitment!: string;

  @Field(() => InferenceModeEnum)
  mode!: InferenceModeEnum;

  @Field(() => InferenceOriginEnum)
  origin!: InferenceOriginEnum;

  @Field(() => InferenceStatusEnum)
  status!: InferenceStatusEnum;

  @Field(() => [Float], { description: 'The quantized input in real units (fixed / 2^F)' })
  input!: number[];

  @Field(() => [String], { description: 'The quantized input, integers' })
  inputFixed!: string[];

  @Field()
  inputCommitment!: string;

  @Field(() => [Float], { nullable: true, description: 'The output in real units (fixed / 2^F)' })
  output!: number[] | null;

  @Field(() => [String], {
    nullable: true,
    description: 'The output, fixed-point integers (what is committed)',
  })
  outputFixed!: string[] | null;

  @Field(() => String, { nullable: true, description: 'tensor root of outputFixed (commitment format v3)' })
  outputCommitment!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Commitment to the per-step trace (docs/semantics.md)',
  })
  traceCommitment!: string | null;

  @Field(() => String, { nullable: true, description: 'The worker that computed it' })
  worker!: string | null;

  @Field(() => String, { nullable: true, description: "The worker's EIP-712 signature over the result leaf" })
  workerSignature!: string | null;

  @Field(() => String, { nullable: true, description: 'Execution provider the worker used (cpu, cuda)' })
  backend!: string | null;

  @Field(() => Int, { description: 'Leases granted so far' })
  attempts!: number;

  @Field(() => ResultBatch, { nullable: true })
  batch!: ResultBatch | null;

  @Field(() => Int, { nullable: true, description: 'Position of the leaf in its batch' })
  leafIndex!: number | null;

  @Field(() => String, {
    nullable: true,
    description:
      'Hash of the result leaf the worker signed (LibResultMerkle: keccak256(keccak256(abi.encode(requestId, modelCommitment, inputCommitment, outputCommitment, traceCommitment, worker)))), once there is a complete result',
  })
  leafHash!: string | null;

  @Field(() => [String], {
    nullable: true,
    description:
      "Merkle siblings from the leaf up to its batch's root (sorted-pair tree), while the result is in a batch: what DisputeGame.open and Settlement.reveal take as the leaf proof",
  })
  leafProof?: string[] | null;

  @Field(() => String, { nullable: true, description: 'Transaction of an on-chain request' })
  requestTx!: string | null;

  @Field(() => String, { nullable: true })
  revealTx!: string | null;

  @Field(() => String, { nullable: true })
  finalizeTx!: string | null;

  @Field(() => Date, { nullable: true, description: 'Optimistic mode: end of the challenge window' })
  challengeEndsAt!: Date | null;

  @Field(() => ZkProof, { nullable: true, description: 'ZK mode: the Groth16 proof, so anyone can re-verify the result' })
  proof!: ZkProof | null;

  @Field(() => String, { nullable: true, description: 'ZK mode: what the prover is doing (witness, proving, settling), or why it retries' })
  provingStage!: string | null;

  @Field(() => InferenceFailure, { nullable: true })
  error!: InferenceFailure | null;

  @Field()
  createdAt!: Date;

  @Field()
  updatedAt!: Date;

  @Field(() => Date, { nullable: true })
  computedAt!: Date | null;

  @Field(() => Date, { nullable: true })
  committedAt!: Date | null;

  @Field(() => Date, { nullable: true })
  finalAt!: Date | null;
}

@ObjectType()
export class InferenceEdge {
  @Field()
  cursor!: string;

  @Field(() => Inference)
  node!: Inference;
}

@ObjectType()
export class InferenceConnection {
  @Field(() => [InferenceEdge])
  edges!: InferenceEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}
