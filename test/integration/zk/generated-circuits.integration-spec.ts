/**
 * Circuits generated from real models (src/zk/circuit-generator.ts): their outputs equal the
 * engine's bit for bit on every fixture model zk mode accepts, their input commitment equals the
 * TypeScript twin, models it cannot prove are refused with a clear error, and a prover who
 * tampers with a generated circuit's witness (a wrong output, a shifted intermediate, another
 * input under the same commitment) is caught by the R1CS.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { evaluateFixed, importOnnx, quantize, type QuantizedModel } from '../../../src/engine';
import { circuitInput, circuitLayout, decodePublicSignals, packOutputs } from '../../../src/zk/circuit-layout';
import { generateCircuit } from '../../../src/zk/circuit-generator';
import { commitSignedVector } from '../../../src/zk/poseidon-commitment';
import { ZkError } from '../../../src/zk/zk.errors';
import { buildFloatModel, intAttr, intsAttr, seededValues } from '../../../src/engine/testing';
import { compileHarness, type HarnessCircuit, modP } from '../../support/zk-circuit-harness';

const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'onnx-conformance');
const ZK_FIXTURES = ['1l_linear', '1l_mlp', '1l_relu', '1l_leakyrelu', '1l_batch_norm', '1l_conv', '1l_average', '1l_flatten', '1l_reshape', '2l_relu_fc', '3l_relu_conv_fc'];
const BENEFICIARY = 0xbeefn;

function loadFixture(name: string): QuantizedModel {
  const bytes = readFileSync(join(FIXTURES, name, 'network.onnx'));
  const calibration = (JSON.parse(readFileSync(join(FIXTURES, name, 'input.json'), 'utf8')) as { input_data: number[][] }).input_data;
  return quantize(importOnnx(bytes), { calibration });
}

/** Deterministic pseudo-random inputs inside the model's input bound. */
function inputsFor(model: QuantizedModel, count: number, seed: number): bigint[][] {
  const length = model.inputShape.reduce((a, b) => a * b, 1);
  const bound = Number(model.inputBound);
  let state = seed;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
  return Array.from({ length: count }, (_, s) =>
    Array.from({ length }, (_, i) => (s === 0 && i === 0 ? BigInt(bound) : BigInt(Math.round((next() * 2 - 1) * bound * 0.6)))),
  );
}

async function compileModel(model: QuantizedModel, batch: number): Promise<{ circuit: HarnessCircuit; name: string }> {
  const generated = generateCircuit(model, batch);
  return { circuit: await compileHarness(generated.name, generated.source), name: generated.name };
}

describe('circuits generated from models', () => {
  it.each(ZK_FIXTURES)('%s: outputs and input commitment equal the engine and the TypeScript twin', async (name) => {
    const model = loadFixture(name);
    const batch = name === '1l_mlp' ? 3 : 1;
    const layout = circuitLayout(model, batch);
    const { circuit } = await compileModel(model, batch);
    for (const seed of [1, 2]) {
      const inputs = inputsFor(model, batch, seed);
      const witness = await circuit.witness(circuitInput(layout, inputs, BENEFICIARY));
      expect(circuit.accepts(witness)).toBe(true);
      const signals = witness.slice(1, 1 + layout.publicSignalCount);
      const decoded = decodePublicSignals(layout, signals);
      for (const [s, input] of inputs.entries()) {
        const engine = evaluateFixed(model, Float64Array.from(input, Number), { trace: false });
        expect(decoded.outputs[s]).toEqual(engine.outputFixed);
        expect(decoded.inputCommitments[s]).toBe(await commitSignedVector(input, layout.inputBits, layout.inputOffset));
      }
      expect(decoded.beneficiary).toBe(BENEFICIARY);
    }
  }, 600_000);

  it('rejects a witness whose published output differs from the computed one', async () => {
    const model = loadFixture('2l_relu_fc');
    const layout = circuitLayout(model, 1);
    const { circuit } = await compileModel(model, 1);
    const [input] = inputsFor(model, 1, 7);
    const witness = await circuit.witness(circuitInput(layout, [input], BENEFICIARY));
    const engine = evaluateFixed(model, Float64Array.from(input, Number), { trace: false });
    const wrong = [...engine.outputFixed];
    wrong[0] += 1n;
    const [packed] = packOutputs(layout, [wrong]);
    const forged = circuit.assign(witness, { 'main.outputPacked[0]': packed });
    expect(circuit.accepts(forged)).toBe(false);
  }, 600_000);

  it('rejects a shifted intermediate value and an input swapped under the same commitment signal', async () => {
    const model = loadFixture('1l_mlp');
    const layout = circuitLayout(model, 1);
    const { circuit } = await compileModel(model, 1);
    const [input] = inputsFor(model, 1, 9);
    const witness = await circuit.witness(circuitInput(layout, [input], BENEFICIARY));
    // A prover keeps the published commitment but feeds the model another input.
    const other = [...input];
    other[1] += 1n;
    const forgedInput = circuit.assign(witness, { 'main.x[0][1]': other[1], 'main.inference[0].x[1]': other[1] });
    expect(circuit.accepts(forgedInput)).toBe(false);
    // Every kept wire of the first rescale's quotient, moved by one: some constraint must break.
    const quotient = [...circuit.symbols.entries()].find(([key, index]) => index >= 0 && /\.r0\[0\]\.core\.out$|\.r0\[0\]\.out$/.test(key));
    expect(quotient).toBeDefined();
    const [signal] = quotient as [string, number];
    const shifted = circuit.assign(witness, { [signal]: modP(circuit.value(witness, signal) + 1n, circuit.prime) });
    expect(circuit.accepts(shifted)).toBe(false);
  }, 600_000);

  it('refuses models with table lookups, naming the step and suggesting optimistic mode', () => {
    for (const name of ['1l_sigmoid', '1l_softmax', '2l_relu_sigmoid_small']) {
      const model = loadFixture(name);
      expect(() => generateCircuit(model)).toThrow(ZkError);
      expect(() => generateCircuit(model)).toThrow(/use optimistic mode/);
    }
  });

  it('proves Mul of two activations and Abs (issue 13) bit for bit, and refuses the other new ops by name', async () => {
    const spec = (extra: { op: string; inputs: string[]; output: string }[]) =>
      buildFloatModel({
        input: { name: 'x', dims: ['n', 6] },
        output: { name: 'y', dims: ['n', 6] },
        initializers: [{ name: 'w', dims: [6, 6], values: seededValues(36, 3, 0.5) }],
        nodes: [{ op: 'MatMul', inputs: ['x', 'w'], output: 'h' }, { op: 'Abs', inputs: ['h'], output: 'a' }, ...extra],
      });
    const model = quantize(importOnnx(spec([{ op: 'Mul', inputs: ['a', 'x'], output: 'y' }])));
    expect(model.steps.map((s) => s.op)).toEqual(['linear', 'abs', 'mul']);
    const layout = circuitLayout(model, 1);
    const { circuit } = await compileModel(model, 1);
    for (const seed of [1, 2]) {
      const inputs = inputsFor(model, 1, seed);
      const witness = await circuit.witness(circuitInput(layout, inputs, BENEFICIARY));
      expect(circuit.accepts(witness)).toBe(true);
      const decoded = decodePublicSignals(layout, witness.slice(1, 1 + layout.publicSignalCount));
      expect(decoded.outputs[0]).toEqual(evaluateFixed(model, Float64Array.from(inputs[0], Number), { trace: false }).outputFixed);
    }
    for (const op of ['Sign', 'Floor', 'Ceil', 'Round']) {
      const refused = quantize(importOnnx(spec([{ op, inputs: ['a'], output: 'y' }])));
      expect(() => generateCircuit(refused)).toThrow(new RegExp(`zk mode cannot prove step 2 \\(${op.toLowerCase()}, ONNX ${op} node "/${op}_2"\\).*use optimistic mode`));
    }
  }, 600_000);

  it('refuses the reductions, Sqrt, Reciprocal and MatMul of activations of issue 13 by name, with a pointer to optimistic mode', () => {
    const bytes = buildFloatModel({
      input: { name: 'x', dims: ['n', 6] },
      output: { name: 'y', dims: ['n'] },
      initializers: [],
      nodes: [
        { op: 'Relu', inputs: ['x'], output: 'h' },
        { op: 'ReduceMax', inputs: ['h'], output: 'y', attrs: [intAttr('keepdims', 0)] },
      ],
    });
    const model = quantize(importOnnx(bytes));
    expect(model.steps.map((s) => s.op)).toEqual(['relu', 'reduce']);
    expect(() => generateCircuit(model)).toThrow(/zk mode cannot prove step 1 \(reduce, ONNX ReduceMax node "\/ReduceMax_1"\): reductions .* use optimistic mode/);
    const sqrt = quantize(
      importOnnx(
        buildFloatModel({
          input: { name: 'x', dims: ['n', 6] },
          output: { name: 'y', dims: ['n', 6] },
          initializers: [],
          nodes: [{ op: 'Sqrt', inputs: ['x'], output: 'y' }],
        }),
      ),
    );
    expect(() => generateCircuit(sqrt)).toThrow(/zk mode cannot prove step 0 \(sqrt, ONNX Sqrt node "\/Sqrt_0"\): an integer square root .* use optimistic mode/);
    const reciprocal = quantize(
      importOnnx(
        buildFloatModel({
          input: { name: 'x', dims: ['n', 6] },
          output: { name: 'y', dims: ['n', 6] },
          initializers: [],
          nodes: [{ op: 'Reciprocal', inputs: ['x'], output: 'y' }],
        }),
      ),
    );
    const attention = quantize(
      importOnnx(
        buildFloatModel({
          input: { name: 'x', dims: ['n', 2, 3] },
          output: { name: 'y', dims: ['n', 2, 2] },
          initializers: [],
          nodes: [
            { op: 'Transpose', inputs: ['x'], output: 't', attrs: [intsAttr('perm', [0, 2, 1])] },
            { op: 'MatMul', inputs: ['x', 't'], output: 'y' },
          ],
        }),
      ),
    );
    expect(() => generateCircuit(attention)).toThrow(/zk mode cannot prove step \d \(matmul, ONNX MatMul node "\/MatMul_1"\): products of two activation matrices .* use optimistic mode/);
    expect(() => generateCircuit(reciprocal)).toThrow(/zk mode cannot prove step 0 \(reciprocal, ONNX Reciprocal node "\/Reciprocal_0"\): division by a signal .* use optimistic mode/);
  });

  it('refuses inputs of the wrong count or length before any witness is computed', () => {
    const model = loadFixture('1l_mlp');
    const layout = circuitLayout(model, 2);
    const [input] = inputsFor(model, 1, 3);
    expect(() => circuitInput(layout, [input], 0n)).toThrow(/proves 2 inference/);
    expect(() => circuitInput(layout, [input, input.slice(1)], 0n)).toThrow(/expects/);
  });
});
