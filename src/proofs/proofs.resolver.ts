import { Args, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Throttle } from '@nestjs/throttler';
import { ZkCircuit } from './dto/zk-circuit.model';
import { ZkCircuitsService } from './zk-circuits.service';
import { ZkVerification } from './zk-verification';
import { toZkCircuit } from './to-zk-circuit';
import { ENABLE_ZK_MODE_PER_MINUTE } from './proofs.errors';

@Resolver(() => ZkCircuit)
export class ProofsResolver {
  constructor(
    private readonly circuits: ZkCircuitsService,
    private readonly verification: ZkVerification,
  ) {}

  @Mutation(() => ZkCircuit, {
    description:
      "Prepares zk mode for a model: generates its circuit, runs the trusted setup and deploys its verifier (minutes; poll zkCircuit for progress). ZK requests are accepted once it is READY. Only the model's owner may: `signature` is the owner's EIP-712 EnableZkMode(modelCommitment, batchSize, deadline) signature in the deployment's domain (docs/zk.md).",
  })
  // Minutes of CPU and a verifier deployment per new circuit: a tighter per-peer limit than reads.
  @Throttle({ 'per-minute': { limit: ENABLE_ZK_MODE_PER_MINUTE, ttl: 60_000 } })
  async enableZkMode(
    @Args('modelId', { type: () => ID }) modelId: string,
    @Args('deadline', { type: () => Int, description: 'Unix seconds after which the signature is refused (at most an hour ahead)' })
    deadline: number,
    @Args('signature', { description: "The model owner's EIP-712 EnableZkMode signature, 65 bytes hex" }) signature: string,
    @Args('batchSize', { type: () => Int, defaultValue: 1 }) batchSize: number,
  ): Promise<ZkCircuit> {
    return toZkCircuit(await this.circuits.enable(modelId, batchSize, { deadline, signature }));
  }

  @Query(() => ZkCircuit)
  async zkCircuit(@Args('id', { type: () => ID }) id: string): Promise<ZkCircuit> {
    return toZkCircuit(await this.circuits.get(id));
  }

  @Query(() => [ZkCircuit], { description: "A model's zk circuits, by batch size" })
  async zkCircuits(@Args('modelId', { type: () => ID }) modelId: string): Promise<ZkCircuit[]> {
    return (await this.circuits.list(modelId)).map(toZkCircuit);
  }

  @Query(() => Boolean, {
    description: "Checks a Groth16 proof off-chain against a circuit's verification key (what the on-chain verifier checks)",
  })
  async verifyZkProof(
    @Args('circuitId', { type: () => ID }) circuitId: string,
    @Args('proof') proof: string,
    @Args('publicSignals', { type: () => [String] }) publicSignals: string[],
  ): Promise<boolean> {
    return this.verification.verify(circuitId, proof, publicSignals);
  }
}
