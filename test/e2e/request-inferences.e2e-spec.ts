/**
 * requestInferences (issue 14): many inputs in one mutation and one multi-row insert, each its
 * own inference with its own id and clientRequestId, all or none.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { commitTensor, quantizeInput, type QuantizedModel } from '../../src/engine';
import { graphqlRequest } from '../support/graphql-client';
import { startTestApp, type TestApp } from '../support/test-app';

const MODEL = join(__dirname, '..', 'fixtures', 'onnx-conformance', '2l_relu_fc');
const REQUEST_MANY = `mutation($inputs: [RequestInferenceInput!]!) { requestInferences(inputs: $inputs) { id status inputCommitment } }`;

describe('requestInferences', () => {
  let app: TestApp;
  let modelId: string;
  let model: QuantizedModel;
  let inputs: number[][];
  const count = async () => Number((await app.app.get(DataSource).query(`SELECT count(*) AS n FROM inferences`))[0].n);
  const call = (items: Record<string, unknown>[]) => graphqlRequest(app.graphqlUrl, REQUEST_MANY, { inputs: items });

  beforeAll(async () => {
    app = await startTestApp();
    const registered = await graphqlRequest(
      app.graphqlUrl,
      `mutation($input: RegisterModelInput!) { registerModel(input: $input) { id quantizedJson } }`,
      { input: { name: '2l_relu_fc', onnxBase64: readFileSync(join(MODEL, 'network.onnx')).toString('base64') } },
    );
    modelId = registered.data.registerModel.id;
    model = JSON.parse(registered.data.registerModel.quantizedJson) as QuantizedModel;
    const base = (JSON.parse(readFileSync(join(MODEL, 'input.json'), 'utf8')) as { input_data: number[][] }).input_data[0];
    inputs = [0, 1, 2].map((k) => base.map((v, i) => Math.max(-1, Math.min(1, v * (1 - 0.2 * k) + (i % 3) * 0.01 * k))));
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('queues each input as its own inference, in order, with its own commitment', async () => {
    const before = await count();
    const answer = await call(inputs.map((input) => ({ modelId, input, mode: 'OPTIMISTIC' })));
    expect(answer.errors).toBeUndefined();
    const rows = answer.data.requestInferences as { id: string; status: string; inputCommitment: string }[];
    expect(new Set(rows.map((row) => row.id)).size).toBe(3);
    rows.forEach((row, i) => {
      expect(row.inputCommitment).toBe(commitTensor(Array.from(quantizeInput(model, inputs[i]), BigInt)));
    });
    expect(await count()).toBe(before + 3);
  });

  it('queues nothing when one input is refused, and names its index', async () => {
    const before = await count();
    const answer = await call([
      { modelId, input: inputs[0], mode: 'OPTIMISTIC' },
      { modelId, input: [1, 2], mode: 'OPTIMISTIC' },
    ]);
    expect(answer.errors?.[0].extensions?.code).toBe('INPUT_SHAPE');
    expect(answer.errors?.[0].message).toMatch(/^inputs\[1\]: /);
    expect(await count()).toBe(before);
  });

  it('returns the same inferences for repeated clientRequestIds, and refuses one reused for another input with nothing queued', async () => {
    const items = inputs.map((input, i) => ({ modelId, input, mode: 'OPTIMISTIC', clientRequestId: `batch-${i}` }));
    const first = (await call(items)).data.requestInferences as { id: string }[];
    const before = await count();
    const again = (await call(items)).data.requestInferences as { id: string }[];
    expect(again.map((row) => row.id)).toEqual(first.map((row) => row.id));
    expect(await count()).toBe(before);

    const reused = await call([
      { modelId, input: inputs[0], mode: 'OPTIMISTIC', clientRequestId: 'fresh-key' },
      { modelId, input: inputs[2], mode: 'OPTIMISTIC', clientRequestId: 'batch-0' },
    ]);
    expect(reused.errors?.[0].extensions?.code).toBe('DUPLICATE_REQUEST');
    expect(await count()).toBe(before); // not even the fresh one

    const twice = await call([
      { modelId, input: inputs[0], mode: 'OPTIMISTIC', clientRequestId: 'same' },
      { modelId, input: inputs[1], mode: 'OPTIMISTIC', clientRequestId: 'same' },
    ]);
    expect(twice.errors?.[0].extensions?.code).toBe('DUPLICATE_REQUEST');
    expect(await count()).toBe(before);
  });

  it('refuses an empty call and one over the limit by name', async () => {
    expect((await call([])).errors?.[0].extensions?.code).toBe('TOO_MANY_REQUESTS');
    const many = Array.from({ length: 257 }, () => ({ modelId, input: inputs[0], mode: 'OPTIMISTIC' }));
    const answer = await call(many);
    expect(['TOO_MANY_REQUESTS', 'QUERY_TOO_COMPLEX']).toContain(answer.errors?.[0].extensions?.code);
  });
});
