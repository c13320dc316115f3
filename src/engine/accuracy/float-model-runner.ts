/** Run the original float ONNX model with onnxruntime (CPU), one sample at a time. */
import * as ort from 'onnxruntime-node';
import { EngineError } from '../engine.errors';
import type { ImportedModel } from '../onnx/imported-model.types';

export class FloatModelRunner {
  private constructor(
    private readonly imported: ImportedModel,
    private readonly session: ort.InferenceSession,
  ) {}

  static async create(imported: ImportedModel): Promise<FloatModelRunner> {
    try {
      return new FloatModelRunner(imported, await ort.InferenceSession.create(imported.onnxBytes, { executionProviders: ['cpu'] }));
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message : String(cause);
      throw new EngineError('BACKEND_FAILURE', `onnxruntime cannot load the float model: ${reason}`, {}, { cause });
    }
  }

  /**
   * One sample per run: the semantics is per sample, and some graphs (e.g. Gather on axis 0)
   * mix samples when batched.
   */
  async run(input: readonly number[]): Promise<number[]> {
    const { inputName, outputName, inputShape } = this.imported.info;
    const data = this.imported.inputElementType === 'float32' ? Float32Array.from(input) : Float64Array.from(input);
    const tensor = new ort.Tensor(this.imported.inputElementType, data, inputShape);
    const result = await this.session.run({ [inputName]: tensor });
    return Array.from(result[outputName].data as Float32Array | Float64Array, Number);
  }

  /** Run a batch as N single-sample runs (same order). */
  async runMany(inputs: readonly (readonly number[])[]): Promise<number[][]> {
    const outputs: number[][] = [];
    for (const input of inputs) outputs.push(await this.run(input));
    return outputs;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
