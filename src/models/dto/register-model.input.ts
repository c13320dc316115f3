import { Field, Float, InputType } from '@nestjs/graphql';

@InputType()
export class RegisterModelInput {
  @Field({ description: 'A human name; not unique' })
  name!: string;

  @Field({ description: 'The ONNX model file, base64' })
  onnxBase64!: string;

  @Field(() => [[Float]], {
    nullable: true,
    description: 'Calibration inputs (flattened, one per sample) that set the input bound and the fraction bits',
  })
  calibration?: number[][];

  @Field(() => String, {
    nullable: true,
    description:
      "The model's owner, an Ethereum address: only its EIP-712 signature can enable zk mode for the model. Kept from the first registration that names one",
  })
  owner?: string | null;
}
