import {
  Args,
  Context,
  ID,
  Mutation,
  Parent,
  Query,
  ResolveField,
  Resolver,
  Subscription,
} from '@nestjs/graphql';
import { clientIdOf, type RequestLike } from '../common/client-identity';
import { pageCost } from '../common/graphql-limits';
import { Inference, InferenceConnection } from './dto/inference.model';
import { InferencesArgs } from './dto/inferences.args';
import { RequestInferenceInput } from './dto/request-inference.input';
import { InferenceService, MAX_INFERENCE_PAGE_SIZE, MAX_REQUESTS_PER_CALL, type InferenceView } from './inference.service';
import { toInferenceModel } from './to-inference-model';

const toApi = (view: InferenceView) => toInferenceModel(view.row, view.model, view.batch);

@Resolver(() => Inference)
export class InferenceResolver {
  constructor(private readonly inferenceService: InferenceService) {}

  @Mutation(() => Inference, {
    description: 'Queues an inference. With clientRequestId, repeating the call returns the same inference.',
  })
  async requestInference(
    @Args('input') input: RequestInferenceInput,
    @Context('req') req: RequestLike | undefined,
  ): Promise<Inference> {
    const row = await this.inferenceService.request({ ...input, clientId: clientIdOf(req) });
    return toApi(await this.inferenceService.view(row.id));
  }

  @Mutation(() => [Inference], {
    description: `Queues several inferences at once (1..${MAX_REQUESTS_PER_CALL}), all or none: a refused input names its index and nothing is queued. Each gets its own id; clientRequestId works as in requestInference.`,
    complexity: ({ args, childComplexity }) => pageCost(Array.isArray(args.inputs) ? args.inputs.length : MAX_REQUESTS_PER_CALL, childComplexity, MAX_REQUESTS_PER_CALL),
  })
  async requestInferences(
    @Args('inputs', { type: () => [RequestInferenceInput] }) inputs: RequestInferenceInput[],
    @Context('req') req: RequestLike | undefined,
  ): Promise<Inference[]> {
    const clientId = clientIdOf(req);
    const rows = await this.inferenceService.requestMany(inputs.map((input) => ({ ...input, clientId })));
    return (await this.inferenceService.views(rows)).map(toApi);
  }

  @Query(() => Inference, { description: 'An inference by its id, or by its bytes32 request id (0x...)' })
  async inference(
    @Args('id', { type: () => ID, description: 'The inference id, or its 0x request id (Inference.requestId)' }) id: string,
  ): Promise<Inference> {
    return toApi(await this.inferenceService.view(id));
  }

  @Query(() => InferenceConnection, {
    description: 'Inferences, newest first',
    complexity: ({ args, childComplexity }) => pageCost(args.first, childComplexity, MAX_INFERENCE_PAGE_SIZE),
  })
  async inferences(@Args() args: InferencesArgs): Promise<InferenceConnection> {
    const page = await this.inferenceService.list(args.first, args.after, args);
    const views = await this.inferenceService.views(page.items);
    const edges = views.map((view) => ({
      cursor: this.inferenceService.cursorOf(view.row),
      node: toApi(view),
    }));
    return { edges, pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null } };
  }

  /** Rebuilt from the batch's leaves, so only when asked (the field is described on Inference). */
  @ResolveField(() => [String], { nullable: true })
  async leafProof(@Parent() inference: Inference): Promise<string[] | null> {
    if (!inference.batch || inference.leafIndex === null || !inference.leafHash) return null;
    return this.inferenceService.leafProof(inference.batch.id, inference.leafIndex);
  }

  @Subscription(() => Inference, {
    description: 'The inference now, then at every status it enters (COMMITTED included), until it is FINAL or FAILED',
    resolve: (payload: Inference) => payload,
  })
  inferenceUpdated(
    @Args('id', { type: () => ID, description: 'The inference id, or its 0x request id' }) id: string,
  ): AsyncGenerator<Inference> {
    return mapAsync(this.inferenceService.follow(id), toApi);
  }
}

async function* mapAsync<T, U>(source: AsyncGenerator<T>, map: (value: T) => U): AsyncGenerator<U> {
  try {
    for await (const value of source) yield map(value);
  } finally {
    await source.return(undefined);
  }
}
