import { Field, Float, ID, InputType } from '@nestjs/graphql';
import { InferenceModeEnum } from './inference-enums';

@InputType()
export class RequestInferenceInput {
  @Field(() => ID)
  modelId!: string;

  @Field(() => [Float], { description: 'The input, flattened, in real units (quantized by the model)' })
  input!: number[];

  @Field(() => InferenceModeEnum)
  mode!: InferenceModeEnum;

  @Field(() => String, {
    nullable: true,
    description: 'Your own id for this request (1..128 characters): repeating it returns the same inference',
  })
  clientRequestId?: string | null;
}
