import type { ApolloServerPlugin } from '@apollo/server';
import {
  GraphQLError,
  Kind,
  type ASTVisitor,
  type DocumentNode,
  type GraphQLSchema,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';
import { fieldExtensionsEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';

/** Deepest selection a query may nest (introspection's `ofType` wrappers are not counted). */
export const MAX_QUERY_DEPTH = 14;
/** Largest estimated cost of one operation (each field 1, lists times their page size). */
export const MAX_QUERY_COMPLEXITY = 5_000;

const INTROSPECTION_ROOTS = new Set(['__schema', '__type']);

/**
 * Validation rule refusing operations nested deeper than `maxDepth` (fragments followed). Under
 * `__schema` and `__type`, an `ofType` adds no depth: it unwraps a list or non-null type, so a
 * chain of them ends after the schema's few wrappers, while graphql-js's own introspection query
 * (getIntrospectionQuery) nests seven of them. Every other introspection field counts, so a query
 * cycling through types, fields and their types (each level a list of the whole schema) is still
 * bounded.
 */
export function depthLimitRule(maxDepth: number) {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const definition of context.getDocument().definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    }
    const depthOf = (
      set: SelectionSetNode | undefined,
      depth: number,
      seen: Set<string>,
      introspection: boolean,
    ): number => {
      if (!set) return depth;
      let deepest = depth;
      for (const selection of set.selections) {
        if (selection.kind === Kind.FIELD) {
          const name = selection.name.value;
          const inIntrospection = introspection || INTROSPECTION_ROOTS.has(name);
          const step = inIntrospection && name === 'ofType' ? 0 : 1;
          deepest = Math.max(deepest, depthOf(selection.selectionSet, depth + step, seen, inIntrospection));
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          deepest = Math.max(deepest, depthOf(selection.selectionSet, depth, seen, introspection));
        } else {
          const name = selection.name.value;
          if (seen.has(name)) continue;
          deepest = Math.max(
            deepest,
            depthOf(fragments.get(name)?.selectionSet, depth, new Set([...seen, name]), introspection),
          );
        }
      }
      return deepest;
    };
    return {
      OperationDefinition(node) {
        const depth = depthOf(node.selectionSet, 0, new Set(), false);
        if (depth > maxDepth) {
          context.reportError(
            new GraphQLError(`query depth ${depth} exceeds the maximum of ${maxDepth}`, {
              nodes: [node],
            }),
          );
        }
      },
    };
  };
}

/**
 * The cost of a page of `first` items of `childComplexity` each. A page size the field refuses
 * costs as the nearest one it accepts (1..maxPageSize): never negative, so no field of an
 * operation can offset the cost of the others.
 */
export function pageCost(first: unknown, childComplexity: number, maxPageSize: number): number {
  const size =
    typeof first === 'number' && Number.isFinite(first)
      ? Math.min(Math.max(Math.trunc(first), 1), maxPageSize)
      : 1;
  return 1 + size * childComplexity;
}

/** The estimated cost of one operation: each field 1, lists times their page size. */
export function operationComplexity(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName?: string | null,
  variables?: Record<string, unknown> | null,
): number {
  return getComplexity({
    schema,
    query: document,
    operationName: operationName ?? undefined,
    variables: variables ?? undefined,
    estimators: [fieldExtensionsEstimator(), simpleEstimator({ defaultComplexity: 1 })],
  });
}

/** The QUERY_TOO_COMPLEX error, the same over HTTP and WebSocket. */
export function tooComplexError(complexity: number, max: number): GraphQLError {
  return new GraphQLError(`query complexity ${complexity} exceeds the maximum of ${max}`, {
    extensions: { code: 'QUERY_TOO_COMPLEX', http: { status: 400 } },
  });
}

/**
 * Why an operation may not run under the cost limit `max`, or undefined when it may. The estimate
 * coerces the variables first (a list's cost is its page size), so variables the operation cannot
 * take are refused here as GraphQL itself refuses them: BAD_USER_INPUT, with GraphQL's message.
 */
export function complexityRefusal(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | null | undefined,
  max: number,
): GraphQLError | undefined {
  let complexity: number;
  try {
    complexity = operationComplexity(schema, document, operationName, variables);
  } catch (error) {
    if (!(error instanceof GraphQLError)) throw error;
    if (/maximum allowed number of nodes/.test(error.message)) {
      return new GraphQLError(
        `query has too many fields to estimate its cost; its cost may be at most ${max}`,
        {
          extensions: { code: 'QUERY_TOO_COMPLEX', http: { status: 400 } },
        },
      );
    }
    return new GraphQLError(error.message, {
      nodes: error.nodes,
      extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } },
    });
  }
  return complexity > max ? tooComplexError(complexity, max) : undefined;
}

/** Apollo plugin refusing operations whose estimated complexity exceeds `max`. */
export function complexityLimitPlugin(max: number): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, schema }) {
          const refusal = complexityRefusal(schema, document, request.operationName, request.variables, max);
          if (refusal) throw refusal;
        },
      };
    },
  };
}
