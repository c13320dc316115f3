import { Field, ID, InputType, Int, ObjectType } from '@nestjs/graphql';

@InputType({
  description: 'EIP-712 WorkerCall signature authenticating one worker call (src/chain/typed-data.ts)',
})
export class WorkerAuthInput {
  @Field({ description: 'The worker address that signed' })
  worker!: string;

  @Field({
    description:
      'The payloadHash(input) that was signed; the signer is recovered from it before the input is hashed and compared',
  })
  payloadHash!: string;

  @Field({ description: 'Random bytes32, accepted once' })
  nonce!: string;

  @Field(() => Int, { description: 'Unix seconds after which the call is refused (at most 300 s ahead)' })
  deadline!: number;

  @Field({ description: 'Signature over WorkerCall{worker, operation, payloadHash(input), nonce, deadline}' })
  signature!: string;
}

@InputType()
export class RegisterWorkerInput {
  @Field()
  name!: string;

  @Field({ description: 'Execution provider the worker runs (cpu, cuda)' })
  backend!: string;
}

@InputType()
export class ClaimJobsInput {
  @Field(() => Int, { description: '1..256' })
  maxJobs!: number;

  @Field(() => Int, { description: 'Long-poll up to this many ms (0..10000) when no job is ready' })
  waitMs!: number;

  @Field(() => Int, { description: 'Lease length, 2..600 s; heartbeats extend it' })
  leaseSeconds!: number;
}

@InputType()
export class HeartbeatInput {
  @Field(() => [ID])
  jobIds!: string[];
}

@InputType()
export class ResultSubmissionInput {
  @Field(() => ID)
  jobId!: string;

  @Field(() => [String], { description: 'Output, fixed-point integers' })
  outputFixed!: string[];

  @Field()
  outputCommitment!: string;

  @Field()
  traceCommitment!: string;

  @Field({ description: 'EIP-712 Result signature over the leaf' })
  signature!: string;
}

@InputType()
export class SubmitResultsInput {
  @Field()
  backend!: string;

  @Field(() => [ResultSubmissionInput])
  results!: ResultSubmissionInput[];
}

@ObjectType()
export class Worker {
  @Field()
  address!: string;

  @Field()
  name!: string;

  @Field()
  backend!: string;

  @Field()
  registeredAt!: Date;

  @Field()
  lastSeenAt!: Date;
}

@ObjectType({ description: 'A leased job: compute the model on inputFixed and sign the result leaf' })
export class Job {
  @Field(() => ID)
  id!: string;

  @Field()
  requestId!: string;

  @Field(() => ID)
  modelId!: string;

  @Field()
  modelCommitment!: string;

  @Field()
  inputCommitment!: string;

  @Field(() => [String])
  inputFixed!: string[];

  @Field()
  leaseExpiresAt!: Date;
}

@ObjectType()
export class HeartbeatResult {
  @Field(() => [ID], { description: 'Jobs whose lease was extended' })
  extended!: string[];

  @Field(() => [ID], { description: 'Jobs this worker no longer holds' })
  lost!: string[];

  @Field(() => Date, { nullable: true })
  leaseExpiresAt!: Date | null;
}

@ObjectType({ description: 'Where and under which rules results are settled' })
export class ProtocolInfo {
  @Field(() => Int)
  chainId!: number;

  @Field({ description: 'Settlement contract: also the EIP-712 verifyingContract' })
  settlement!: string;

  @Field()
  workerRegistry!: string;

  @Field()
  modelRegistry!: string;

  @Field(() => Int)
  challengeWindowSeconds!: number;

  @Field({ description: 'Stake a worker needs in WorkerRegistry, wei' })
  minimumStakeWei!: string;

  @Field({
    description: 'The dispute game (Settlement.disputeGame): where a committed result leaf is challenged',
  })
  disputeGame!: string;

  @Field({ description: 'The exact bond DisputeGame.open takes, wei' })
  challengerBondWei!: string;

  @Field(() => Int, { description: "Each side's total clock per dispute (DisputeGame.maxClockSeconds)" })
  maxClockSeconds!: number;
}
