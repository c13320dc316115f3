import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importOnnx, parseInputs, quantize } from '../engine';
import { buildFloatModel, buildRandomMlp, globalPoolConvModel, intAttr, intsAttr, mnistFixtureDir, reluChainModel, wideConvModel } from '../engine/testing';
import { checkDisputeBudget } from '../models/compile-model';
import { MAX_DISPUTE_MOVE_GAS, disputeGasReport } from './dispute-gas';

function mnist() {
  const dir = mnistFixtureDir();
  const calibration = parseInputs(JSON.parse(readFileSync(join(dir, 'calibration.json'), 'utf8')));
  return quantize(importOnnx(readFileSync(join(dir, 'mnist-mlp.onnx'))), { calibration });
}

const codeOf = (fn: () => unknown): { code?: string; message?: string; details?: Record<string, unknown> } => {
  try {
    fn();
  } catch (error) {
    return error as { code?: string; message?: string };
  }
  return {};
};

describe('the registration bound on dispute gas', () => {
  it('gives every move of an MNIST dispute, and the reveal, a figure; the costliest is the 784-wide linear one-step', () => {
    const report = disputeGasReport(mnist());
    expect(report.moves.map((m) => m.move)).toEqual([
      'open',
      'revealTracePage',
      'pickTraceNode',
      'revealChunkPage',
      'pickChunkNode',
      'revealChunkValues',
      'oneStep',
      'reveal',
    ]);
    expect(report.costliest).toMatchObject({ move: 'oneStep', step: 0, op: 'linear' });
    expect(report.costliest.gas).toBeLessThan(MAX_DISPUTE_MOVE_GAS);
  });

  it('keeps the pages of both attack shapes bounded: a 1,400-step trace and a 7,688-chunk step cost a page of 256 nodes', () => {
    const chain = disputeGasReport(quantize(importOnnx(reluChainModel())));
    const conv = disputeGasReport(quantize(importOnnx(wideConvModel())));
    const page = (r: typeof chain, move: string) => r.moves.find((m) => m.move === move)!.gas;
    expect(page(chain, 'revealTracePage')).toBe(page(conv, 'revealChunkPage'));
    expect(page(chain, 'revealTracePage')).toBeLessThan(1_000_000);
    expect(chain.costliest.gas).toBeLessThan(MAX_DISPUTE_MOVE_GAS);
    expect(conv.costliest.gas).toBeLessThan(MAX_DISPUTE_MOVE_GAS);
  });

  it('refuses, by name, a model whose one-step reads 3,844 values (a 62x62 average pool)', () => {
    const error = codeOf(() => checkDisputeBudget(quantize(importOnnx(globalPoolConvModel()))));
    expect(error.code).toBe('DISPUTE_MOVE_OVER_BUDGET');
    expect(error.message).toMatch(/^the dispute move oneStep at step 2 \(avgPool\) may need \d+ gas; optimistic mode allows at most 10000000/);
    expect(error.details).toMatchObject({ move: 'oneStep', step: 2, op: 'avgPool', budget: MAX_DISPUTE_MOVE_GAS });
  });

  it('prices a reduction by its row and refuses, by name, one whose row is too wide for one move', () => {
    const reduceModel = (width: number) =>
      quantize(
        importOnnx(
          buildFloatModel({
            input: { name: 'x', dims: ['n', 2, width] },
            output: { name: 'y', dims: ['n', 2] },
            initializers: [],
            nodes: [{ op: 'ReduceMean', inputs: ['x'], output: 'y', attrs: [intsAttr('axes', [2]), intAttr('keepdims', 0)] }],
          }),
        ),
      );
    const narrow = disputeGasReport(reduceModel(300)).oneStepByStep[0];
    const wide = disputeGasReport(reduceModel(1200)).oneStepByStep[0];
    expect(narrow.op).toBe('reduce');
    expect(wide.gas - narrow.gas).toBeGreaterThan(900 * 32 * 16);
    const error = codeOf(() => checkDisputeBudget(reduceModel(20_000)));
    expect(error.code).toBe('DISPUTE_MOVE_OVER_BUDGET');
    expect(error.message).toMatch(/^the dispute move oneStep at step 0 \(reduce\) may need \d+ gas; optimistic mode allows at most 10000000/);
  });

  it('refuses a model whose output is too long to reveal in one transaction', () => {
    const error = codeOf(() => checkDisputeBudget(quantize(importOnnx(buildRandomMlp([4, 4, 500])))));
    expect(error.code).toBe('DISPUTE_MOVE_OVER_BUDGET');
    expect(error.message).toMatch(/^the dispute move reveal may need \d+ gas/);
  });
});
