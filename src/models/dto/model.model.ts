import { Field, Float, ID, Int, ObjectType } from '@nestjs/graphql';

@ObjectType({ description: 'How far the fixed-point model is from onnxruntime running the float model.' })
export class AccuracyReport {
  @Field(() => Int, { description: 'Inputs compared (the calibration inputs, or generated ones)' })
  samples!: number;

  @Field(() => Float, { description: 'Largest |fixed-point output - float output| over all outputs' })
  maxAbsError!: number;

  @Field(() => Float, { description: 'Fraction of samples whose argmax agrees, 0..1' })
  argmaxAgreement!: number;
}

@ObjectType({ description: 'A registered model in its canonical quantized form.' })
export class Model {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field({ description: 'keccak256 commitment to the quantized model (docs/semantics.md)' })
  commitment!: string;

  @Field(() => [String], { description: 'Supported steps of the normalized graph, in order' })
  ops!: string[];

  @Field(() => Int)
  parameterCount!: number;

  @Field(() => [Int], { description: 'Per-sample input shape (batch fixed to 1)' })
  inputShape!: number[];

  @Field(() => [Int])
  outputShape!: number[];

  @Field(() => Int, { description: 'F: every activation is round(v * 2^F)' })
  fractionBits!: number;

  @Field(() => Float, { description: 'Largest |input value| accepted, in real units' })
  inputBound!: number;

  @Field(() => AccuracyReport)
  accuracy!: AccuracyReport;

  @Field(() => [String], { description: 'Modes requests may use (OPTIMISTIC; ZK once the model has a circuit and verifier)' })
  modes!: string[];

  @Field({
    description:
      'PENDING until the commitment is registered in ModelRegistry, then REGISTERED; CONFLICT when the registry holds it for another owner (not anchored)',
  })
  chainStatus!: string;

  @Field(() => String, {
    nullable: true,
    description:
      'The address named at registration: only its EIP-712 signature can enable zk mode (enableZkMode). Null: zk mode cannot be enabled through the API',
  })
  owner!: string | null;

  @Field({
    description:
      'The canonical quantized model as JSON: what workers run and challengers recompute (check its commitment before use)',
    complexity: 20,
  })
  quantizedJson!: string;

  @Field()
  createdAt!: Date;
}

@ObjectType()
export class ModelEdge {
  @Field()
  cursor!: string;

  @Field(() => Model)
  node!: Model;
}

@ObjectType()
export class PageInfo {
  @Field()
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

@ObjectType()
export class ModelConnection {
  @Field(() => [ModelEdge])
  edges!: ModelEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}
