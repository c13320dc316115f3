/** Public API of the deterministic engine (framework-free). */
export {
  ENGINE_ERROR_CATEGORIES,
  EngineError,
  isEngineError,
  isEngineErrorCode,
  type EngineErrorCode,
} from './engine.errors';
export * from './engine.constants';
export { importOnnx, SUPPORTED_ONNX_OPS } from './onnx/onnx-import';
export type { ImportedModel, ImportedModelInfo, FloatStep } from './onnx/imported-model.types';
export { quantize, inputBoundReal, type QuantizeOptions } from './quantize/quantize';
export type { QuantizedModel, QuantStep, StaticBounds } from './quantize/quantized-model.types';
export { evaluate, evaluateFixed, type EvaluationResult, type TraceEntry, type EvaluateOptions } from './evaluator/evaluator';
// The step kernels and the prepared model: the worker's fault injection replays one step with them.
export { runKernel, type KernelContext } from './evaluator/evaluator-kernels';
export { prepareModel, type PreparedModel, type PreparedStep } from './evaluator/prepared-model';
export { quantizeInput, checkFixedInput, dequantize } from './evaluator/input-quantize';
export {
  OnnxRuntimeBackend,
  type BackendOptions,
  type BatchResult,
  type CommittedResult,
  type ExecutionProvider,
  type TracedBatchResult,
} from './runtime/onnxruntime-backend';
export { buildExactGraph, exactGraphStepOutputName, exactnessStatement, type ExactGraphOptions, type ExactnessStatement } from './runtime/exact-graph';
export { commitModel, merkleProof, headerHash, modelCommitmentOf, type ModelCommitment } from './commitment/model-commitment';
export { commitTensor, commitTrace, traceTensorRoots, traceCommitmentFromRoots, encodeInt256Array, type TensorValues } from './commitment/tensor-commitment';
export { tensorRoot, tensorChunkProof } from './commitment/tensor-root';
export { STEP_OP_CODES, stepsRoot, stepsTree, encodeStepDescriptor, type StepsTree, type StepDescriptor } from './commitment/step-descriptor';
export { traceOf, traceFromTensors, type Trace } from './commitment/trace';
export { buildOneStepWitness, elementNeeds, oneStepReads } from './commitment/one-step-witness';
export { depthOf, paddingNode, WordTree, PartialTree, pageProof, pickInPage } from './commitment/word-tree';
export { chunkValues, leafHash, merkleLevels, merkleRootOfLevels, verifyMerkleProof, type MerkleProof } from './commitment/merkle-tree';
export { accuracyReport, argmax, defaultAccuracyInputs, type AccuracyReport } from './accuracy/accuracy-report';
export { FloatModelRunner } from './accuracy/float-model-runner';
export { parseInputs, parseInputJson } from './io/input-json';
export { rescale, roundHalfAwayFromZero, quantizeReal, floorShift, intLikeToBig, type IntLike } from './fixed-point/fixed-point-arith';
export { convPatchMap, poolWindowMap } from './geometry/window-geometry';
export { buildPwlTable, evaluatePwl, type PwlTable } from './fixed-point/pwl-table';
