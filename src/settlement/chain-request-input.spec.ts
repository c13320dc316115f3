import { importOnnx, quantize } from '../engine';
import { buildRandomMlp } from '../engine/testing/float-model-builder';
import { checkChainInput, storableInput } from './chain-request-input';

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
