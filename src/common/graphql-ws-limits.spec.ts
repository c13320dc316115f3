import type { ThrottlerStorage } from '@nestjs/throttler';
import { buildSchema, GraphQLError, type ExecutionArgs } from 'graphql';
import { CommonError } from './common.errors';
import { INTERNAL_MESSAGE } from './format-graphql-error';
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

  it('gives parse and validation errors the codes HTTP gives them', async () => {
    const onSubscribe = (query: string) => options.onSubscribe?.(context(0), 'id', { query }) as Promise<GraphQLError[]>;
    const [parse] = await onSubscribe('subscription {');
    expect(parse.extensions.code).toBe('GRAPHQL_PARSE_FAILED');
    const [validation] = await onSubscribe('subscription { nope }');
    expect(validation.extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(validation.message).toMatch(/Cannot query field "nope"/);
  });

  it('sends every error through the HTTP translator: a code always, the text of a failure never', async () => {
    const ctx = context(0);
    const payload = { query: 'subscription { tick }' };
    const failure = new GraphQLError('connect ECONNREFUSED 10.0.0.5:5432 at /srv/verity/dist/x.js', {
      originalError: new Error('connect ECONNREFUSED 10.0.0.5:5432'),
    });
    const refusal = new GraphQLError('no inference with id x', {
      originalError: new CommonError('INVALID_ARGUMENT', 'no inference with id x', { id: 'x' }),
    });
    expect(await options.onError?.(ctx, 'id', payload, [failure, refusal])).toEqual([
      { message: INTERNAL_MESSAGE, extensions: { code: 'INTERNAL_SERVER_ERROR' } },
      { message: 'no inference with id x', extensions: { code: 'INVALID_ARGUMENT', details: { id: 'x' } } },
    ]);
    const next = await options.onNext?.(ctx, 'id', payload, {} as ExecutionArgs, { data: { tick: null }, errors: [failure] });
    expect(next).toEqual({ data: { tick: null }, errors: [{ message: INTERNAL_MESSAGE, extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
    expect(await options.onNext?.(ctx, 'id', payload, {} as ExecutionArgs, { data: { tick: 1 } })).toBeUndefined();
  });
});
