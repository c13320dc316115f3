/**
 * The ONNX zoo fixtures the engine loads (test/fixtures/onnx-zoo, issue 13): each runs bit for bit
 * the same in the evaluator and the float64 onnxruntime graph, and stays within 2% of the float
 * model (relative to the largest |output| of the float model) on the fixture input and on random
 * inputs drawn in the fixture input's own range [min, max] (some models are only defined for
 * positive inputs: Log, Sqrt). The error and the argmax agreement are printed per model.
 */
import { join } from 'path';
import fc from 'fast-check';
import { accuracyReport } from './accuracy/accuracy-report';
import { FloatModelRunner } from './accuracy/float-model-runner';
import { evaluate } from './evaluator/evaluator';
import { importOnnx } from './onnx/onnx-import';
import { quantize } from './quantize/quantize';
import { OnnxRuntimeBackend } from './runtime/onnxruntime-backend';
import { fixtureNames, loadFixture } from './testing';

const ZOO_DIR = join(__dirname, '../../test/fixtures/onnx-zoo');
/** Accepted error relative to max |float output|. */
const RELATIVE_TOLERANCE = 0.02;
const EXPECTED = ['1l_concat', '1l_div', '1l_elu', '1l_erf', '1l_gelu_tanh_appx', '1l_instance_norm', '1l_mean', '1l_slice', '1l_sqrt', '1l_var', 'exp', 'hard_sigmoid', 'large_op_graph', 'layernorm', 'ltsf', 'max', 'mish', 'reducel2', 'softplus', 'tril'];

const fixtures = fixtureNames(ZOO_DIR);

const load = (name: string) => loadFixture(ZOO_DIR, name);

describe('ONNX zoo fixtures', () => {
  it('holds the expected models', () => {
    expect(fixtures).toEqual([...EXPECTED].sort());
  });

  describe.each(fixtures)('%s', (name) => {
    const { bytes, inputs } = load(name);
    const imported = importOnnx(bytes);
    const model = quantize(imported, { calibration: inputs });
    const inputLength = imported.info.inputShape.reduce((a, b) => a * b, 1);
    let backend: OnnxRuntimeBackend;

    beforeAll(async () => {
      backend = await OnnxRuntimeBackend.create(model, { provider: 'cpu' });
    });
    afterAll(async () => backend.release());

    it('gives the same integers in the evaluator and onnxruntime on the fixture input and random in-bound inputs', async () => {
      expect(backend.exactness.holds).toBe(true);
      expect((await backend.run(inputs)).outputFixed[0]).toEqual(evaluate(model, inputs[0]).outputFixed);
      const bound = Math.fround(model.inputBoundReal);
      const input = fc.array(fc.double({ min: -bound, max: bound, noNaN: true }), { minLength: inputLength, maxLength: inputLength });
      await fc.assert(
        fc.asyncProperty(fc.array(input, { minLength: 1, maxLength: 4 }), async (batch) => {
          const viaOrt = (await backend.run(batch)).outputFixed;
          batch.forEach((x, n) => expect(viaOrt[n]).toEqual(evaluate(model, x, { trace: false }).outputFixed));
        }),
        { numRuns: 8, seed: 42 },
      );
    });

    it('stays within 2% of the float model in the fixture input range', async () => {
      const flat = inputs.flat();
      const [lo, hi] = [Math.min(...flat), Math.max(...flat)];
      const input = fc.array(fc.double({ min: Math.fround(lo), max: Math.fround(hi), noNaN: true }), { minLength: inputLength, maxLength: inputLength });
      const samples = [...inputs, ...fc.sample(input, { numRuns: 6, seed: 7 })];
      const report = await accuracyReport(imported, model, samples);
      const runner = await FloatModelRunner.create(imported);
      let scale = 0;
      try {
        for (const x of samples) for (const v of await runner.run(x)) scale = Math.max(scale, Math.abs(v));
      } finally {
        await runner.release();
      }
      const relative = report.maxAbsError / Math.max(scale, 2 ** -model.fractionBits);
      console.log(
        `zoo ${name}: F=${model.fractionBits} steps=${model.steps.length} max|err|=${report.maxAbsError.toExponential(3)} ` +
          `relative=${(100 * relative).toFixed(3)}% argmax agreement=${report.argmaxAgreement}`,
      );
      expect(relative).toBeLessThanOrEqual(RELATIVE_TOLERANCE);
    });
  });
});
