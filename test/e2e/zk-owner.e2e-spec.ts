/**
 * enableZkMode makes the service compile a circuit, run a trusted setup and deploy a verifier at
 * its own cost: only the key a model's registration named as its owner may ask for it (issue 18,
 * M2). Each attempt below fails before any circuit row exists. The calls go through the service
 * where the per-caller rate limit of the mutation (5 a minute) would otherwise refuse them first;
 * the first refusals and the owner's success go through GraphQL.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import type { Hex } from 'viem';
import { AppError } from '../../src/common/app-error';
import { ZkCircuitsService } from '../../src/proofs/zk-circuits.service';
import { graphqlRequest } from '../support/graphql-client';
import { startTestApp, type TestApp } from '../support/test-app';
import { MODEL_OWNER, zkConsent } from '../support/zk-consent';

const REGISTER = `mutation($input: RegisterModelInput!) { registerModel(input: $input) { id commitment owner } }`;
const ENABLE_ZK = `mutation($modelId: ID!, $batchSize: Int!, $deadline: Int!, $signature: String!) {
  enableZkMode(modelId: $modelId, batchSize: $batchSize, deadline: $deadline, signature: $signature) { id status }
}`;
const LINEAR = readFileSync(join(__dirname, '..', 'fixtures', 'onnx-conformance', '1l_linear', 'network.onnx')).toString('base64');
/** secp256k1's group order: (r, n - s, v flipped) is the high-s twin of a signature. */
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

describe('zk mode is the model owner’s to enable', () => {
  let app: TestApp;
  let model: { id: string; commitment: Hex; owner: string | null };
  const register = async (name: string, owner?: string) =>
    (await graphqlRequest(app.graphqlUrl, REGISTER, { input: { name, onnxBase64: LINEAR, ...(owner ? { owner } : {}) } })).data
      .registerModel as typeof model;
  const overGraphql = (consent: { deadline: number; signature: string }, batchSize = 1) =>
    graphqlRequest(app.graphqlUrl, ENABLE_ZK, { modelId: model.id, batchSize, ...consent });
  const codeOf = async (consent: { deadline: number; signature: string }, batchSize = 1) =>
    app.app
      .get(ZkCircuitsService)
      .enable(model.id, batchSize, consent)
      .then(
        () => 'ACCEPTED',
        (error: unknown) => (error instanceof AppError ? error.code : String(error)),
      );
  const circuits = async () =>
    Number((await app.app.get(DataSource).query(`SELECT count(*) AS n FROM zk_circuits WHERE model_id = $1`, [model.id]))[0].n);

  beforeAll(async () => {
    app = await startTestApp();
    model = await register('unowned');
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('refuses everyone for a model registered without an owner', async () => {
    expect(model.owner).toBeNull();
    const answer = await overGraphql(await zkConsent(app, model.commitment));
    expect(answer.errors?.[0].extensions?.code).toBe('ZK_OWNER_REQUIRED');
    expect(answer.errors?.[0].message).toMatch(/register it with `owner`/);
    expect(await circuits()).toBe(0);
  });

  it('keeps the first owner named: a later registration of the same bytes fills an empty owner, never replaces one', async () => {
    expect(await register('claimed', MODEL_OWNER.toLowerCase())).toMatchObject({ id: model.id, owner: MODEL_OWNER });
    expect((await register('squat', '0x000000000000000000000000000000000000dEaD')).owner).toBe(MODEL_OWNER);
  });

  it('refuses a consent signed by another key, for another batch size or model, expired, too far ahead, or malleated', async () => {
    const stranger = await zkConsent(app, model.commitment, 1, `0x${'0123456789abcdef'.repeat(4)}`);
    const answer = await overGraphql(stranger);
    expect(answer.errors?.[0].extensions?.code).toBe('ZK_OWNER_SIGNATURE_INVALID');
    expect(answer.errors?.[0].message).toContain(MODEL_OWNER);

    const now = Math.floor(Date.now() / 1000);
    const good = await zkConsent(app, model.commitment);
    const s = BigInt(`0x${good.signature.slice(66, 130)}`);
    const flippedV = parseInt(good.signature.slice(130), 16) === 27 ? '1c' : '1b';
    const cases: [string, { deadline: number; signature: string }, number][] = [
      ['signed for batch size 2, used for 1', await zkConsent(app, model.commitment, 2), 1],
      ['signed for another model', await zkConsent(app, `0x${'11'.repeat(32)}`), 1],
      ['expired', await zkConsent(app, model.commitment, 1, undefined, BigInt(now - 1)), 1],
      ['two hours ahead', await zkConsent(app, model.commitment, 1, undefined, BigInt(now + 7200)), 1],
      ['deadline changed after signing', { ...good, deadline: good.deadline + 1 }, 1],
      ['high-s twin', { ...good, signature: `${good.signature.slice(0, 66)}${(SECP256K1_N - s).toString(16).padStart(64, '0')}${flippedV}` }, 1],
      ['v as y-parity', { ...good, signature: `${good.signature.slice(0, 130)}0${parseInt(good.signature.slice(130), 16) - 27}` }, 1],
      ['not hex', { ...good, signature: 'owner' }, 1],
    ];
    for (const [why, consent, batchSize] of cases) {
      expect({ why, code: await codeOf(consent, batchSize) }).toEqual({ why, code: 'ZK_OWNER_SIGNATURE_INVALID' });
    }
    expect(await circuits()).toBe(0);
  });

  it("accepts the owner's consent", async () => {
    // A READY row for batch size 1: the accepted call answers with it and starts no setup.
    await app.app.get(DataSource).query(`INSERT INTO zk_circuits (model_id, batch_size, status, stage) VALUES ($1, 1, 'READY', 'ready')`, [model.id]);
    const answer = await overGraphql(await zkConsent(app, model.commitment));
    expect(answer.errors).toBeUndefined();
    expect(answer.data.enableZkMode.status).toBe('READY');
  });
});
