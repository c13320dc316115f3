import type { Client } from 'graphql-ws';
import { MAX_WS_MESSAGE_BYTES } from '../../src/common/graphql-ws-limits';
import { graphqlRequest, subscriptionClient } from '../support/graphql-client';

/** Subscribes once and resolves with how it ended: the errors it was refused with, or the close. */
function refusal(client: Client, query: string): Promise<{ errors?: { message: string; extensions?: { code?: string } }[]; closeCode?: number }> {
  return new Promise((resolve) => {
    const done = client.subscribe(
      { query },
      {
        next: () => undefined,
        error: (error: unknown) => {
          done();
          if (Array.isArray(error)) resolve({ errors: error as { message: string }[] });
          else resolve({ closeCode: (error as { code?: number }).code });
        },
        complete: () => resolve({}),
      },
    );
  });
}
import { startTestApp, type TestApp } from '../support/test-app';

describe('API limits', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({ RATE_LIMIT_PER_MINUTE: '8' });
  }, 60_000);
  afterAll(async () => {
    await app?.stop();
  });

  it('refuses a query nested deeper than the limit', async () => {
    const allowed = '{ inferences(first: 1) { edges { node { batch { id } } } pageInfo { endCursor } } }';
    expect((await graphqlRequest(app.graphqlUrl, allowed)).errors).toBeUndefined();
    // introspection's ofType wrappers do not count (graphql-js's own introspection query nests
    // seven), its other fields do
    const wrappers = `{ __schema { types { fields { type { ${'ofType { '.repeat(10)}name${' }'.repeat(10)} } } } } }`;
    expect((await graphqlRequest(app.graphqlUrl, wrappers)).errors).toBeUndefined();
    const nested = `{ __schema { types { ${'fields { type { '.repeat(6)}name${' } }'.repeat(6)} } } }`;
    const result = await graphqlRequest(app.graphqlUrl, nested);
    // Apollo reports every validation rule's error as GRAPHQL_VALIDATION_FAILED; the message says which.
    expect(result.errors?.every((error) => error.extensions?.code === 'GRAPHQL_VALIDATION_FAILED')).toBe(true);
    expect(result.errors?.map((error) => error.message)).toContainEqual(
      expect.stringMatching(/query depth 15 exceeds the maximum of 14/),
    );
  });

  it('refuses a query whose estimated cost is above the limit', async () => {
    const fields =
      'id requestId modelId modelCommitment status input inputFixed inputCommitment output outputFixed outputCommitment traceCommitment worker workerSignature backend attempts leafIndex requestTx revealTx finalizeTx challengeEndsAt provingStage proof { proof publicSignals inputCommitment circuitId settleTx } createdAt updatedAt computedAt committedAt finalAt batch { id root leafCount status chainBatchId txHash blockNumber committedAt } error { code message }';
    const page = `inferences(first: 100) { edges { cursor node { ${fields} } } }`;
    expect((await graphqlRequest(app.graphqlUrl, `{ ${page} }`)).errors).toBeUndefined();
    const result = await graphqlRequest(app.graphqlUrl, `{ a: ${page} b: ${page} }`);
    expect(result.errors?.[0].extensions?.code).toBe('QUERY_TOO_COMPLEX');
    expect(result.errors?.[0].message).toContain('exceeds the maximum');
  });

  describe('over graphql-ws, the same limits as over HTTP', () => {
    let client: Client;
    beforeAll(() => (client = subscriptionClient(app.graphqlUrl)));
    afterAll(() => client.dispose());

    it('refuses queries and mutations on the WebSocket: they go over HTTP with every HTTP check', async () => {
      const query = await refusal(client, '{ serviceStatus { version } }');
      expect(query.errors?.[0].extensions?.code).toBe('WS_OPERATION_NOT_ALLOWED');
      const mutation = await refusal(client, 'mutation { enableZkMode(modelId: "x", deadline: 0, signature: "0x") { id } }');
      expect(mutation.errors?.[0].extensions?.code).toBe('WS_OPERATION_NOT_ALLOWED');
      expect(mutation.errors?.[0].message).toMatch(/HTTP POST/);
    });

    it('applies the depth rule to a subscription', async () => {
      const deep = `subscription { inferenceUpdated(id: "x") { ${'a { '.repeat(15)}b${' }'.repeat(15)} } }`;
      const result = await refusal(client, deep);
      expect(result.errors?.map((error) => error.message)).toContainEqual(expect.stringMatching(/query depth \d+ exceeds the maximum of 14/));
    });

    it('refuses a subscription whose estimated cost is above the limit', async () => {
      const fields = Array.from({ length: 5_001 }, (_, i) => `f${i}: id`).join(' ');
      const result = await refusal(client, `subscription { inferenceUpdated(id: "x") { ${fields} } }`);
      expect(result.errors?.[0].extensions?.code).toBe('QUERY_TOO_COMPLEX');
    });

    it('closes a connection that sends a message above the size limit (1009), before buffering it', async () => {
      const big = subscriptionClient(app.graphqlUrl);
      const padding = ' '.repeat(MAX_WS_MESSAGE_BYTES + 1);
      const result = await refusal(big, `subscription { inferenceUpdated(id: "x") { id } }${padding}`);
      expect(result.closeCode).toBe(1009);
      await big.dispose();
    });

    it('rate limits subscribes per peer address with RATE_LIMITED, as HTTP does', async () => {
      const codes: (string | undefined)[] = [];
      for (let i = 0; i < 10; i++) codes.push((await refusal(client, '{ serviceStatus { version } }')).errors?.[0].extensions?.code);
      expect(codes).toContain('RATE_LIMITED');
    });
  });

  it('rate limits a client with a RATE_LIMITED error that says when to retry', async () => {
    const codes: (string | undefined)[] = [];
    for (let i = 0; i < 12; i++)
      codes.push(
        (await graphqlRequest(app.graphqlUrl, '{ serviceStatus { version } }')).errors?.[0]?.extensions?.code,
      );
    expect(codes).toContain('RATE_LIMITED');
    expect(codes.indexOf('RATE_LIMITED')).toBeGreaterThan(0);
  });
});
