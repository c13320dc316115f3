import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { globalPoolConvModel } from '../../src/engine/testing/attack-models';
import { hugeInputModel, outerBroadcastModel } from '../../src/engine/testing/blow-up-models';
import { ModelsService } from '../../src/models/models.service';
import { collectEvents, graphqlRequest, subscriptionClient } from '../support/graphql-client';
import { DataSource } from 'typeorm';
import { startTestApp, type TestApp } from '../support/test-app';
import { MODEL_OWNER, zkConsent } from '../support/zk-consent';

const FIXTURES = join(__dirname, '..', 'fixtures');
const onnxBase64 = (path: string) => readFileSync(join(FIXTURES, path)).toString('base64');
const calibrationOf = (path: string) =>
  (JSON.parse(readFileSync(join(FIXTURES, path), 'utf8')) as { input_data: number[][] }).input_data;

const MODEL_FIELDS =
  'id name commitment owner ops parameterCount inputShape outputShape fractionBits inputBound accuracy { samples maxAbsError argmaxAgreement }';
const ENABLE_ZK = `mutation($modelId: ID!, $batchSize: Int!, $deadline: Int!, $signature: String!) {
  enableZkMode(modelId: $modelId, batchSize: $batchSize, deadline: $deadline, signature: $signature) { id status }
}`;
const REGISTER = `mutation($input: RegisterModelInput!) { registerModel(input: $input) { ${MODEL_FIELDS} } }`;

describe('model registry over GraphQL', () => {
  let app: TestApp;
  const register = (input: Record<string, unknown>) => graphqlRequest(app.graphqlUrl, REGISTER, { input });

  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('registers the MNIST MLP and shows its shapes, scales, accuracy and commitment', async () => {
    const result = await register({
      name: 'mnist-mlp',
      onnxBase64: onnxBase64('mnist/mnist-mlp.onnx'),
      calibration: calibrationOf('mnist/calibration.json'),
    });
    expect(result.errors).toBeUndefined();
    const model = result.data.registerModel;
    expect(model.inputShape).toEqual([1, 784]);
    expect(model.outputShape).toEqual([1, 10]);
    expect(model.parameterCount).toBe(784 * 56 + 56 + 56 * 10 + 10);
    expect(model.commitment).toMatch(/^0x[0-9a-f]{64}$/);
    expect(model.accuracy.argmaxAgreement).toBe(1);
    expect(model.accuracy.maxAbsError).toBeLessThan(0.05);
  });

  it('returns the same model when the same model is registered twice', async () => {
    const input = { name: 'mlp', onnxBase64: onnxBase64('onnx-conformance/1l_mlp/network.onnx') };
    const first = await register(input);
    const second = await register({ ...input, name: 'mlp again' });
    expect(second.data.registerModel.id).toBe(first.data.registerModel.id);
    expect(second.data.registerModel.name).toBe('mlp');
  });

  it('lists models without loading their ONNX bytes or quantized JSON, which a query gets one model at a time', async () => {
    const page = await app.app.get(ModelsService).list(100);
    expect(page.items.length).toBeGreaterThan(0);
    for (const item of page.items) {
      expect(item).not.toHaveProperty('onnx');
      expect(item).not.toHaveProperty('quantized');
      expect(item.inputBound).toBeGreaterThan(0);
    }
    const listed = await graphqlRequest(app.graphqlUrl, '{ models(first: 100) { edges { node { id inputBound quantizedJson } } } }');
    expect(listed.errors).toBeUndefined();
    for (const { node } of listed.data.models.edges as { node: { id: string; inputBound: number; quantizedJson: string } }[]) {
      const one = await graphqlRequest(app.graphqlUrl, `{ model(id: "${node.id}") { inputBound quantizedJson } }`);
      expect(one.data.model).toEqual({ inputBound: node.inputBound, quantizedJson: node.quantizedJson });
      expect(JSON.parse(node.quantizedJson)).toHaveProperty('inputBoundReal', node.inputBound);
    }
  });

  it('refuses an unsupported op by name and stores nothing', async () => {
    const before = await graphqlRequest(app.graphqlUrl, '{ models(first: 100) { edges { node { id } } } }');
    const result = await register({
      name: 'conv-transpose',
      onnxBase64: onnxBase64('onnx-refused/1l_conv_transpose/network.onnx'),
    });
    expect(result.errors?.[0].extensions?.code).toBe('UNSUPPORTED_OP');
    expect(result.errors?.[0].message).toMatch(/ConvTranspose/);
    const after = await graphqlRequest(app.graphqlUrl, '{ models(first: 100) { edges { node { id } } } }');
    expect(after.data.models.edges).toHaveLength(before.data.models.edges.length);
  });

  it('refuses, by name, a model one of whose dispute moves would not fit the gas budget, and stores nothing', async () => {
    const before = await graphqlRequest(app.graphqlUrl, '{ models(first: 100) { edges { node { id } } } }');
    const result = await register({
      name: 'global-pool',
      onnxBase64: Buffer.from(globalPoolConvModel()).toString('base64'),
    });
    expect(result.errors?.[0].extensions?.code).toBe('DISPUTE_MOVE_OVER_BUDGET');
    expect(result.errors?.[0].message).toMatch(/^the dispute move oneStep at step 2 \(avgPool\) may need \d+ gas/);
    expect(result.errors?.[0].extensions?.details).toMatchObject({ move: 'oneStep', step: 2, budget: 10_000_000 });
    const after = await graphqlRequest(app.graphqlUrl, '{ models(first: 100) { edges { node { id } } } }');
    expect(after.data.models.edges).toHaveLength(before.data.models.edges.length);
  });

  it('refuses bytes that are not an ONNX model', async () => {
    const result = await register({
      name: 'junk',
      onnxBase64: Buffer.from('definitely not protobuf').toString('base64'),
    });
    expect(result.errors?.[0].extensions?.code).toBe('MALFORMED_ONNX');
  });

  it('refuses a constant-folding blow-up and a huge declared input by name while other requests are answered', async () => {
    const status = '{ serviceStatus { version } }';
    for (const [name, bytes, shape] of [
      ['square', outerBroadcastModel(2048), '[2048,2048]'],
      ['wide', hugeInputModel([1_000_000, 1_000_000]), '[1,1000000,1000000]'],
    ] as const) {
      const upload = register({ name, onnxBase64: Buffer.from(bytes).toString('base64') });
      // Asked after the upload: answered before the upload's refusal, the loop not held by it.
      const order: string[] = [];
      await Promise.all([
        upload.then(() => order.push('upload')),
        graphqlRequest(app.graphqlUrl, status).then((r) => order.push(r.errors ? 'status failed' : 'status')),
      ]);
      expect(order).toEqual(['status', 'upload']);
      const result = await upload;
      expect(result.errors?.[0].extensions?.code).toBe('MODEL_LIMIT_EXCEEDED');
      expect(result.errors?.[0].message).toContain(shape);
    }
  });

  it('refuses text that is not base64', async () => {
    const result = await register({ name: 'junk', onnxBase64: '***' });
    expect(result.errors?.[0].extensions?.code).toBe('INVALID_MODEL_UPLOAD');
  });

  it('bounds the zk circuits a model may have and those prepared at once, and limits enableZkMode per caller', async () => {
    const registered = await register({
      name: 'zk-limits',
      onnxBase64: onnxBase64('onnx-conformance/1l_relu/network.onnx'),
      owner: MODEL_OWNER,
    });
    const { id: modelId, commitment } = registered.data.registerModel;
    const dataSource = app.app.get(DataSource);
    const enable = async (batchSize: number) =>
      graphqlRequest(app.graphqlUrl, ENABLE_ZK, { modelId, batchSize, ...(await zkConsent(app, commitment, batchSize)) });
    // Rows written directly: nothing starts preparing them (that happens only at boot or on enable).
    for (const batchSize of [1, 2, 3, 4])
      await dataSource.query(`INSERT INTO zk_circuits (model_id, batch_size, status, stage) VALUES ($1, $2, 'READY', 'ready')`, [modelId, batchSize]);
    const fifth = await enable(5);
    expect(fifth.errors?.[0].extensions?.code).toBe('ZK_CIRCUIT_LIMIT');
    expect(fifth.errors?.[0].message).toMatch(/at most 4 batch sizes/);
    // A batch size the model has is no new circuit: answered with the existing one.
    expect((await enable(2)).data.enableZkMode.status).toBe('READY');
    await dataSource.query(`UPDATE zk_circuits SET status = 'PREPARING', stage = 'queued' WHERE model_id = $1 AND batch_size IN (3, 4)`, [modelId]);
    await dataSource.query(`DELETE FROM zk_circuits WHERE model_id = $1 AND batch_size IN (1, 2)`, [modelId]);
    const busy = await enable(6);
    expect(busy.errors?.[0].extensions?.code).toBe('ZK_SETUP_BUSY');
    expect(await dataSource.query(`SELECT batch_size FROM zk_circuits WHERE model_id = $1 ORDER BY batch_size`, [modelId])).toEqual([
      { batch_size: 3 },
      { batch_size: 4 },
    ]);
    // Five calls a minute per caller: the sixth is refused before any work.
    const codes = [];
    for (let i = 0; i < 3; i++) codes.push((await enable(7)).errors?.[0].extensions?.code);
    expect(codes.at(-1)).toBe('RATE_LIMITED');
    await dataSource.query(`DELETE FROM zk_circuits WHERE model_id = $1`, [modelId]);
  });

  it('refuses an owner that is not an address', async () => {
    const result = await register({ name: 'bad-owner', onnxBase64: onnxBase64('onnx-conformance/1l_relu/network.onnx'), owner: '0x1234' });
    expect(result.errors?.[0].extensions?.code).toBe('INVALID_MODEL_UPLOAD');
    expect(result.errors?.[0].message).toMatch(/owner must be/);
  });

  it('answers an unknown model id with MODEL_NOT_FOUND', async () => {
    const result = await graphqlRequest(
      app.graphqlUrl,
      `{ model(id: "00000000-0000-0000-0000-000000000000") { id } }`,
    );
    expect(result.errors?.[0].extensions?.code).toBe('MODEL_NOT_FOUND');
  });

  it('pages through models with cursors', async () => {
    for (const name of ['1l_relu', '1l_linear', '2l_relu_fc']) {
      await register({ name, onnxBase64: onnxBase64(`onnx-conformance/${name}/network.onnx`) });
    }
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page++) {
      const result: any = await graphqlRequest(
        app.graphqlUrl,
        'query($after: String) { models(first: 2, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } } }',
        { after },
      );
      seen.push(...result.data.models.edges.map((edge: any) => edge.node.id));
      if (!result.data.models.pageInfo.hasNextPage) break;
      after = result.data.models.pageInfo.endCursor;
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBeGreaterThanOrEqual(5);
  });

  it('announces a new model to subscribers over graphql-ws', async () => {
    const client = subscriptionClient(app.graphqlUrl);
    try {
      const { ready, events } = collectEvents<{ modelRegistered: { name: string; commitment: string } }>(
        client,
        'subscription { modelRegistered { name commitment } }',
        1,
      );
      await ready;
      const result = await register({
        name: 'sigmoid',
        onnxBase64: onnxBase64('onnx-conformance/1l_sigmoid/network.onnx'),
      });
      const [event] = await events;
      expect(event.modelRegistered).toEqual({
        name: 'sigmoid',
        commitment: result.data.registerModel.commitment,
      });
    } finally {
      await client.dispose();
    }
  });
});
