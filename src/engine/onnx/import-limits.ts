/**
 * Caps on what an untrusted model may make the importer allocate or compute (engine.constants.ts).
 * Every check runs on shapes and counts alone, before the tensor it describes exists, and names
 * the node (or tensor), the shape and the cap it exceeds.
 */
import { MAX_FOLDED_ELEMENTS_TOTAL, MAX_MODEL_WORK_OPS, MAX_TENSOR_ELEMENTS } from '../engine.constants';
import { EngineError } from '../engine.errors';
import type { FloatStep } from './imported-model.types';

/** The name of a cap, as error details carry it. */
export type ImportLimit = 'MAX_TENSOR_ELEMENTS' | 'MAX_FOLDED_ELEMENTS_TOTAL' | 'MAX_MODEL_WORK_OPS';

const CAPS: Record<ImportLimit, number> = { MAX_TENSOR_ELEMENTS, MAX_FOLDED_ELEMENTS_TOTAL, MAX_MODEL_WORK_OPS };

export function limitExceeded(limit: ImportLimit, what: string, figure: number, extra: Record<string, unknown> = {}): EngineError {
  const cap = CAPS[limit];
  return new EngineError('MODEL_LIMIT_EXCEEDED', `${what} needs ${figure} ${limit === 'MAX_MODEL_WORK_OPS' ? 'operations' : 'elements'}; at most ${cap} are accepted (${limit})`, {
    limit,
    cap,
    figure,
    ...extra,
  });
}

function format(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}

/**
 * The element count of `shape`, refusing a dimension that is not a non-negative integer
 * (INPUT_SHAPE) and a count above MAX_TENSOR_ELEMENTS (MODEL_LIMIT_EXCEEDED). `what` names the
 * tensor and where it comes from, e.g. `output of node "Add_3"`.
 */
export function checkedElementCount(shape: readonly number[], what: string): number {
  if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new EngineError('INPUT_SHAPE', `${what} has shape ${format(shape)}; dimensions must be non-negative integers`, { shape });
  }
  let count = 1;
  for (const d of shape) count = Math.min(count * d, Number.MAX_SAFE_INTEGER);
  if (count > MAX_TENSOR_ELEMENTS) throw limitExceeded('MAX_TENSOR_ELEMENTS', `${what} of shape ${format(shape)}`, count, { shape });
  return count;
}

/** The work one step does per sample (see MAX_MODEL_WORK_OPS). */
export function stepWorkOps(step: FloatStep): number {
  const outputs = step.outShape.reduce((a, b) => a * b, 1);
  if (step.op === 'linear') return outputs * step.inFeatures;
  if (step.op === 'conv') return outputs * step.geometry.inShape[1] * step.geometry.kernel[0] * step.geometry.kernel[1];
  if (step.op === 'avgPool' || step.op === 'maxPool') return outputs * step.geometry.kernel[0] * step.geometry.kernel[1];
  return outputs;
}

/** Running totals of one import, refusing the step or fold that takes one past its cap. */
export class ImportBudget {
  private foldedElements = 0;
  private workOps = 0;

  chargeFold(elements: number, where: string): void {
    this.foldedElements += elements;
    if (this.foldedElements > MAX_FOLDED_ELEMENTS_TOTAL) {
      throw limitExceeded('MAX_FOLDED_ELEMENTS_TOTAL', `constant folding up to ${where}`, this.foldedElements);
    }
  }

  chargeStep(step: FloatStep, where: string): void {
    checkedElementCount(step.outShape, `output of ${where}`);
    const ops = stepWorkOps(step);
    if (ops > MAX_MODEL_WORK_OPS) throw limitExceeded('MAX_MODEL_WORK_OPS', `${where} (output ${format(step.outShape)})`, ops);
    this.workOps += ops;
    if (this.workOps > MAX_MODEL_WORK_OPS) throw limitExceeded('MAX_MODEL_WORK_OPS', `the model up to ${where}`, this.workOps);
  }
}
