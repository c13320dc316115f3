/**
 * Small models crafted to make an unguarded importer allocate or compute far more than their size
 * (specs of the import limits, the model compiler and the fuzzer). Not used by the engine itself.
 */
import { buildFloatModel } from './float-model-builder';

/** [1,N] reshaped to [N,1] (no copy), then added to itself: constant folding would build N x N. */
export function outerBroadcastModel(n: number): Uint8Array {
  return buildFloatModel({
    input: { name: 'x', dims: ['batch_size', 1] },
    output: { name: 'y', dims: ['batch_size', 1] },
    initializers: [
      { name: 'row', dims: [1, n], values: Array.from({ length: n }, (_, i) => i) },
      { name: 'column_shape', dims: [2], values: [n, 1] },
    ],
    nodes: [
      { op: 'Reshape', inputs: ['row', 'column_shape'], output: 'column' },
      { op: 'Add', inputs: ['column', 'row'], output: 'square' },
      { op: 'Relu', inputs: ['x'], output: 'y' },
    ],
  });
}

/** A model of a few bytes whose header declares an input of `dims` (after the batch). */
export function hugeInputModel(dims: number[]): Uint8Array {
  return buildFloatModel({
    input: { name: 'x', dims: ['batch_size', ...dims] },
    output: { name: 'y', dims: ['batch_size', ...dims] },
    initializers: [],
    nodes: [{ op: 'Relu', inputs: ['x'], output: 'y' }],
  });
}
