import { decodeAbiParameters, encodeAbiParameters, keccak256 } from 'viem';
import { EngineError } from '../engine.errors';
import { importOnnx } from '../onnx/onnx-import';
import { quantize } from '../quantize/quantize';
import type { QuantizedModel } from '../quantize/quantized-model.types';
import { buildRandomMlp } from '../testing/float-model-builder';
import { merkleLevels, merkleRootOfLevels, nodeHash } from './merkle-tree';
import { STEP_OP_CODES, encodeStepDescriptor, stepLeaf, stepsRoot, stepsTree } from './step-descriptor';

const DESCRIPTOR_TYPES = [
  { type: 'uint256' },
  { type: 'uint256' },
  { type: 'uint256[]' },
  { type: 'uint256[]' },
  { type: 'int256[]' },
  { type: 'int256[]' },
  { type: 'bytes32' },
  { type: 'uint256' },
] as const;

describe('step descriptors and the steps root', () => {
  const model = quantize(importOnnx(buildRandomMlp([7, 5, 3])));
  const clone = (): QuantizedModel => JSON.parse(JSON.stringify(model));

  it('encodes a linear step as (op, F, inputs, outShape, [in, out, weightsOffset, biasOffset], [], 0, 0)', () => {
    const [op, f, inputs, outShape, ints, table, mapRoot, mapLength] = decodeAbiParameters(
      DESCRIPTOR_TYPES,
      encodeStepDescriptor(model, 2),
    );
    expect(op).toBe(BigInt(STEP_OP_CODES.linear));
    expect(f).toBe(BigInt(model.fractionBits));
    expect(inputs).toEqual([2n]);
    expect(outShape).toEqual([1n, 3n]);
    expect(ints).toEqual([5n, 3n, 40n, 55n]);
    expect(table).toEqual([]);
    expect([mapRoot, mapLength]).toEqual([`0x${'0'.repeat(64)}`, 0n]);
  });

  it('roots the leaves keccak256(abi.encode(i, keccak256(descriptor_i))) in the ordered zero-padded tree', () => {
    const tree = stepsTree(model);
    const leaves = tree.encoded.map((d, i) =>
      keccak256(encodeAbiParameters([{ type: 'uint256' }, { type: 'bytes32' }], [BigInt(i), keccak256(d)])),
    );
    expect(leaves).toEqual(tree.encoded.map((d, i) => stepLeaf(i, d)));
    expect(tree.root).toBe(merkleRootOfLevels(merkleLevels(leaves)));
    expect(tree.root).toBe(
      nodeHash(nodeHash(leaves[0], leaves[1]), nodeHash(leaves[2], `0x${'0'.repeat(64)}`)),
    );
    expect(tree.proof(2)).toEqual([`0x${'0'.repeat(64)}`, nodeHash(leaves[0], leaves[1])]);
    expect(() => tree.proof(3)).toThrow(EngineError);
    expect(() => encodeStepDescriptor(model, 3)).toThrow(EngineError);
  });

  it('changes the steps root when an input index, a shape or F changes, not when a weight does', () => {
    const base = stepsRoot(model);
    const input = clone();
    input.steps[1].inputs = [0];
    expect(stepsRoot(input)).not.toBe(base);
    const fraction = clone();
    fraction.fractionBits += 1;
    expect(stepsRoot(fraction)).not.toBe(base);
    const weight = clone();
    if (weight.steps[0].op === 'linear') weight.steps[0].weights[0] = Number(weight.steps[0].weights[0]) + 1;
    expect(stepsRoot(weight)).toBe(base);
    expect(stepsRoot({ ...clone(), steps: [] })).toBe(`0x${'0'.repeat(64)}`);
  });
});
