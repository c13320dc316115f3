import { ArgsType, Field, Int } from '@nestjs/graphql';

@ArgsType()
export class ModelsArgs {
  @Field(() => Int, { defaultValue: 20, description: 'Page size, 1..100' })
  first!: number;

  @Field(() => String, { nullable: true, description: 'endCursor of the previous page' })
  after?: string | null;
}
