import type { ThrottlerStorage } from '@nestjs/throttler';
import { buildSchema, GraphQLError } from 'graphql';
import type { Context } from 'graphql-ws';
import { graphqlWsOptions, MAX_SUBSCRIPTIONS_PER_CONNECTION } from './graphql-ws-limits';

const schema = buildSchema('type Query { a: Int } type Subscription { tick: Int }');
const storage: ThrottlerStorage = {
  increment: () => Promise.resolve({ totalHits: 1, timeToExpire: 60, isBlocked: false, timeToBlockExpire: 0 }),
};

function context(openSubscriptions: number): Context<Record<string, unknown> | undefined, unknown> {
  const subscriptions: Record<string, null> = {};
  for (let i = 0; i < openSubscriptions; i++) subscriptions[`s${i}`] = null;
  return { subscriptions, extra: {} } as unknown as Context<Record<string, unknown> | undefined, unknown>;
}

describe('graphql-ws limits', () => {
  const options = graphqlWsOptions({ schema: () => schema, maxDepth: 14, maxComplexity: 100, rateLimitPerMinute: 0, storage });
  const subscribe = (openSubscriptions: number) =>
    options.onSubscribe?.(context(openSubscriptions), 'id', { query: 'subscription { tick }' });

  it('accepts a subscription within the limits and hands graphql-ws the parsed, validated document', async () => {
    const args = await subscribe(0);
    expect(args).toMatchObject({ schema, operationName: undefined });
  });

  it(`refuses a subscription past ${MAX_SUBSCRIPTIONS_PER_CONNECTION} on one connection`, async () => {
    const refused = (await subscribe(MAX_SUBSCRIPTIONS_PER_CONNECTION)) as GraphQLError[];
    expect(refused[0].extensions.code).toBe('TOO_MANY_SUBSCRIPTIONS');
  });
});
