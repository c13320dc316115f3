import { buildSchema, getIntrospectionQuery, parse, specifiedRules, validate } from 'graphql';
import { depthLimitRule, MAX_QUERY_DEPTH } from './graphql-limits';

const schema = buildSchema(`
  type Query { node(id: ID!): Node }
  type Node { id: ID! parent: Node children: [Node!]! }
`);

/** The depth rule's errors alone (graphql-js's own MaxIntrospectionDepthRule also refuses the cycles below). */
function depthErrors(query: string, maxDepth = MAX_QUERY_DEPTH): string[] {
  return validate(schema, parse(query), [depthLimitRule(maxDepth)]).map((error) => error.message);
}

describe('depthLimitRule', () => {
  it("accepts graphql-js's own introspection query, with every option on", () => {
    expect(depthErrors(getIntrospectionQuery())).toEqual([]);
    const everything = getIntrospectionQuery({
      descriptions: true,
      specifiedByUrl: true,
      directiveIsRepeatable: true,
      schemaDescription: true,
      inputValueDeprecation: true,
      oneOf: true,
    });
    expect(validate(schema, parse(everything), [...specifiedRules, depthLimitRule(MAX_QUERY_DEPTH)])).toEqual([]);
  });

  it('counts every introspection field but ofType, so a cycle through types and fields is still refused', () => {
    const cycle = (levels: number) =>
      `{ __schema { types { ${'fields { type { '.repeat(levels)}name${' } }'.repeat(levels)} } } }`;
    // __schema, types, then two per level, then name
    expect(depthErrors(cycle(5))).toEqual([]);
    expect(depthErrors(cycle(6))).toEqual([`query depth 15 exceeds the maximum of ${MAX_QUERY_DEPTH}`]);
    const wrappers = `{ __type(name: "Node") { ${'ofType { '.repeat(20)}name${' }'.repeat(20)} } }`;
    expect(depthErrors(wrappers, 2)).toEqual([]);
  });

  it('counts ofType outside introspection like any field, and follows fragments into introspection', () => {
    const fields = `{ node(id: "1") { ${'parent { '.repeat(14)}id${' }'.repeat(14)} } }`;
    expect(depthErrors(fields)).toEqual([`query depth 16 exceeds the maximum of ${MAX_QUERY_DEPTH}`]);
    const viaFragment = `{ __schema { ...T } } fragment T on __Schema { types { ${'fields { type { '.repeat(6)}name${' } }'.repeat(6)} } }`;
    expect(depthErrors(viaFragment)).toEqual([`query depth 15 exceeds the maximum of ${MAX_QUERY_DEPTH}`]);
  });
});
