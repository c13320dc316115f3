import { decodeAbiParameters } from 'viem';
import { evaluate } from '../evaluator/evaluator';
import { importOnnx } from '../onnx/onnx-import';
import { quantize } from '../quantize/quantize';
import { buildRandomMlp } from '../testing/float-model-builder';
import { SOURCE_PARAMETERS, buildOneStepWitness, oneStepReads } from './one-step-witness';
import { stepsTree } from './step-descriptor';
import { tensorRoot } from './tensor-root';
import { WordTree } from './word-tree';

const WITNESS_TYPES = [
  { type: 'bytes' },
  { type: 'bytes32[]' },
  { type: 'tuple[]', components: [{ type: 'bytes32' }, { type: 'bytes32[]' }] },
  {
    type: 'tuple[]',
    components: [
      { type: 'uint256' },
      { type: 'uint256' },
      { type: 'uint256' },
      { type: 'int256[]' },
      { type: 'bytes32[]' },
    ],
  },
] as const;

describe('one-step witness', () => {
  const model = quantize(importOnnx(buildRandomMlp([40, 20, 3])));
  const input = Array.from({ length: 40 }, (_, i) => Math.sin(i) / 2);
  const result = evaluate(model, input);
  const trace = [result.inputFixed, ...result.trace.map((t) => t.values)];

  it('sends a linear neuron its input row, its weight row and its bias chunk, nothing more', () => {
    // neuron 5 of 40 -> 20: weights [200, 240) = chunks 12..14, bias at 800 + 5 = chunk 50, input chunks 0..2
    const reads = oneStepReads(model, trace, 0, 5);
    expect(reads.map((r) => [r.source, r.first, r.values.length / 16])).toEqual([
      [0, 0, 3],
      [SOURCE_PARAMETERS, 12, 3],
      [SOURCE_PARAMETERS, 50, 1],
    ]);
    expect(reads[0].values.slice(0, 40).map(Number)).toEqual(Array.from(result.inputFixed));
    // the whole input: 3 chunks of a 4-wide tree, so the only sibling is the zero padding leaf
    expect(reads[0].siblings).toEqual([`0x${'0'.repeat(64)}`]);
    expect(reads[1].values).toEqual(
      model.steps[0].op === 'linear' ? model.steps[0].weights.slice(192, 240).map(BigInt) : [],
    );
  });

  it('sends one chunk for an elementwise value', () => {
    const reads = oneStepReads(model, trace, 1, 17);
    expect(reads.map((r) => [r.source, r.first, r.values.length])).toEqual([[0, 1, 16]]);
  });

  it('encodes the descriptor, its proof, the input roots with trace proofs and the reads; an element past the output carries no reads', () => {
    const tree = stepsTree(model);
    const [descriptor, proof, inputRoots, reads] = decodeAbiParameters(
      WITNESS_TYPES,
      buildOneStepWitness(model, trace, 2, 1),
    );
    expect(descriptor).toBe(tree.encoded[2]);
    expect(proof).toEqual(tree.proof(2));
    const traceTree = new WordTree(trace.map((t) => tensorRoot(t)));
    const inputs = tree.descriptors[2].inputs;
    expect(inputRoots).toEqual(inputs.map((t) => ({ 0: traceTree.node(0, t), 1: traceTree.proof(t) })).map((r) => [r[0], r[1]]));
    expect(reads.length).toBeGreaterThan(0);
    const [, , noRoots, none] = decodeAbiParameters(WITNESS_TYPES, buildOneStepWitness(model, trace, 2, 3));
    expect(noRoots).toEqual([]);
    expect(none).toEqual([]);
    expect(() => buildOneStepWitness(model, trace, 3, 0)).toThrow(/step 3 does not exist/);
  });
});
