import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { DisputeReasonEnum, DisputeStatusEnum } from './dispute-enums';

@ObjectType({
  description:
    'A dispute over one committed result leaf (contracts/dispute/DisputeGame.sol) and how the service defends it',
})
export class Dispute {
  @Field(() => ID)
  id!: string;

  @Field({ description: "DisputeGame's dispute id" })
  disputeId!: string;

  @Field({ description: 'Settlement batch id of the batch holding the leaf' })
  batchId!: string;

  @Field({ description: 'Hash of the disputed result leaf' })
  leafHash!: string;

  @Field({ description: 'bytes32 id of the request the leaf answers' })
  requestId!: string;

  @Field(() => ID, {
    nullable: true,
    description: 'The inference whose result (current or discarded) is disputed',
  })
  inferenceId!: string | null;

  @Field({ description: 'The worker the leaf names (slashed if the challenger wins)' })
  worker!: string;

  @Field({ description: 'Who opened the dispute' })
  challenger!: string;

  @Field(() => DisputeStatusEnum)
  status!: DisputeStatusEnum;

  @Field(() => DisputeReasonEnum, { nullable: true, description: 'What decided it, once decided' })
  reason!: DisputeReasonEnum | null;

  @Field({ description: 'The move awaited next (AWAIT_TRACE_PAGE ... AWAIT_ONE_STEP), RESOLVED once decided' })
  phase!: string;

  @Field({ description: 'Whether the service answers this dispute (see note when not)' })
  defending!: boolean;

  @Field(() => String, { nullable: true, description: 'Why the service does not defend it' })
  note!: string | null;

  @Field(() => String, {
    nullable: true,
    description: "The service's last move (e.g. revealTrace, claimTimeout)",
  })
  lastMove!: string | null;

  @Field(() => String, { nullable: true, description: 'The transaction of that move' })
  lastMoveTx!: string | null;

  @Field(() => Int, { description: 'Moves the service sent in this dispute' })
  moves!: number;

  @Field(() => String, { nullable: true, description: "Wei of the worker's stake slashed by this dispute" })
  slashedWei!: string | null;

  @Field({ description: 'The transaction that opened it' })
  openedTx!: string;

  @Field(() => Date)
  openedAt!: Date;

  @Field(() => Date, { nullable: true })
  resolvedAt!: Date | null;

  /** The block DisputeOpened was mined in: where reading its moves starts (not in the schema). */
  openedBlock!: string;
}
