/**
 * The model header and the parameter vector (docs/semantics.md section 8): the quantized model
 * without names, bounds and source info, with every parameter array replaced by
 * `{ offset, length }` into the parameter vector (in step order).
 */
import { PARAMETER_CHUNK_SIZE_VALUES } from '../engine.constants';
import type { IntLike } from '../fixed-point/fixed-point-arith';
import type { QuantizedModel, QuantStep } from '../quantize/quantized-model.types';

/** Which step fields hold parameters (moved to the Merkle tree, in this order). */
export const PARAMETER_FIELDS: Partial<Record<QuantStep['op'], string[]>> = {
  linear: ['weights', 'bias'],
  conv: ['weights', 'bias'],
  affine: ['scale', 'shift'],
  addConst: ['values'],
};

export interface ModelHeader {
  formatVersion: number;
  fractionBits: number;
  inputShape: number[];
  outputShape: number[];
  inputBound: string;
  chunkSizeValues: number;
  steps: Record<string, unknown>[];
}

/** The header (architecture) and the flat parameter vector of a model. */
export function splitModel(model: QuantizedModel): { header: ModelHeader; parameters: bigint[] } {
  const parameters: bigint[] = [];
  const steps = model.steps.map((step) => {
    const entry: Record<string, unknown> = { ...step };
    delete entry.name;
    delete entry.onnxOp;
    for (const field of PARAMETER_FIELDS[step.op] ?? []) {
      const values = entry[field] as IntLike[];
      entry[field] = { offset: parameters.length, length: values.length };
      for (const v of values) parameters.push(BigInt(v));
    }
    return entry;
  });
  const header: ModelHeader = {
    formatVersion: model.formatVersion,
    fractionBits: model.fractionBits,
    inputShape: model.inputShape,
    outputShape: model.outputShape,
    inputBound: String(model.inputBound),
    chunkSizeValues: PARAMETER_CHUNK_SIZE_VALUES,
    steps,
  };
  return { header, parameters };
}
