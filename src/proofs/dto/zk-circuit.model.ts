import { Field, ID, Int, ObjectType } from '@nestjs/graphql';

@ObjectType({ description: 'One phase-2 contribution to a circuit key (snarkjs zkey verify lists the same).' })
export class ZkContribution {
  @Field()
  name!: string;

  @Field({ description: 'blake2b contribution hash' })
  hash!: string;
}

@ObjectType({ description: "A model's zk circuit for a batch size: generated circuit, trusted-setup key and on-chain verifier." })
export class ZkCircuit {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  modelId!: string;

  @Field(() => Int, { description: 'Inferences proven per proof' })
  batchSize!: number;

  @Field({ description: 'PREPARING, READY or FAILED' })
  status!: string;

  @Field({ description: 'Progress of the preparation (compile, setup, deploy, register), or ready/failed' })
  stage!: string;

  @Field(() => String, { nullable: true, description: 'sha256 of the circom source, libraries and compiler' })
  circuitHash!: string | null;

  @Field(() => Int, { nullable: true })
  constraints!: number | null;

  @Field(() => Int, { nullable: true, description: 'Power of the powers-of-tau file used' })
  ptauPower!: number | null;

  @Field(() => Boolean, {
    nullable: true,
    description: 'True when the setup used a locally generated development ptau: whoever ran it could forge proofs',
  })
  developmentSetup!: boolean | null;

  @Field(() => String, { nullable: true, description: 'sha256 of the final zkey (also recorded on-chain)' })
  zkeyHash!: string | null;

  @Field(() => [ZkContribution], { nullable: true })
  contributions!: ZkContribution[] | null;

  @Field(() => String, { nullable: true, description: 'Groth16 verification key, JSON' })
  verificationKey!: string | null;

  @Field(() => String, { nullable: true })
  verifierAddress!: string | null;

  @Field(() => String, { nullable: true, description: 'The ModelRegistry.addZkCircuit transaction' })
  chainTx!: string | null;

  @Field(() => String, { nullable: true })
  errorCode!: string | null;

  @Field(() => String, { nullable: true })
  errorMessage!: string | null;
}
