import { ArgsType, Field, ID, Int } from '@nestjs/graphql';
import { InferenceModeEnum, InferenceOriginEnum, InferenceStatusEnum } from './inference-enums';

@ArgsType()
export class InferencesArgs {
  @Field(() => Int, { defaultValue: 20, description: 'Page size, 1..100' })
  first!: number;

  @Field(() => String, { nullable: true, description: 'endCursor of the previous page' })
  after?: string | null;

  @Field(() => InferenceStatusEnum, { nullable: true })
  status?: InferenceStatusEnum | null;

  @Field(() => ID, { nullable: true })
  modelId?: string | null;

  @Field(() => InferenceModeEnum, { nullable: true })
  mode?: InferenceModeEnum | null;

  @Field(() => InferenceOriginEnum, { nullable: true })
  origin?: InferenceOriginEnum | null;
}
