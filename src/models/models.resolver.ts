import { Args, ID, Mutation, Parent, Query, ResolveField, Resolver, Subscription } from '@nestjs/graphql';
import { Model, ModelConnection } from './dto/model.model';
import { ModelsArgs } from './dto/models.args';
import { RegisterModelInput } from './dto/register-model.input';
import { pageCost } from '../common/graphql-limits';
import { MAX_PAGE_SIZE, MODEL_REGISTERED_EVENT, ModelsService } from './models.service';
import { toModel } from './to-model';

@Resolver(() => Model)
export class ModelsResolver {
  constructor(private readonly modelsService: ModelsService) {}

  @Mutation(() => Model, {
    description: 'Imports, quantizes and commits an ONNX model. Registering the same model again returns it.',
  })
  async registerModel(@Args('input') input: RegisterModelInput): Promise<Model> {
    const { model } = await this.modelsService.register(input);
    return toModel(model);
  }

  @Query(() => Model)
  async model(@Args('id', { type: () => ID }) id: string): Promise<Model> {
    return toModel(await this.modelsService.get(id));
  }

  @Query(() => ModelConnection, {
    description: 'Registered models, newest first',
    complexity: ({ args, childComplexity }) => pageCost(args.first, childComplexity, MAX_PAGE_SIZE),
  })
  async models(@Args() args: ModelsArgs): Promise<ModelConnection> {
    const page = await this.modelsService.list(args.first, args.after);
    const edges = page.items.map((item) => ({ cursor: this.modelsService.cursorOf(item), node: toModel(item) }));
    return { edges, pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null } };
  }

  /** Listings do not load the quantized JSON (megabytes a row): it comes one model at a time. */
  @ResolveField(() => String, { complexity: 20 })
  async quantizedJson(@Parent() model: Model): Promise<string> {
    return model.quantizedJson ?? this.modelsService.quantizedJson(model.id);
  }

  @Subscription(() => Model, { resolve: (payload: { modelRegistered: Parameters<typeof toModel>[0] }) => toModel(payload.modelRegistered) })
  modelRegistered() {
    return this.modelsService.events.asyncIterableIterator(MODEL_REGISTERED_EVENT);
  }
}
