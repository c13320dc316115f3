/**
 * Run the semantics with onnxruntime-node on the float64 graph (batched: N independent samples).
 * CUDA is used when onnxruntime lists it and a session loads with it; otherwise the CPU provider.
 */
import { existsSync, readdirSync } from 'fs';
import { dirname, join } from 'path';
import * as ort from 'onnxruntime-node';
import type { Hex } from 'viem';
import { commitTensor, commitTrace } from '../commitment/tensor-commitment';
import { EngineError } from '../engine.errors';
import { checkFixedInput, dequantize, quantizeInput } from '../evaluator/input-quantize';
import { prepareModel } from '../evaluator/prepared-model';
import type { QuantizedModel } from '../quantize/quantized-model.types';
import {
  EXACT_GRAPH_INPUT_NAME,
  EXACT_GRAPH_OUTPUT_NAME,
  type ExactnessStatement,
  buildExactGraph,
  exactGraphStepOutputName,
  exactnessStatement,
} from './exact-graph';
import { OnnxGraphBuilder } from './onnx-graph-builder';

export type ExecutionProvider = 'cpu' | 'cuda';

export interface BackendOptions {
  /** 'auto' (default): CUDA when available and loadable, else CPU. */
  provider?: ExecutionProvider | 'auto';
  /** Also open the traced session (every step's output exposed) now rather than on the first runTraced. */
  traced?: boolean;
}

export interface BatchResult {
  outputFixed: bigint[][];
  output: number[][];
}

export interface TracedBatchResult extends BatchResult {
  /** trace[n][i]: the output of step i for sample n (integers within the step's static bound). */
  trace: Float64Array[][];
}

/** One sample's result with the commitments a worker signs (docs/semantics.md, "Trace commitment"). */
export interface CommittedResult {
  outputFixed: bigint[];
  output: number[];
  /** commitTensor(outputFixed). */
  outputCommitment: Hex;
  /** The Merkle root over the tensor roots of the input and every step output (format version 3). */
  traceCommitment: Hex;
}

const CUDA_PROVIDER_LIBRARY = 'libonnxruntime_providers_cuda.so';
/** Longest stretch of synchronous hashing in runCommitted before it lets other callbacks run. */
const COMMIT_YIELD_INTERVAL_MS = 20;

function containsFile(dir: string, name: string, depth: number): boolean {
  if (depth < 0 || !existsSync(dir)) return false;
  return readdirSync(dir, { withFileTypes: true }).some((e) =>
    e.isDirectory() ? containsFile(join(dir, e.name), name, depth - 1) : e.name === name,
  );
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
  return ort.InferenceSession.create(bytes, {
    executionProviders: [provider],
    graphOptimizationLevel: 'all',
    logSeverityLevel,
  });
}

/** CUDA when asked or (auto) when installed and loadable, else CPU. */
async function openWithProvider(
  bytes: Uint8Array,
  wanted: ExecutionProvider | 'auto',
  what: string,
): Promise<{ session: ort.InferenceSession; provider: ExecutionProvider }> {
  if (wanted === 'cuda' || (wanted === 'auto' && !cudaUnavailable && cudaInstalled())) {
    try {
      return { session: await openSession(bytes, 'cuda'), provider: 'cuda' };
    } catch (cause) {
      cudaUnavailable = true;
      if (wanted === 'cuda')
        throw new EngineError(
          'BACKEND_FAILURE',
          'the onnxruntime CUDA provider could not be loaded',
          {},
          { cause },
        );
    }
  }
  try {
    return { session: await openSession(bytes, 'cpu'), provider: 'cpu' };
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new EngineError('BACKEND_FAILURE', `onnxruntime rejected ${what}: ${reason}`, {}, { cause });
  }
}

/** Every value must be an integer of magnitude <= bound (what the static proof guarantees). */
function checkExactIntegers(data: Float64Array, bound: number, what: string): void {
  for (let i = 0; i < data.length; i++) {
    if (!Number.isInteger(data[i]) || Math.abs(data[i]) > bound) {
      throw new EngineError(
        'OVERFLOW',
        `onnxruntime produced ${data[i]} in ${what}, which is not an integer within the static bound ${bound}`,
      );
    }
  }
}

export class OnnxRuntimeBackend {
  /** The graph with every step output exposed, opened on first use (same provider). */
  private tracedSession?: Promise<ort.InferenceSession>;

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
    const { session, provider } = await openWithProvider(
      buildExactGraph(model),
      options.provider ?? 'auto',
      'the exact graph',
    );
    const outputLength = model.outputShape.reduce((a, v) => a * v, 1);
    const backend = new OnnxRuntimeBackend(
      model,
      provider,
      exactness,
      session,
      prepared.inputLength,
      outputLength,
    );
    if (options.traced) await backend.traced();
    return backend;
  }

  /**
   * The provider create() would pick for `provider` (same rules), found by opening a one-node
   * graph: a process that reports its provider before it has a model (a worker registering).
   */
  static async probeProvider(provider: BackendOptions['provider'] = 'auto'): Promise<ExecutionProvider> {
    const b = new OnnxGraphBuilder();
    b.node('Identity', [EXACT_GRAPH_INPUT_NAME], {}, EXACT_GRAPH_OUTPUT_NAME);
    const probe = await openWithProvider(
      b.encode({ name: EXACT_GRAPH_INPUT_NAME, width: 1 }, { name: EXACT_GRAPH_OUTPUT_NAME, width: 1 }),
      provider,
      'the probe graph',
    );
    await probe.session.release();
    return probe.provider;
  }

  private traced(): Promise<ort.InferenceSession> {
    this.tracedSession ??= openSession(
      buildExactGraph(this.model, { exposeSteps: true }),
      this.provider,
    ).catch((cause: unknown) => {
      this.tracedSession = undefined;
      const reason = cause instanceof Error ? cause.message : String(cause);
      throw new EngineError(
        'BACKEND_FAILURE',
        `onnxruntime rejected the traced exact graph: ${reason}`,
        {},
        { cause },
      );
    });
    return this.tracedSession;
  }

  /** Run N fixed-point inputs laid out back to back; returns N * outputLength fixed outputs. */
  async runFixed(inputs: Float64Array, count: number): Promise<Float64Array> {
    if (inputs.length !== count * this.inputLength) {
      throw new EngineError(
        'INPUT_SHAPE',
        `batch has ${inputs.length} values, expected ${count} x ${this.inputLength}`,
      );
    }
    const feeds = { [EXACT_GRAPH_INPUT_NAME]: new ort.Tensor('float64', inputs, [count, this.inputLength]) };
    const results = await this.session.run(feeds);
    const data = results[EXACT_GRAPH_OUTPUT_NAME].data as Float64Array;
    checkExactIntegers(data, this.finalBound(), 'the output');
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
    return this.toResult(await this.runFixed(this.flattenFixed(batch), batch.length), batch.length);
  }

  /**
   * Run already-quantized inputs on the graph that also exposes every step's output: the result
   * of runFixedBatch plus, per sample, the trace (step outputs in order, what the TS evaluator's
   * trace holds). Every step value is checked to be an integer within its static bound.
   */
  async runTraced(batch: readonly Float64Array[]): Promise<TracedBatchResult> {
    const count = batch.length;
    const flat = this.flattenFixed(batch);
    if (count === 0) return { outputFixed: [], output: [], trace: [] };
    const session = await this.traced();
    const results = await session.run({
      [EXACT_GRAPH_INPUT_NAME]: new ort.Tensor('float64', flat, [count, this.inputLength]),
    });
    const trace: Float64Array[][] = Array.from({ length: count }, () => []);
    prepareModel(this.model).steps.forEach((p, i) => {
      const data = results[exactGraphStepOutputName(i)].data as Float64Array;
      const length = p.step.outShape.reduce((a, v) => a * v, 1);
      if (data.length !== count * length) {
        throw new EngineError(
          'BACKEND_FAILURE',
          `onnxruntime returned ${data.length} values for step ${i}, expected ${count} x ${length}`,
        );
      }
      checkExactIntegers(data, p.outputBound, `step ${i} (${p.step.onnxOp} node "${p.step.name}")`);
      for (let n = 0; n < count; n++) trace[n].push(data.subarray(n * length, (n + 1) * length));
    });
    const output = results[EXACT_GRAPH_OUTPUT_NAME].data as Float64Array;
    checkExactIntegers(output, this.finalBound(), 'the output');
    return { ...this.toResult(output, count), trace };
  }

  /**
   * runTraced, then per sample the output and the output and trace commitments (what a worker
   * signs). Hashing is synchronous, so it yields to the event loop every
   * COMMIT_YIELD_INTERVAL_MS: timers (a worker's lease heartbeats) keep running on big batches.
   */
  async runCommitted(batch: readonly Float64Array[]): Promise<CommittedResult[]> {
    const traced = await this.runTraced(batch);
    const results: CommittedResult[] = [];
    let lastYield = performance.now();
    for (let n = 0; n < traced.trace.length; n++) {
      const steps = traced.trace[n];
      results.push({
        outputFixed: traced.outputFixed[n],
        output: traced.output[n],
        // The output is the last step's output (the input itself for a model without steps).
        outputCommitment: commitTensor(steps.at(-1) ?? batch[n]),
        traceCommitment: commitTrace(batch[n], steps),
      });
      if (performance.now() - lastYield > COMMIT_YIELD_INTERVAL_MS) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        lastYield = performance.now();
      }
    }
    return results;
  }

  private flattenFixed(batch: readonly Float64Array[]): Float64Array {
    const flat = new Float64Array(batch.length * this.inputLength);
    batch.forEach((input, n) => {
      checkFixedInput(this.model, input);
      flat.set(input, n * this.inputLength);
    });
    return flat;
  }

  private finalBound(): number {
    const prepared = prepareModel(this.model);
    return prepared.steps.at(-1)?.outputBound ?? prepared.inputBound;
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
    const traced = this.tracedSession;
    this.tracedSession = undefined;
    await this.session.release();
    if (traced) await (await traced).release();
  }
}
