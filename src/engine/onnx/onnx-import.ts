/** importOnnx: decode, fix the batch to 1, fold constants and normalize into engine steps. */
import type { onnx } from 'onnx-proto';
import { EngineError } from '../engine.errors';
import { convertArithmetic, convertReciprocalOp } from './arithmetic-converters';
import { convertUnaryPwl } from './pwl-converters';
import { convertAnd, convertCompare, convertHardSigmoid, convertNeg, convertNot, convertPow, convertUnaryInt, convertWhere } from './elementwise-converters';
import {
  convertClip,
  convertLeakyRelu,
  convertPassThrough,
  convertRelu,
  convertSigmoidOrTanh,
  convertSqrt,
} from './activation-converters';
import { convertReduce, convertSoftmax } from './reduce-converters';
import { convertInstanceNorm, convertLayerNorm } from './norm-converters';
import { ImportContext, NodeView } from './import-context';
import type { ImportedModel, ImportedModelInfo } from './imported-model.types';
import { convertConcat, convertExpand, convertSlice, convertSplit, convertTile, convertTranspose, convertTrilu } from './index-map-converters';
import { convertFlatten, convertGather, convertPad, convertPool, convertReshape, convertSqueeze, convertUnsqueeze } from './layout-converters';
import { convertBatchNorm, convertConv, convertGemm, convertMatMul } from './linear-converters';
import { tryFoldConstant } from './const-folding';
import { decodeModelProto, decodeTensor, defaultOpsetVersion, valueInfoShape } from './onnx-decode';
import { checkedElementCount } from './import-limits';

type Converter = (node: NodeView) => void;

const CONVERTERS: Record<string, Converter> = {
  Gemm: convertGemm,
  MatMul: convertMatMul,
  Conv: convertConv,
  BatchNormalization: convertBatchNorm,
  Add: convertArithmetic,
  Sub: convertArithmetic,
  Mul: convertArithmetic,
  Div: convertArithmetic,
  AveragePool: convertPool,
  MaxPool: convertPool,
  Flatten: convertFlatten,
  Reshape: convertReshape,
  Squeeze: convertSqueeze,
  Unsqueeze: convertUnsqueeze,
  Pad: convertPad,
  Gather: convertGather,
  Transpose: convertTranspose,
  Slice: convertSlice,
  Split: convertSplit,
  Expand: convertExpand,
  Tile: convertTile,
  Concat: convertConcat,
  Trilu: convertTrilu,
  Abs: convertUnaryInt,
  Sign: convertUnaryInt,
  Floor: convertUnaryInt,
  Ceil: convertUnaryInt,
  Round: convertUnaryInt,
  Neg: convertNeg,
  Less: convertCompare,
  LessOrEqual: convertCompare,
  Greater: convertCompare,
  GreaterOrEqual: convertCompare,
  Equal: convertCompare,
  Not: convertNot,
  And: convertAnd,
  Where: convertWhere,
  HardSigmoid: convertHardSigmoid,
  HardSwish: convertHardSigmoid,
  Pow: convertPow,
  Exp: convertUnaryPwl,
  Erf: convertUnaryPwl,
  Elu: convertUnaryPwl,
  Selu: convertUnaryPwl,
  Celu: convertUnaryPwl,
  Softplus: convertUnaryPwl,
  Relu: convertRelu,
  LeakyRelu: convertLeakyRelu,
  Clip: convertClip,
  Sigmoid: convertSigmoidOrTanh,
  Tanh: convertSigmoidOrTanh,
  Softmax: convertSoftmax,
  ReduceSum: convertReduce,
  ReduceMean: convertReduce,
  ReduceMax: convertReduce,
  ReduceMin: convertReduce,
  ReduceL1: convertReduce,
  ReduceSumSquare: convertReduce,
  ReduceL2: convertReduce,
  Sqrt: convertSqrt,
  Reciprocal: convertReciprocalOp,
  LayerNormalization: convertLayerNorm,
  InstanceNormalization: convertInstanceNorm,
  ArgMax: convertReduce,
  ArgMin: convertReduce,
  Identity: convertPassThrough,
  Dropout: convertPassThrough,
  Cast: convertPassThrough,
};

/** Ops accepted by the importer (the foldable ones only on constants, Shape on anything). */
export const SUPPORTED_ONNX_OPS: readonly string[] = [...Object.keys(CONVERTERS), 'Constant', 'ConstantOfShape', 'Shape'].sort();

function sampleInputShape(info: onnx.IValueInfoProto): { shape: number[]; batch: ImportedModel['batchDimension']; elementType: ImportedModel['inputElementType'] } {
  const dims = valueInfoShape(info);
  const name = info.name ?? '';
  if (!dims || dims.length === 0) {
    throw new EngineError('DYNAMIC_SHAPE', `input "${name}" has no static shape; the engine needs a batch dimension and static sizes`);
  }
  const elemType = info.type?.tensorType?.elemType;
  if (elemType !== 1 && elemType !== 11) {
    throw new EngineError('UNSUPPORTED_MODEL', `input "${name}" has element type ${elemType}; only float and double inputs are supported`);
  }
  if (dims[0] !== null && dims[0] !== 1) {
    throw new EngineError('DYNAMIC_SHAPE', `input "${name}" has a fixed first dimension ${dims[0]}; the batch dimension must be dynamic or 1`);
  }
  const rest = dims.slice(1);
  const dynamic = rest.findIndex((d) => d === null);
  if (dynamic >= 0) {
    throw new EngineError('DYNAMIC_SHAPE', `input "${name}" has a dynamic dimension at axis ${dynamic + 1}; only the batch dimension may be dynamic`, {
      axis: dynamic + 1,
    });
  }
  const shape = [1, ...(rest as number[])];
  checkedElementCount(shape, `input "${name}"`);
  return { shape, batch: dims[0] === null ? 'dynamic' : 'fixed-one', elementType: elemType === 1 ? 'float32' : 'float64' };
}

function convertNode(node: onnx.INodeProto, index: number, ctx: ImportContext): void {
  const op = node.opType ?? '';
  const view = new NodeView(node, node.name || `${op}_${index}`, ctx);
  if (node.domain && node.domain !== 'ai.onnx') {
    throw new EngineError('UNSUPPORTED_OP', `unsupported op ${node.domain}.${op} at ${view.where} (custom domains are not supported)`, { op, node: view.name });
  }
  if (tryFoldConstant(view)) return;
  const converter = CONVERTERS[op];
  if (!converter) {
    throw new EngineError('UNSUPPORTED_OP', `unsupported op ${op} at ${view.where} (supported: ${SUPPORTED_ONNX_OPS.join(', ')})`, {
      op,
      node: view.name,
      supported: SUPPORTED_ONNX_OPS,
    });
  }
  converter(view);
}

export function importOnnx(bytes: Uint8Array): ImportedModel {
  const model = decodeModelProto(bytes);
  const graph = model.graph as onnx.GraphProto;
  const ctx = new ImportContext(defaultOpsetVersion(model));
  ctx.countConsumers(graph);
  const initializerNames = new Set<string>();
  for (const init of graph.initializer) {
    const name = init.name ?? '';
    initializerNames.add(name);
    ctx.bind(name, { kind: 'const', tensor: decodeTensor(init, name) });
  }
  const inputs = graph.input.filter((i) => !initializerNames.has(i.name ?? ''));
  const inputName = inputs[0]?.name ?? '';
  if (inputs.length !== 1) {
    throw new EngineError('UNSUPPORTED_MODEL', `the model has ${inputs.length} inputs; exactly one is supported`, { inputs: inputs.map((i) => i.name) });
  }
  if (graph.output.length !== 1) {
    throw new EngineError('UNSUPPORTED_MODEL', `the model has ${graph.output.length} outputs; exactly one is supported`);
  }
  const input = sampleInputShape(inputs[0]);
  ctx.bind(inputName, { kind: 'act', ref: 0, shape: input.shape });
  graph.node.forEach((node, i) => convertNode(node, i, ctx));
  const outputName = graph.output[0].name ?? '';
  const output = ctx.value(outputName, 'graph output');
  if (output.kind !== 'act') throw new EngineError('UNSUPPORTED_MODEL', `output "${outputName}" is a constant that does not depend on the input`);
  if (output.ref !== ctx.steps.length) {
    throw new EngineError('UNSUPPORTED_MODEL', `output "${outputName}" is not produced by the last step; dead branches are not supported`);
  }
  if (ctx.steps.length === 0) {
    // The output is the input (no node, or layout-free identities only): one explicit copy step, so
    // the trace has a step and the output commitment a tensor a dispute can hold it to
    // (docs/semantics.md; quantize refuses a model with no step).
    ctx.steps.push({ op: 'reshape', name: outputName || 'identity', onnxOp: 'Identity', inputs: [0], outShape: input.shape.slice() });
  }
  const info: ImportedModelInfo = {
    irVersion: Number(model.irVersion),
    opsetVersion: ctx.opset,
    producer: [model.producerName ?? '', model.producerVersion ?? ''].filter(Boolean).join(' '),
    onnxOps: [...new Set(graph.node.map((n) => n.opType ?? ''))],
    nodeCount: graph.node.length,
    steps: ctx.steps.map((s) => s.op),
    parameterCount: graph.initializer.reduce((sum, t) => sum + (t.dims ?? []).reduce<number>((p, d) => p * Number(d), 1), 0),
    inputName,
    outputName,
    inputShape: input.shape,
    outputShape: output.shape,
  };
  return { info, steps: ctx.steps, onnxBytes: bytes, batchDimension: input.batch, inputElementType: input.elementType };
}
