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

/** Deepest selection a query may nest (introspection's own queries need about 13). */
export const MAX_QUERY_DEPTH = 14;
/** Largest estimated cost of one operation (each field 1, lists times their page size). */
export const MAX_QUERY_COMPLEXITY = 5_000;

/** Validation rule refusing operations nested deeper than `maxDepth` (fragments followed). */
export function depthLimitRule(maxDepth: number) {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const definition of context.getDocument().definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    }
    const depthOf = (set: SelectionSetNode | undefined, depth: number, seen: Set<string>): number => {
      if (!set) return depth;
      let deepest = depth;
      for (const selection of set.selections) {
        if (selection.kind === Kind.FIELD) {
          deepest = Math.max(deepest, depthOf(selection.selectionSet, depth + 1, seen));
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          deepest = Math.max(deepest, depthOf(selection.selectionSet, depth, seen));
        } else {
          const name = selection.name.value;
          if (seen.has(name)) continue;
          deepest = Math.max(
            deepest,
            depthOf(fragments.get(name)?.selectionSet, depth, new Set([...seen, name])),
          );
        }
      }
      return deepest;
    };
    return {
      OperationDefinition(node) {
        const depth = depthOf(node.selectionSet, 0, new Set());
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

/** Apollo plugin refusing operations whose estimated complexity exceeds `max`. */
export function complexityLimitPlugin(max: number): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, schema }) {
          const complexity = operationComplexity(schema, document, request.operationName, request.variables);
          if (complexity > max) throw tooComplexError(complexity, max);
        },
      };
    },
  };
}
