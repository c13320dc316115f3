import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importOnnx, quantize } from '../engine';
import { checkZkBudget } from './zk-pipeline';

const MNIST = join(__dirname, '..', '..', 'test', 'fixtures', 'mnist');

describe('the zk constraint budget', () => {
  const calibration = (JSON.parse(readFileSync(join(MNIST, 'calibration.json'), 'utf8')) as { input_data: number[][] }).input_data;
  const mnist = quantize(importOnnx(readFileSync(join(MNIST, 'mnist-mlp.onnx'))), { calibration });

  it('accepts the MNIST MLP at batch 1 within a power-15 ptau and estimates its size', () => {
    const estimate = checkZkBudget(mnist, 1, 15);
    expect(estimate).toBeGreaterThan(16_384);
    expect(estimate).toBeLessThan(32_768);
  });

  it('refuses a model over the budget with the count, the power it needs, and optimistic mode as the way out', () => {
    expect(() => checkZkBudget(mnist, 1, 12)).toThrow(expect.objectContaining({ code: 'ZK_MODEL_TOO_LARGE' }));
    expect(() => checkZkBudget(mnist, 1, 12)).toThrow(/power 15.*Use optimistic mode/);
    expect(() => checkZkBudget(mnist, 16, 15)).toThrow(/power 19/);
  });
});
