/**
 * The conventions a client of the API can rely on: bad variables are BAD_USER_INPUT with
 * GraphQL's message, the stock introspection query works and matches schema.graphql, browsers get
 * CORS only from the configured origins, and no answer, over HTTP or WebSocket, carries a stack
 * trace or a server path, while every error over the WebSocket carries its code.
 */
import { readFileSync } from 'node:fs';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { getIntrospectionQuery } from 'graphql';
import type { Client } from 'graphql-ws';
import { printApiSchema, SCHEMA_FILE } from '../../scripts/api-schema';
import { subscriptionClient } from '../support/graphql-client';
import { startTestApp, type TestApp } from '../support/test-app';

interface HttpAnswer {
  status: number;
  text: string;
  body: { data?: any; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

/** Subscribes once and resolves with the errors it ended with (an error message or errors in a result). */
function subscriptionErrors(client: Client, query: string, variables?: Record<string, unknown>): Promise<any[]> {
  return new Promise((resolve, reject) => {
    const done = client.subscribe(
      { query, variables },
      {
        next: (value) => {
          if (value.errors) {
            done();
            resolve([...value.errors]);
          }
        },
        error: (error: unknown) => (Array.isArray(error) ? resolve(error) : reject(error as Error)),
        complete: () => resolve([]),
      },
    );
  });
}

describe('GraphQL conventions', () => {
  let app: TestApp;
  const nodeEnv = process.env.NODE_ENV;

  const post = async (body: string, headers: Record<string, string> = {}): Promise<HttpAnswer> => {
    const response = await fetch(app.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
    const text = await response.text();
    return { status: response.status, text, body: JSON.parse(text) as HttpAnswer['body'] };
  };
  const gql = (query: string, variables?: Record<string, unknown>) => post(JSON.stringify({ query, variables }));

  beforeAll(async () => {
    // Apollo adds stack traces to errors outside production and test unless told not to
    process.env.NODE_ENV = 'development';
    app = await startTestApp({ CORS_ORIGINS: 'https://app.example.com' });
  }, 120_000);
  afterAll(async () => {
    process.env.NODE_ENV = nodeEnv;
    await app?.stop();
  });

  describe('variables GraphQL cannot coerce', () => {
    const refused = async (answer: Promise<HttpAnswer>, message: RegExp) => {
      const { status, body } = await answer;
      expect(status).toBe(400);
      expect(body.errors).toHaveLength(1);
      expect(body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
      expect(body.errors?.[0].message).toMatch(message);
    };

    it('refuses an enum value in the wrong case with BAD_USER_INPUT and the accepted value, like the inline form', async () => {
      await refused(
        gql('query($s: InferenceStatus) { inferences(first: 1, status: $s) { edges { cursor } } }', { s: 'requested' }),
        /Variable "\$s" got invalid value "requested"; Value "requested" does not exist in "InferenceStatus" enum. Did you mean the enum value "REQUESTED"\?/,
      );
      await refused(
        gql('mutation($i: RequestInferenceInput!) { requestInference(input: $i) { id } }', {
          i: { modelId: 'm', input: [1], mode: 'optimistic' },
        }),
        /at "i.mode"; Value "optimistic" does not exist in "InferenceMode" enum/,
      );
      const inline = await gql('{ inferences(first: 1, status: requested) { edges { cursor } } }');
      expect(inline.body.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(inline.body.errors?.[0].message).toMatch(/Did you mean the enum value "REQUESTED"\?/);
    });

    it('refuses a missing required variable with BAD_USER_INPUT', async () => {
      await refused(gql('query($id: ID!) { inference(id: $id) { id } }', {}), /Variable "\$id" of required type "ID!" was not provided/);
    });

    it('refuses 1e999 (Infinity once parsed) for an Int or a Float with BAD_USER_INPUT', async () => {
      await refused(
        post('{"query":"query($n: Int!) { inferences(first: $n) { edges { cursor } } }","variables":{"n":1e999}}'),
        /Variable "\$n" got invalid value Infinity; Int cannot represent non-integer value: Infinity/,
      );
      await refused(
        post('{"query":"mutation($x: [Float!]!) { requestInference(input: {modelId: \\"m\\", input: $x, mode: OPTIMISTIC}) { id } }","variables":{"x":[1e999]}}'),
        /Variable "\$x" got invalid value Infinity at "x\[0\]"; Float cannot represent non numeric value: Infinity/,
      );
    });
  });

  describe('the schema', () => {
    it("answers graphql-js's own introspection query", async () => {
      const { status, body } = await gql(getIntrospectionQuery({ descriptions: true, inputValueDeprecation: true }));
      expect(body.errors).toBeUndefined();
      expect(status).toBe(200);
      expect(body.data.__schema.queryType.name).toBe('Query');
      expect(body.data.__schema.types.map((type: { name: string }) => type.name)).toContain('Inference');
    });

    it('is the schema in schema.graphql', () => {
      const served = app.app.get(GraphQLSchemaHost).schema;
      expect(printApiSchema(served)).toBe(readFileSync(SCHEMA_FILE, 'utf8'));
    });
  });

  describe('CORS', () => {
    const preflight = (origin: string) =>
      fetch(app.graphqlUrl, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      });

    it('lets a configured origin call the API from a browser', async () => {
      const allowed = await preflight('https://app.example.com');
      expect(allowed.status).toBe(204);
      expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
      expect(allowed.headers.get('access-control-allow-methods')).toBe('GET,POST');
      const call = await post(JSON.stringify({ query: '{ serviceStatus { chainId } }' }), { origin: 'https://app.example.com' });
      expect(call.body.data.serviceStatus.chainId).toBe(31337);
    });

    it('gives any other origin no CORS header (CORS_ORIGINS replaces the local default)', async () => {
      for (const origin of ['https://evil.example', 'http://localhost:5173']) {
        const refused = await preflight(origin);
        expect(refused.headers.get('access-control-allow-origin')).toBeNull();
      }
    });
  });

  describe('errors', () => {
    const serverText = /stacktrace|\/(home|srv|usr|tmp|root|work)\/|node_modules|\.ts:\d+|\.js:\d+/;

    it('carry no stack trace or server path over HTTP, even outside production', async () => {
      const answers = await Promise.all([
        gql('{ serviceStatus { nope } }'),
        gql('{ serviceStatus { '),
        gql('query($id: ID!) { inference(id: $id) { id } }', {}),
        gql('{ inference(id: "00000000-0000-0000-0000-000000000000") { id provingStage error { message } } }'),
        post('{"query": "{ serviceStatus { version } }", "extensions": {"persistedQuery": {"version": 1, "sha256Hash": "00"}}}'),
        post('{"query": '),
      ]);
      for (const answer of answers) {
        expect(answer.text).not.toMatch(serverText);
        for (const error of answer.body.errors ?? []) expect(typeof error.extensions?.code).toBe('string');
      }
    });

    describe('over the WebSocket', () => {
      let client: Client;
      beforeAll(() => (client = subscriptionClient(app.graphqlUrl)));
      afterAll(() => client.dispose());

      it('carry the code HTTP gives them, and no server text', async () => {
        const cases: [string, Record<string, unknown> | undefined, string][] = [
          ['subscription { inferenceUpdated(id: "x") { nope } }', undefined, 'GRAPHQL_VALIDATION_FAILED'],
          ['subscription { inferenceUpdated(id: ', undefined, 'GRAPHQL_PARSE_FAILED'],
          ['subscription($id: ID!) { inferenceUpdated(id: $id) { id } }', {}, 'BAD_USER_INPUT'],
          ['subscription { inferenceUpdated(id: "00000000-0000-0000-0000-000000000000") { id } }', undefined, 'INFERENCE_NOT_FOUND'],
        ];
        for (const [query, variables, code] of cases) {
          const errors = await subscriptionErrors(client, query, variables);
          expect(errors.map((error) => error.extensions?.code)).toEqual(errors.map(() => code));
          expect(errors.length).toBeGreaterThan(0);
          expect(JSON.stringify(errors)).not.toMatch(serverText);
        }
      });
    });
  });
});
