import { defaultAccuracyInputs } from '../accuracy/accuracy-report';
import { MAX_FOLDED_ELEMENTS_TOTAL, MAX_MODEL_WORK_OPS, MAX_TENSOR_ELEMENTS } from '../engine.constants';
import { hugeInputModel, outerBroadcastModel } from '../testing/blow-up-models';
import { buildFloatModel, intAttr } from '../testing/float-model-builder';
import { importOnnx } from './onnx-import';
import { engineErrorOf } from '../testing/engine-error-of';

const errorOf = engineErrorOf;

const ints = (name: string, values: number[]) => ({ name, type: 7, ints: values });

describe('import limits', () => {
  it('refuses a constant fold that broadcasts [N,1] + [1,N] past MAX_TENSOR_ELEMENTS, naming the node, the shapes and the cap', () => {
    const started = Date.now();
    const error = errorOf(() => importOnnx(outerBroadcastModel(2048)));
    expect(error.code).toBe('MODEL_LIMIT_EXCEEDED');
    expect(error.message).toBe(
      `broadcast of [2048,1] and [1,2048] at node "/Add_1" of shape [2048,2048] needs ${2048 * 2048} elements; at most ${MAX_TENSOR_ELEMENTS} are accepted (MAX_TENSOR_ELEMENTS)`,
    );
    expect(error.details).toMatchObject({ limit: 'MAX_TENSOR_ELEMENTS', cap: MAX_TENSOR_ELEMENTS, shape: [2048, 2048] });
    // Refused from the shapes alone: nothing of the square's size was built.
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('refuses the same broadcast with a billion-element result as a named error, not a RangeError', () => {
    expect(errorOf(() => importOnnx(outerBroadcastModel(40_000))).code).toBe('MODEL_LIMIT_EXCEEDED');
  });

  it('refuses a model whose header declares an input above MAX_TENSOR_ELEMENTS, naming the input and its shape', () => {
    const error = errorOf(() => importOnnx(hugeInputModel([1_000_000, 1_000_000])));
    expect(error.code).toBe('MODEL_LIMIT_EXCEEDED');
    expect(error.message).toContain('input "x" of shape [1,1000000,1000000] needs 1000000000000 elements');
  });

  it('refuses a Concat of one constant with itself many times before concatenating', () => {
    const error = errorOf(() =>
      importOnnx(
        buildFloatModel({
          input: { name: 'x', dims: ['batch_size', 1] },
          output: { name: 'y', dims: ['batch_size', 1] },
          initializers: [{ name: 'c', dims: [1024], values: new Array<number>(1024).fill(1) }],
          nodes: [
            { op: 'Concat', inputs: new Array<string>(4096).fill('c'), output: 'big', attrs: [intAttr('axis', 0)] },
            { op: 'Relu', inputs: ['x'], output: 'y' },
          ],
        }),
      ),
    );
    expect(error.code).toBe('MODEL_LIMIT_EXCEEDED');
    expect(error.message).toContain('output of node "/Concat_0" of shape [4194304]');
  });

  it('refuses folds that are each under the cap once together they pass MAX_FOLDED_ELEMENTS_TOTAL', () => {
    const side = 1024; // each fold: 1024 x 1024 = 2^20 elements
    const folds = MAX_FOLDED_ELEMENTS_TOTAL / (side * side) + 1;
    const error = errorOf(() =>
      importOnnx(
        buildFloatModel({
          input: { name: 'x', dims: ['batch_size', 1] },
          output: { name: 'y', dims: ['batch_size', 1] },
          initializers: [
            { name: 'row', dims: [1, side], values: new Array<number>(side).fill(1) },
            { name: 'column_shape', dims: [2], values: [side, 1] },
          ],
          nodes: [
            { op: 'Reshape', inputs: ['row', 'column_shape'], output: 'column' },
            ...Array.from({ length: folds }, (_, i) => ({ op: 'Add', inputs: ['column', 'row'], output: `square${i}` })),
            { op: 'Relu', inputs: ['x'], output: 'y' },
          ],
        }),
      ),
    );
    expect(error.code).toBe('MODEL_LIMIT_EXCEEDED');
    expect(error.details).toMatchObject({ limit: 'MAX_FOLDED_ELEMENTS_TOTAL' });
  });

  it('refuses a Pad whose pads would make an activation above the cap, before building its index map', () => {
    const error = errorOf(() =>
      importOnnx(
        buildFloatModel({
          input: { name: 'x', dims: ['batch_size', 4] },
          output: { name: 'y', dims: ['batch_size', 4] },
          initializers: [],
          nodes: [{ op: 'Pad', inputs: ['x'], output: 'y', attrs: [ints('pads', [0, 0, 0, 2 ** 40])] }],
          opset: 10,
        }),
      ),
    );
    expect(error.code).toBe('MODEL_LIMIT_EXCEEDED');
    expect(error.message).toContain(`output of node "/Pad_0" of shape [1,${2 ** 40 + 4}]`);
  });

  it('refuses a small Conv over a large declared input whose work per sample passes MAX_MODEL_WORK_OPS', () => {
    const error = errorOf(() =>
      importOnnx(
        buildFloatModel({
          input: { name: 'x', dims: ['batch_size', 1, 2048, 1024] },
          output: { name: 'y', dims: ['batch_size', 1, 2046, 1022] },
          initializers: [{ name: 'w', dims: [1, 1, 3, 3], values: new Array<number>(9).fill(0.1) }],
          nodes: [{ op: 'Conv', inputs: ['x', 'w'], output: 'y' }],
        }),
      ),
    );
    expect(error.code).toBe('MODEL_LIMIT_EXCEEDED');
    expect(error.details).toMatchObject({ limit: 'MAX_MODEL_WORK_OPS', cap: MAX_MODEL_WORK_OPS, figure: 2046 * 1022 * 9 });
  });

  it('refuses a Reshape to a non-integer dimension as INPUT_SHAPE', () => {
    const error = errorOf(() =>
      importOnnx(
        buildFloatModel({
          input: { name: 'x', dims: ['batch_size', 4] },
          output: { name: 'y', dims: [1, 4] },
          initializers: [{ name: 's', dims: [3], values: [1, 2.5, 1.6] }],
          nodes: [{ op: 'Reshape', inputs: ['x', 's'], output: 'y' }],
        }),
      ),
    );
    expect(error.code).toBe('INPUT_SHAPE');
  });

  it('refuses to generate accuracy inputs for a shape above the cap instead of allocating them', () => {
    const error = errorOf(() => defaultAccuracyInputs(2 ** 40));
    expect(error.code).toBe('MODEL_LIMIT_EXCEEDED');
    expect(error.message).toContain('an accuracy input of shape [1099511627776]');
  });

  it('still imports a model whose constants and activations stay under every cap', () => {
    const imported = importOnnx(outerBroadcastModel(64));
    expect(imported.steps.map((s) => s.op)).toEqual(['relu']);
  });
});
