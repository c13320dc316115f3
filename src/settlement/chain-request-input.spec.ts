import { toHex } from 'viem';
import { commitTensor, importOnnx, quantize } from '../engine';
import { buildRandomMlp } from '../engine/testing';
import { circuitLayout } from '../zk/circuit-layout';
import { commitSignedVector } from '../zk/poseidon-commitment';
import { checkChainInput, checkRequestInput, storableInput } from './chain-request-input';

describe('the check of an on-chain request input', () => {
  const model = quantize(importOnnx(buildRandomMlp([6, 5, 3])), {
    calibration: [[0.5, -0.5, 0.25, 1, -1, 0]],
  });
  const bound = BigInt(model.inputBound);

  it('accepts integers of the model input length inside the input bound', () => {
    expect(checkChainInput(model, [0n, 1n, -1n, bound, -bound, 7n])).toEqual({ valid: true });
  });

  it('refuses an empty input and says what the model expects', () => {
    const check = checkChainInput(model, []);
    expect(check.valid).toBe(false);
    expect(!check.valid && check.message).toMatch(/no input.*6 values/);
  });

  it('refuses a wrong length with both lengths in the message', () => {
    const check = checkChainInput(model, [1n, 2n, 3n]);
    expect(!check.valid && check.message).toMatch(/3 values.*expects 6/);
  });

  it('refuses a value beyond the input bound, even one beyond 2^53', () => {
    expect(checkChainInput(model, [0n, 0n, bound + 1n, 0n, 0n, 0n]).valid).toBe(false);
    const huge = checkChainInput(model, [0n, 2n ** 200n, 0n, 0n, 0n, 0n]);
    expect(!huge.valid && huge.message).toMatch(/input value 1 .* outside the model's input bound/);
  });

  it('stores an input only when every value fits a bigint column', () => {
    expect(storableInput([1n, -2n])).toEqual(['1', '-2']);
    expect(storableInput([1n, 2n ** 63n])).toEqual([]);
  });
});

describe('the commitments of an on-chain request', () => {
  const zkModel = quantize(importOnnx(buildRandomMlp([6, 5, 3])), { calibration: [[0.5, -0.5, 0.25, 1, -1, 0]] });
  const input = [1n, -2n, 3n, 0n, 4n, -5n];

  it('binds a ZK request to the Poseidon commitment of its input and hands the worker the keccak one', async () => {
    const layout = circuitLayout(zkModel, 1);
    const poseidon = await commitSignedVector(input, layout.inputBits, layout.inputOffset);
    const check = await checkRequestInput(zkModel, 'ZK', input, toHex(poseidon, { size: 32 }));
    expect(check).toMatchObject({ valid: true, inputCommitment: commitTensor(input), zkInputCommitment: poseidon.toString() });
  });

  it('refuses a ZK request whose commitment is not its input\'s, since no proof could settle it', async () => {
    const check = await checkRequestInput(zkModel, 'ZK', input, commitTensor(input));
    expect(check).toMatchObject({ valid: false, code: 'ZK_INPUT_COMMITMENT_MISMATCH', zkInputCommitment: null });
    expect(check.message).toMatch(/not the Poseidon commitment of its input/);
  });

  it('keeps an optimistic request as the contract checked it', async () => {
    const check = await checkRequestInput(zkModel, 'OPTIMISTIC', input, commitTensor(input));
    expect(check).toMatchObject({ valid: true, inputCommitment: commitTensor(input), zkInputCommitment: null });
  });
});
