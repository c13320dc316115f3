import { ArgsType, Field, Int } from '@nestjs/graphql';
import { DisputeStatusEnum } from './dispute-enums';

@ArgsType()
export class DisputesArgs {
  @Field(() => Int, { defaultValue: 20, description: 'How many, 1..100' })
  first!: number;

  @Field(() => DisputeStatusEnum, { nullable: true })
  status?: DisputeStatusEnum | null;
}
