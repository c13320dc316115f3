/**
 * Run the semantics with onnxruntime-node on the float64 graph (batched: N independent samples).
 * CUDA is used when onnxruntime lists it and a session loads with it; otherwise the CPU provider.
 */
import { existsSync, readdirSync } from 'fs';
import { dirname, join } from 'path';
import * as ort from 'onnxruntime-node';
import { EngineError } from '../engine.errors';
import { checkFixedInput, dequantize, quantizeInput } from '../evaluator/input-quantize';
import { prepareModel } from '../evaluator/prepared-model';
import type { QuantizedModel } from '../quantize/quantized-model.types';
import { EXACT_GRAPH_INPUT_NAME, EXACT_GRAPH_OUTPUT_NAME, type ExactnessStatement, buildExactGraph, exactnessStatement } from './exact-graph';

export type ExecutionProvider = 'cpu' | 'cuda';

export interface BackendOptions {
  /** 'auto' (default): CUDA when available and loadable, else CPU. */
  provider?: ExecutionProvider | 'auto';
}

export interface BatchResult {
  outputFixed: bigint[][];
  output: number[][];
}

const CUDA_PROVIDER_LIBRARY = 'libonnxruntime_providers_cuda.so';

function containsFile(dir: string, name: string, depth: number): boolean {
  if (depth < 0 || !existsSync(dir)) return false;
  return readdirSync(dir, { withFileTypes: true }).some((e) => (e.isDirectory() ? containsFile(join(dir, e.name), name, depth - 1) : e.name === name));
}

/** CUDA is tried only when onnxruntime lists it and its provider library was installed (cuda12 install). */
function cudaInstalled(): boolean {
  try {
    const listed = ort.listSupportedBackends().some((b) => b.name === 'cuda');
    const binDir = join(dirname(require.resolve('onnxruntime-node')), '..', 'bin');
    return listed && containsFile(binDir, CUDA_PROVIDER_LIBRARY, 4);
  } catch {
    return false;
  }
}

/** Whether CUDA failed to load once in this process (then it is not retried). */
let cudaUnavailable = false;

async function openSession(bytes: Uint8Array, provider: ExecutionProvider): Promise<ort.InferenceSession> {
  const logSeverityLevel = provider === 'cuda' ? 4 : 2;
  return ort.InferenceSession.create(bytes, { executionProviders: [provider], graphOptimizationLevel: 'all', logSeverityLevel });
}

export class OnnxRuntimeBackend {
  private constructor(
    readonly model: QuantizedModel,
    readonly provider: ExecutionProvider,
    readonly exactness: ExactnessStatement,
    private readonly session: ort.InferenceSession,
    private readonly inputLength: number,
    private readonly outputLength: number,
  ) {}

  static async create(model: QuantizedModel, options: BackendOptions = {}): Promise<OnnxRuntimeBackend> {
    const prepared = prepareModel(model);
    const exactness = exactnessStatement(model);
    if (!exactness.holds) throw new EngineError('OVERFLOW', exactness.text);
    const bytes = buildExactGraph(model);
    const wanted = options.provider ?? 'auto';
    let provider: ExecutionProvider = 'cpu';
    let session: ort.InferenceSession | undefined;
    if (wanted === 'cuda' || (wanted === 'auto' && !cudaUnavailable && cudaInstalled())) {
      try {
        session = await openSession(bytes, 'cuda');
        provider = 'cuda';
      } catch (cause) {
        cudaUnavailable = true;
        if (wanted === 'cuda') throw new EngineError('BACKEND_FAILURE', 'the onnxruntime CUDA provider could not be loaded', {}, { cause });
      }
    }
    try {
      session ??= await openSession(bytes, 'cpu');
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message : String(cause);
      throw new EngineError('BACKEND_FAILURE', `onnxruntime rejected the exact graph: ${reason}`, {}, { cause });
    }
    const outputLength = model.outputShape.reduce((a, v) => a * v, 1);
    return new OnnxRuntimeBackend(model, provider, exactness, session, prepared.inputLength, outputLength);
  }

  /** Run N fixed-point inputs laid out back to back; returns N * outputLength fixed outputs. */
  async runFixed(inputs: Float64Array, count: number): Promise<Float64Array> {
    if (inputs.length !== count * this.inputLength) {
      throw new EngineError('INPUT_SHAPE', `batch has ${inputs.length} values, expected ${count} x ${this.inputLength}`);
    }
    const feeds = { [EXACT_GRAPH_INPUT_NAME]: new ort.Tensor('float64', inputs, [count, this.inputLength]) };
    const results = await this.session.run(feeds);
    const data = results[EXACT_GRAPH_OUTPUT_NAME].data as Float64Array;
    const bound = prepareModel(this.model).steps.at(-1)?.outputBound ?? prepareModel(this.model).inputBound;
    for (let i = 0; i < data.length; i++) {
      if (!Number.isInteger(data[i]) || Math.abs(data[i]) > bound) {
        throw new EngineError('OVERFLOW', `onnxruntime produced ${data[i]}, which is not an integer within the static bound ${bound}`);
      }
    }
    return data;
  }

  /** Quantize and check every input (same rules as the evaluator), run the batch. */
  async run(batch: readonly (readonly number[])[]): Promise<BatchResult> {
    const flat = new Float64Array(batch.length * this.inputLength);
    batch.forEach((input, n) => flat.set(quantizeInput(this.model, input), n * this.inputLength));
    return this.toResult(await this.runFixed(flat, batch.length), batch.length);
  }

  /** Run already-quantized inputs (checked against the input bound). */
  async runFixedBatch(batch: readonly Float64Array[]): Promise<BatchResult> {
    const flat = new Float64Array(batch.length * this.inputLength);
    batch.forEach((input, n) => {
      checkFixedInput(this.model, input);
      flat.set(input, n * this.inputLength);
    });
    return this.toResult(await this.runFixed(flat, batch.length), batch.length);
  }

  private toResult(data: Float64Array, count: number): BatchResult {
    const outputFixed: bigint[][] = [];
    const output: number[][] = [];
    for (let n = 0; n < count; n++) {
      const row = data.subarray(n * this.outputLength, (n + 1) * this.outputLength);
      outputFixed.push(Array.from(row, (v) => BigInt(v)));
      output.push(dequantize(this.model, row));
    }
    return { outputFixed, output };
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
