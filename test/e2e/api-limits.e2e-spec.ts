import { graphqlRequest } from '../support/graphql-client';
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
    const nested = `{ __schema { types { fields { type { ${'ofType { '.repeat(10)}name${' }'.repeat(10)} } } } } }`;
    const result = await graphqlRequest(app.graphqlUrl, nested);
    // Apollo reports every validation rule's error as GRAPHQL_VALIDATION_FAILED; the message says which.
    expect(result.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(result.errors?.[0].message).toMatch(/query depth \d+ exceeds the maximum of 14/);
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
