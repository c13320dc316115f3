/**
 * Traced runs: onnxruntime's per-step outputs equal the TS evaluator's trace bit for bit on every
 * accepted conformance fixture and on the MNIST MLP, and so do the trace commitments (format version 3).
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import fc from 'fast-check';
import { onnx } from 'onnx-proto';
import { commitTensor, commitTrace } from '../commitment/tensor-commitment';
import { evaluateFixed } from '../evaluator/evaluator';
import { quantizeInput } from '../evaluator/input-quantize';
import { parseInputs } from '../io/input-json';
import { loadMnistHoldout, mnistFixtureDir } from '../mnist/mnist-data';
import { importOnnx } from '../onnx/onnx-import';
import { quantize } from '../quantize/quantize';
import type { QuantizedModel } from '../quantize/quantized-model.types';
import { fixtureNames } from '../testing/fixture-dir';
import { EXACT_GRAPH_OUTPUT_NAME, buildExactGraph, exactGraphStepOutputName } from './exact-graph';
import { OnnxRuntimeBackend } from './onnxruntime-backend';

const FIXTURES_DIR = join(__dirname, '../../../test/fixtures/onnx-conformance');
const REFUSED = new Set<string>();
const RANDOM_SAMPLES = 6;

/** Integers as plain numbers (-0 and 0 are the same integer; Jest's toEqual tells them apart). */
const ints = (values: ArrayLike<number>): number[] => Array.from(values, (v) => v + 0);

interface Case {
  name: string;
  model: QuantizedModel;
  inputs: number[][];
}

function conformanceCase(name: string): Case {
  const dir = join(FIXTURES_DIR, name);
  const inputs = parseInputs(JSON.parse(readFileSync(join(dir, 'input.json'), 'utf8')));
  const model = quantize(importOnnx(readFileSync(join(dir, 'network.onnx'))), { calibration: inputs });
  const length = model.inputShape.reduce((a, b) => a * b, 1);
  const bound = Math.fround(model.inputBoundReal);
  const random = fc.sample(
    fc.array(fc.double({ min: -bound, max: bound, noNaN: true }), { minLength: length, maxLength: length }),
    {
      numRuns: RANDOM_SAMPLES,
      seed: 11,
    },
  );
  return { name, model, inputs: [...inputs, ...random] };
}

function mnistCase(): Case {
  const dir = mnistFixtureDir();
  const calibration = parseInputs(JSON.parse(readFileSync(join(dir, 'calibration.json'), 'utf8')));
  const model = quantize(importOnnx(readFileSync(join(dir, 'mnist-mlp.onnx'))), { calibration });
  return { name: 'mnist-mlp', model, inputs: loadMnistHoldout().inputs.slice(0, 24) };
}

const conformance = fixtureNames(FIXTURES_DIR).filter((name) => !REFUSED.has(name));

describe('the traced exact graph', () => {
  const { model } = mnistCase();

  it('keeps the default graph with its single output and adds one named output per step behind exposeSteps', () => {
    const outputs = (bytes: Uint8Array) =>
      (onnx.ModelProto.decode(bytes).graph?.output ?? []).map((o) => o.name);
    expect(outputs(buildExactGraph(model))).toEqual([EXACT_GRAPH_OUTPUT_NAME]);
    expect(outputs(buildExactGraph(model, { exposeSteps: true }))).toEqual([
      EXACT_GRAPH_OUTPUT_NAME,
      ...model.steps.map((_, i) => exactGraphStepOutputName(i)),
    ]);
    expect(
      Buffer.from(buildExactGraph(model)).equals(Buffer.from(buildExactGraph(model, { exposeSteps: false }))),
    ).toBe(true);
  });

  it('reports the provider a backend would pick before any model is loaded', async () => {
    await expect(OnnxRuntimeBackend.probeProvider('cpu')).resolves.toBe('cpu');
    expect(['cpu', 'cuda']).toContain(await OnnxRuntimeBackend.probeProvider('auto'));
  });
});

describe.each([...conformance, 'mnist-mlp'])('traced run of %s', (name) => {
  const { model, inputs } = name === 'mnist-mlp' ? mnistCase() : conformanceCase(name);
  const fixed = inputs.map((x) => quantizeInput(model, x));
  const expected = fixed.map((x) => evaluateFixed(model, x));
  let backend: OnnxRuntimeBackend;

  beforeAll(async () => {
    backend = await OnnxRuntimeBackend.create(model, { provider: 'cpu', traced: true });
  });
  afterAll(async () => {
    await backend.release();
  });

  it("gives every step's output exactly as the TS evaluator's trace", async () => {
    const traced = await backend.runTraced(fixed);
    expect(traced.trace).toHaveLength(fixed.length);
    traced.trace.forEach((steps, n) => {
      expect(steps).toHaveLength(model.steps.length);
      steps.forEach((values, i) => expect(ints(values)).toEqual(ints(expected[n].trace[i].values)));
      expect(traced.outputFixed[n]).toEqual(expected[n].outputFixed);
      expect(traced.output[n]).toEqual(expected[n].output);
    });
    expect((await backend.runFixedBatch(fixed)).outputFixed).toEqual(traced.outputFixed);
  });

  it('gives the same trace and output commitments as the TS evaluator', async () => {
    const committed = await backend.runCommitted(fixed);
    committed.forEach((result, n) => {
      expect(result.traceCommitment).toBe(
        commitTrace(
          expected[n].inputFixed,
          expected[n].trace.map((t) => t.values),
        ),
      );
      expect(result.outputCommitment).toBe(commitTensor(expected[n].outputFixed));
      expect(result.outputFixed).toEqual(expected[n].outputFixed);
    });
  });

  it('changes the trace commitment when one value of the input or of one step is tampered with', async () => {
    const [steps] = (await backend.runTraced(fixed.slice(0, 1))).trace;
    const honest = commitTrace(fixed[0], steps);
    const input = Float64Array.from(fixed[0]);
    input[input.length - 1] += 1;
    expect(commitTrace(input, steps)).not.toBe(honest);
    expect(steps.length).toBeGreaterThan(0); // even 1l_identity has its copy step (importOnnx)
    fc.assert(
      fc.property(fc.nat({ max: steps.length - 1 }), fc.nat(), fc.constantFrom(-1, 1), (step, at, delta) => {
        const tampered = steps.map((values) => Float64Array.from(values));
        tampered[step][at % tampered[step].length] += delta;
        expect(commitTrace(fixed[0], tampered)).not.toBe(honest);
      }),
      { numRuns: 10, seed: 5 },
    );
  });
});
