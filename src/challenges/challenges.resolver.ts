import { Args, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { Inference } from '../inference/dto/inference.model';
import { pageCost } from '../common/graphql-limits';
import { DISPUTES_PER_INFERENCE_ESTIMATE, MAX_DISPUTES_PAGE_SIZE } from './challenges.constants';
import { ChallengesService } from './challenges.service';
import { DisputeHistoryService } from './dispute-history.service';
import { DisputeClocks, DisputeMove } from './dto/dispute-history.model';
import { Dispute } from './dto/dispute.model';
import { DisputesArgs } from './dto/disputes.args';
import { toDisputeModel } from './to-dispute-model';

/** The `disputes` query: disputes over our results, newest first. */
@Resolver(() => Dispute)
export class ChallengesResolver {
  constructor(private readonly challenges: ChallengesService) {}

  @Query(() => [Dispute], {
    description: 'Disputes over results this service committed, newest first',
    complexity: ({ args, childComplexity }) => pageCost(args.first, childComplexity, MAX_DISPUTES_PAGE_SIZE),
  })
  async disputes(@Args() args: DisputesArgs): Promise<Dispute[]> {
    return (await this.challenges.list(args.first, args.status)).map(toDisputeModel);
  }
}

/** `Inference.disputes`: the disputes over an inference's results. */
@Resolver(() => Inference)
export class InferenceDisputesResolver {
  constructor(private readonly challenges: ChallengesService) {}

  @ResolveField(() => [Dispute], {
    description: 'Disputes over this inference’s results (current or discarded), newest first',
    complexity: ({ childComplexity }) => 1 + DISPUTES_PER_INFERENCE_ESTIMATE * childComplexity,
  })
  async disputes(@Parent() inference: Inference): Promise<Dispute[]> {
    return (await this.challenges.ofInference(inference.id)).map(toDisputeModel);
  }
}

/** Reads of a dispute the chain holds and the table does not: each move, both clocks. */
const CHAIN_READ_COMPLEXITY = 10;

/** `Dispute.history` and `Dispute.clocks`, read from DisputeGame. */
@Resolver(() => Dispute)
export class DisputeHistoryResolver {
  constructor(private readonly reader: DisputeHistoryService) {}

  @ResolveField(() => [DisputeMove], {
    description: "Every move of the dispute and its outcome, oldest first, from DisputeGame's events",
    complexity: ({ childComplexity }) => CHAIN_READ_COMPLEXITY + childComplexity,
  })
  async history(@Parent() dispute: Dispute): Promise<DisputeMove[]> {
    return this.reader.moves(dispute.disputeId, dispute.openedBlock);
  }

  @ResolveField(() => DisputeClocks, {
    description: "Both sides' clocks now (DisputeGame.clockRemaining at the latest block)",
    complexity: ({ childComplexity }) => CHAIN_READ_COMPLEXITY + childComplexity,
  })
  async clocks(@Parent() dispute: Dispute): Promise<DisputeClocks> {
    return this.reader.clocks(dispute.disputeId);
  }
}
