import { Field, Int, ObjectType } from '@nestjs/graphql';

@ObjectType({ description: "Verity's Solidity contracts on the chain it serves." })
export class ContractAddresses {
  @Field({ description: 'ModelRegistry address' })
  modelRegistry!: string;
}

@ObjectType({ description: 'What this Verity deployment is and where it commits.' })
export class ServiceStatus {
  @Field()
  version!: string;

  @Field(() => Int)
  chainId!: number;

  @Field(() => ContractAddresses)
  contracts!: ContractAddresses;

  @Field({ description: 'True when running on the embedded PostgreSQL' })
  embeddedDatabase!: boolean;

  @Field({ description: 'True when running on a local anvil chain started by the service' })
  embeddedChain!: boolean;
}
