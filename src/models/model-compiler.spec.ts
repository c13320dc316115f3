import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { onnx } from 'onnx-proto';
import { EngineError } from '../engine';
import { outerBroadcastModel, buildFloatModel, globalPoolConvModel } from '../engine/testing';
import { compileModel } from './compile-model';
import { ModelCompiler } from './model-compiler';
import { ModelsError } from './models.errors';

const FIXTURES = join(__dirname, '..', '..', 'test', 'fixtures');

/** One 3x3 Conv over a side x side input (work per sample 9 (side - 2)^2). */
function convModel(side: number): Uint8Array {
  return buildFloatModel({
    input: { name: 'x', dims: ['batch_size', 1, side, side] },
    output: { name: 'y', dims: ['batch_size', 1, side - 2, side - 2] },
    initializers: [{ name: 'w', dims: [1, 1, 3, 3], values: new Array<number>(9).fill(0.1) }],
    nodes: [{ op: 'Conv', inputs: ['x', 'w'], output: 'y' }],
  });
}

/** A model carrying 2M int64 values of one byte each: decoding them takes far more heap than bytes. */
function int64HeavyModel(count: number): Uint8Array {
  const model = onnx.ModelProto.decode(
    buildFloatModel({
      input: { name: 'x', dims: ['batch_size', 1] },
      output: { name: 'y', dims: ['batch_size', 1] },
      initializers: [],
      nodes: [{ op: 'Relu', inputs: ['x'], output: 'y' }],
    }),
  );
  (model.graph as onnx.GraphProto).initializer.push(
    onnx.TensorProto.create({ name: 'ballast', dims: [count], dataType: onnx.TensorProto.DataType.INT64, int64Data: new Array<number>(count).fill(1) }),
  );
  return onnx.ModelProto.encode(model).finish();
}

/** The longest pause of this thread's event loop while `work` runs (a 10 ms heartbeat). */
async function longestPause<T>(work: () => Promise<T>): Promise<{ result: PromiseSettledResult<T>; longestPauseMs: number }> {
  let last = Date.now();
  let longestPauseMs = 0;
  const heartbeat = setInterval(() => {
    const now = Date.now();
    longestPauseMs = Math.max(longestPauseMs, now - last);
    last = now;
  }, 10);
  const [result] = await Promise.allSettled([work()]);
  clearInterval(heartbeat);
  return { result, longestPauseMs: Math.max(longestPauseMs, Date.now() - last) };
}

function rejection(result: PromiseSettledResult<unknown>): { code?: string; message: string; details?: unknown } {
  if (result.status !== 'rejected') throw new Error('expected the compile to be refused');
  return result.reason as { code?: string; message: string; details?: unknown };
}

describe('ModelCompiler', () => {
  it('returns in a thread what compileModel returns in-process', async () => {
    const bytes = readFileSync(join(FIXTURES, 'onnx-conformance', '1l_mlp', 'network.onnx'));
    const [threaded, inline] = await Promise.all([new ModelCompiler().compile(bytes), compileModel(bytes)]);
    expect(threaded).toEqual(inline);
  });

  it('compiles a heavy model without the pauses the same compile causes in-process', async () => {
    // Each of the 8 accuracy samples evaluates 1.6M multiply-accumulates synchronously.
    const bytes = convModel(400);
    const inline = await longestPause(() => compileModel(bytes));
    const threaded = await longestPause(() => new ModelCompiler({ timeoutMs: 300_000 }).compile(bytes));
    expect(threaded.result).toEqual(inline.result);
    expect(threaded.longestPauseMs).toBeLessThan(inline.longestPauseMs / 2);
  });

  it('refuses a constant-folding blow-up with MODEL_LIMIT_EXCEEDED as an EngineError', async () => {
    // That the event loop turns meanwhile is the heavy-model case above (a relative measure, so the
    // machine's load cannot fail it); here only the refusal is checked.
    const error = rejection((await Promise.allSettled([new ModelCompiler().compile(outerBroadcastModel(2048))]))[0]);
    expect(error).toBeInstanceOf(EngineError);
    expect(error.code).toBe('MODEL_LIMIT_EXCEEDED');
    expect(error.message).toContain('at node "/Add_1" of shape [2048,2048]');
  });

  it('brings the dispute-gas refusal back from the thread as a ModelsError with its code and details', async () => {
    const error = rejection((await Promise.allSettled([new ModelCompiler().compile(globalPoolConvModel())]))[0]);
    expect(error).toBeInstanceOf(ModelsError);
    expect(error.code).toBe('DISPUTE_MOVE_OVER_BUDGET');
    expect(error.details).toMatchObject({ move: 'oneStep', step: 2, op: 'avgPool' });
  });

  it('stops a compile that runs past its deadline with MODEL_IMPORT_TIMEOUT naming the deadline', async () => {
    const compiler = new ModelCompiler({ timeoutMs: 50 });
    const error = rejection((await Promise.allSettled([compiler.compile(convModel(1000))]))[0]);
    expect(error.code).toBe('MODEL_IMPORT_TIMEOUT');
    expect(error.message).toBe('compiling the model took longer than 50 ms (MODEL_COMPILE_TIMEOUT_MS) and was stopped');
  });

  it('stops a compile thread that outgrows its heap cap with MODEL_LIMIT_EXCEEDED naming the cap', async () => {
    const compiler = new ModelCompiler({ heapMb: 64 });
    const error = rejection((await Promise.allSettled([compiler.compile(int64HeavyModel(2_000_000))]))[0]);
    expect(error.code).toBe('MODEL_LIMIT_EXCEEDED');
    expect(error.message).toBe('compiling the model needed more than 64 MB of memory (MODEL_COMPILE_HEAP_MB) and was stopped');
  });

  it('queues uploads beyond its concurrency and refuses one past the queue with MODEL_COMPILER_BUSY', async () => {
    const compiler = new ModelCompiler({ concurrency: 1, maxQueued: 1 });
    const bytes = readFileSync(join(FIXTURES, 'onnx-conformance', '1l_relu', 'network.onnx'));
    const results = await Promise.allSettled([compiler.compile(bytes), compiler.compile(bytes), compiler.compile(bytes)]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
    expect(rejection(results[2]).code).toBe('MODEL_COMPILER_BUSY');
  });
});
