import { startTestApp, type TestApp } from '../support/test-app';

async function graphql(app: TestApp, query: string): Promise<{ data?: any; errors?: any[] }> {
  const response = await fetch(app.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
  });
  return (await response.json()) as { data?: any; errors?: any[] };
}

describe('the API process', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('reports the database and the chain up on /health', async () => {
    const response = await fetch(`${app.baseUrl}/health`);
    const body = (await response.json()) as any;
    expect(response.status).toBe(200);
    expect(body.info.database.status).toBe('up');
    expect(body.info.chain).toMatchObject({ status: 'up', chainId: 31337 });
  });

  it('serves the deployment over GraphQL', async () => {
    const result = await graphql(
      app,
      '{ serviceStatus { version chainId contracts { modelRegistry } embeddedChain } }',
    );
    expect(result.errors).toBeUndefined();
    expect(result.data.serviceStatus.chainId).toBe(31337);
    expect(result.data.serviceStatus.embeddedChain).toBe(true);
    expect(result.data.serviceStatus.contracts.modelRegistry).toBe(
      app.runtime.deployment.contracts.ModelRegistry,
    );
    const code = await app.runtime.chain.publicClient.getCode({
      address: app.runtime.deployment.contracts.ModelRegistry,
    });
    expect(code?.length).toBeGreaterThan(2);
  });

  it('answers a malformed query with a coded error', async () => {
    const result = await graphql(app, '{ serviceStatus { nope } }');
    expect(result.errors?.[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('reports the chain down on /health when the node stops', async () => {
    const other = await startTestApp();
    try {
      // stop only the chain of the second app: its runtime owns that anvil
      await other.runtime.stop();
      const response = await fetch(`${other.baseUrl}/health`);
      const body = (await response.json()) as any;
      expect(response.status).toBe(503);
      expect(body.error.chain.status).toBe('down');
    } finally {
      await other.app.close();
    }
  });
});
