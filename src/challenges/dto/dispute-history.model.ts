import { Field, Int, ObjectType, registerEnumType } from '@nestjs/graphql';

/** A party of a dispute. */
export enum DisputeSideEnum {
  CHALLENGER = 'CHALLENGER',
  DEFENDER = 'DEFENDER',
}

registerEnumType(DisputeSideEnum, {
  name: 'DisputeSide',
  description: 'A party of a dispute',
  valuesMap: {
    CHALLENGER: { description: 'Who opened the dispute; picks nodes and runs the one step' },
    DEFENDER: { description: 'Whoever answers for the worker (anyone may): reveals pages and values' },
  },
});

@ObjectType({
  description: "Both sides' clocks of a dispute, as DisputeGame computes them at the latest block",
})
export class DisputeClocks {
  @Field(() => DisputeSideEnum, { nullable: true, description: 'Whose move it is; null once decided' })
  turn!: DisputeSideEnum | null;

  @Field(() => Date, { nullable: true, description: 'Since when the side to move has been thinking' })
  turnStartedAt!: Date | null;

  @Field(() => Int, { description: 'Seconds the challenger used, its current turn not counted' })
  challengerUsedSeconds!: number;

  @Field(() => Int, { description: 'Seconds the defender used, its current turn not counted' })
  defenderUsedSeconds!: number;

  @Field(() => Int, { description: "Seconds left on the challenger's clock at asOf" })
  challengerRemainingSeconds!: number;

  @Field(() => Int, { description: "Seconds left on the defender's clock at asOf" })
  defenderRemainingSeconds!: number;

  @Field(() => Date, { description: 'Time of the block the clocks were read at' })
  asOf!: Date;
}

@ObjectType({ description: "One move of a dispute, as DisputeGame's events record it (docs/disputes.md)" })
export class DisputeMove {
  @Field({
    description: 'The event: DisputeOpened, TracePageRevealed, TraceNodePicked, ..., DisputeResolved',
  })
  name!: string;

  @Field(() => DisputeSideEnum, { nullable: true, description: 'The side that moved; null for an outcome' })
  side!: DisputeSideEnum | null;

  @Field(() => String, { nullable: true, description: 'The account the event names as the mover or payee' })
  by!: string | null;

  @Field()
  blockNumber!: string;

  @Field()
  txHash!: string;

  @Field(() => Date, { description: 'Block time' })
  at!: Date;

  @Field({ description: 'What the move did, in words' })
  detail!: string;
}
