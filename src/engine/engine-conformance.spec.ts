/**
 * Every ONNX conformance fixture runs (evaluator and onnxruntime agree bit for bit, accuracy
 * within tolerance); an unsupported op is refused with an error naming the op and the node.
 */
import { join } from 'path';
import fc from 'fast-check';
import { accuracyReport } from './accuracy/accuracy-report';
import { FloatModelRunner } from './accuracy/float-model-runner';
import { EngineError } from './engine.errors';
import { evaluate } from './evaluator/evaluator';
import { importOnnx } from './onnx/onnx-import';
import { quantize } from './quantize/quantize';
import { OnnxRuntimeBackend } from './runtime/onnxruntime-backend';
import { buildFloatModel, fixtureNames, loadFixture } from './testing';

const FIXTURES_DIR = join(__dirname, '../../test/fixtures/onnx-conformance');
/** Worst-case tolerance of |quantized - float| per fixture on random in-bound inputs (real units). */
const TOLERANCE_DEFAULT = 2 ** -8;
const TOLERANCE: Record<string, number> = { '1l_gelu_noappx': 2 ** -7, '3l_relu_conv_fc': 2 ** -7, '1l_sigmoid': 2 ** -7, '2l_relu_sigmoid_small': 2 ** -7 };

const fixtures = fixtureNames(FIXTURES_DIR);

const load = (name: string) => loadFixture(FIXTURES_DIR, name);

describe('ONNX conformance fixtures', () => {
  it('finds all sixteen fixtures', () => {
    expect(fixtures).toHaveLength(16);
  });

  it('refuses an op the engine does not support with an error naming the op and the node', () => {
    // every conformance fixture loads since issue 13; a hand-built model stands in for a refused one
    const bytes = buildFloatModel({
      input: { name: 'x', dims: ['n', 4] },
      output: { name: 'y', dims: ['n', 4] },
      initializers: [],
      nodes: [{ op: 'Hardmax', inputs: ['x'], output: 'y' }],
    });
    let error: unknown;
    try {
      importOnnx(bytes);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EngineError);
    expect((error as EngineError).code).toBe('UNSUPPORTED_OP');
    expect((error as EngineError).message).toContain('unsupported op Hardmax at node "/Hardmax_0"');
  });

  describe.each(fixtures)('%s', (name) => {
    const { bytes, inputs } = load(name);
    const imported = importOnnx(bytes);
    const model = quantize(imported, { calibration: inputs });
    const inputLength = imported.info.inputShape.reduce((a, b) => a * b, 1);
    let backend: OnnxRuntimeBackend;
    let floatRunner: FloatModelRunner;

    beforeAll(async () => {
      backend = await OnnxRuntimeBackend.create(model, { provider: 'cpu' });
      floatRunner = await FloatModelRunner.create(imported);
    });
    afterAll(async () => {
      await backend.release();
      await floatRunner.release();
    });

    it('proves statically that every float64 intermediate stays below 2^52', () => {
      expect(backend.exactness.holds).toBe(true);
      expect(BigInt(backend.exactness.maxAccumulator) < 2n ** 52n).toBe(true);
    });

    it('gives the same integers in the evaluator and onnxruntime on the fixture input', async () => {
      const expected = evaluate(model, inputs[0]).outputFixed;
      const actual = (await backend.run(inputs)).outputFixed[0];
      expect(actual).toEqual(expected);
    });

    it('gives the same integers in the evaluator and onnxruntime on random in-bound inputs', async () => {
      const bound = Math.fround(model.inputBoundReal);
      const input = fc.array(fc.double({ min: -bound, max: bound, noNaN: true }), { minLength: inputLength, maxLength: inputLength });
      await fc.assert(
        fc.asyncProperty(fc.array(input, { minLength: 1, maxLength: 8 }), async (batch) => {
          const viaOrt = (await backend.run(batch)).outputFixed;
          batch.forEach((x, n) => expect(viaOrt[n]).toEqual(evaluate(model, x, { trace: false }).outputFixed));
        }),
        { numRuns: 12, seed: 42 },
      );
    });

    it('stays within the tolerance of the float model on random inputs in the calibration range', async () => {
      const maxAbs = Math.max(...inputs.flat().map(Math.abs));
      const input = fc.array(fc.double({ min: -maxAbs, max: maxAbs, noNaN: true }), { minLength: inputLength, maxLength: inputLength });
      const samples = fc.sample(input, { numRuns: 6, seed: 7 });
      const report = await accuracyReport(imported, model, [...inputs, ...samples]);
      expect(report.sampleCount).toBe(inputs.length + samples.length);
      expect(report.maxAbsError).toBeLessThanOrEqual(TOLERANCE[name] ?? TOLERANCE_DEFAULT);
      const floatOut = await floatRunner.run(samples[0]);
      const quantOut = evaluate(model, samples[0]).output;
      quantOut.forEach((v, i) => expect(Math.abs(v - floatOut[i])).toBeLessThanOrEqual(report.maxAbsError));
    });
  });
});
