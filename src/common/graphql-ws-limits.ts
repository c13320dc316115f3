/**
 * The same limits on the WebSocket door as on HTTP (issue 18, H5). graphql-ws gets only the
 * schema's default validation from NestJS, and its `ws` server accepts 100 MiB messages; here:
 *
 * - messages above MAX_WS_MESSAGE_BYTES close the connection (ws's maxPayload, before buffering);
 * - only subscriptions are served: queries and mutations over the WebSocket are refused with
 *   WS_OPERATION_NOT_ALLOWED (they are served over HTTP POST, with every HTTP check);
 * - each subscription is parsed with a token cap, validated with the depth rule, and refused above
 *   the complexity limit, exactly as over HTTP;
 * - each subscribe counts against a per-peer-address budget of the same size as the HTTP rate
 *   limit (RATE_LIMITED with a retry time), and one connection holds at most
 *   MAX_SUBSCRIPTIONS_PER_CONNECTION subscriptions;
 * - every error goes out through the HTTP translator (formatGraphqlError): with its
 *   `extensions.code` (GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED as over HTTP), and a failure
 *   of the service as a code and a generic message, never its own text.
 */
import type { INestApplication } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import type { ThrottlerStorage } from '@nestjs/throttler';
import {
  GraphQLError,
  Kind,
  OperationTypeNode,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import type { Context, ServerOptions, SubscribePayload } from 'graphql-ws';
import { CommonError } from './common.errors';
import { formatGraphqlError } from './format-graphql-error';
import { complexityRefusal, depthLimitRule } from './graphql-limits';
import { invariant } from './invariant';

/** Largest WebSocket message (a subscribe message with its query and variables). */
export const MAX_WS_MESSAGE_BYTES = 64 * 1024;
/** Subscriptions one connection may hold at once. */
export const MAX_SUBSCRIPTIONS_PER_CONNECTION = 32;
/** Tokens a document may have before parsing stops (a cap on parser work per message). */
export const MAX_QUERY_TOKENS = 20_000;
const RATE_WINDOW_MS = 60_000;

export interface WsLimits {
  /** The executable schema (built after these options: read at each subscribe). */
  schema(): GraphQLSchema | undefined;
  maxDepth: number;
  maxComplexity: number;
  /** Subscribes per peer address per minute; 0: unlimited. */
  rateLimitPerMinute: number;
  storage: ThrottlerStorage;
}

interface WsExtra {
  request?: { socket?: { remoteAddress?: string } };
}

const refuse = (code: string, message: string) => [new GraphQLError(message, { extensions: { code } })];

/** `errors` with `code` unless they carry one (graphql-js's parse and validation errors carry none). */
const withCode = (errors: readonly GraphQLError[], code: string): GraphQLError[] =>
  errors.map((error) =>
    typeof error.extensions.code === 'string'
      ? error
      : new GraphQLError(error.message, {
          nodes: error.nodes,
          source: error.source,
          positions: error.positions,
          originalError: error.originalError,
          extensions: { ...error.extensions, code },
        }),
  );

/** An error as a client reads it: what the HTTP side answers for it. */
const formatted = (error: GraphQLError) => formatGraphqlError(error.toJSON(), error);

function operationOf(document: DocumentNode, name?: string | null): OperationDefinitionNode | undefined {
  const operations = document.definitions.filter(
    (definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION,
  );
  return name ? operations.find((operation) => operation.name?.value === name) : operations[0];
}

/** graphql-ws server options (for `subscriptions: { 'graphql-ws': ... }`) applying the limits. */
export function graphqlWsOptions(limits: WsLimits): Partial<ServerOptions> {
  return {
    onSubscribe: async (
      ctx: Context<Record<string, unknown> | undefined, unknown>,
      _id: string,
      payload: SubscribePayload,
    ): Promise<ExecutionArgs | readonly GraphQLError[] | void> => {
      if (Object.keys(ctx.subscriptions).length >= MAX_SUBSCRIPTIONS_PER_CONNECTION) {
        return refuse(
          'TOO_MANY_SUBSCRIPTIONS',
          `a connection may hold at most ${MAX_SUBSCRIPTIONS_PER_CONNECTION} subscriptions; close one first`,
        );
      }
      if (limits.rateLimitPerMinute > 0) {
        const peer = (ctx.extra as WsExtra | undefined)?.request?.socket?.remoteAddress ?? 'unknown';
        const record = await limits.storage.increment(
          `graphql-ws:${peer}`,
          RATE_WINDOW_MS,
          limits.rateLimitPerMinute,
          RATE_WINDOW_MS,
          'per-minute',
        );
        if (record.isBlocked) {
          const retryAfterSeconds = Math.ceil(record.timeToBlockExpire);
          const message = `rate limit of ${limits.rateLimitPerMinute} requests per 60 s exceeded; retry in ${retryAfterSeconds} s`;
          return [
            new GraphQLError(message, {
              originalError: new CommonError('RATE_LIMITED', message, { retryAfterSeconds }),
            }),
          ];
        }
      }
      const schema = limits.schema();
      if (!schema) return refuse('SERVICE_STARTING', 'the API is still starting; retry in a moment');
      let document: DocumentNode;
      try {
        document = parse(payload.query, { maxTokens: MAX_QUERY_TOKENS });
      } catch (error) {
        const parseError =
          error instanceof GraphQLError
            ? error
            : new GraphQLError(String(error), { originalError: error instanceof Error ? error : undefined });
        return withCode([parseError], 'GRAPHQL_PARSE_FAILED');
      }
      const operation = operationOf(document, payload.operationName);
      if (operation && operation.operation !== OperationTypeNode.SUBSCRIPTION) {
        return refuse(
          'WS_OPERATION_NOT_ALLOWED',
          `the WebSocket serves subscriptions only; send this ${operation.operation} over HTTP POST to /graphql`,
        );
      }
      const errors = validate(schema, document, [...specifiedRules, depthLimitRule(limits.maxDepth)]);
      if (errors.length > 0) return withCode(errors, 'GRAPHQL_VALIDATION_FAILED');
      const refusal = complexityRefusal(
        schema,
        document,
        payload.operationName,
        payload.variables,
        limits.maxComplexity,
      );
      if (refusal) return [refusal];
      const args: ExecutionArgs = {
        schema,
        document,
        operationName: payload.operationName,
        variableValues: payload.variables,
      };
      return args;
    },
    onError: (_ctx, _id, _payload, errors) => errors.map(formatted),
    onNext: (_ctx, _id, _payload, _args, result) =>
      result.errors ? { ...result, errors: result.errors.map(formatted) } : undefined,
  };
}

interface SubscriptionServiceInternals {
  _subscriptionService?: { wss?: { options: { maxPayload?: number } } };
}

/**
 * Caps WebSocket messages at MAX_WS_MESSAGE_BYTES. NestJS creates graphql-ws's `ws` server itself
 * without maxPayload (100 MiB by default) and offers no option for it; `ws` reads the option at
 * each upgrade, so setting it on the created server applies to every connection. Fails at boot if
 * a NestJS upgrade moved the server, rather than running without the cap.
 */
export function limitWebSocketMessages(app: INestApplication, maxBytes = MAX_WS_MESSAGE_BYTES): void {
  const graphql = app.get(GraphQLModule);
  const adapter = graphql.graphQlAdapter as unknown as SubscriptionServiceInternals;
  const server = adapter._subscriptionService?.wss;
  invariant(server, 'the graphql-ws server is where @nestjs/graphql keeps it (cannot cap WebSocket message size)');
  server.options.maxPayload = maxBytes;
}
