/** CLI glue for the engine: `inspect`, `quantize`, `run` (commander 14). Logic lives in src/engine. */
import { existsSync, readFileSync, writeFileSync } from 'fs';
import { dirname, join } from 'path';
import type { Command } from 'commander';
import { AppError } from '../common/app-error';
import {
  type ImportedModel,
  type QuantizedModel,
  EngineError,
  OnnxRuntimeBackend,
  accuracyReport,
  commitModel,
  commitTensor,
  defaultAccuracyInputs,
  evaluate,
  exactnessStatement,
  importOnnx,
  parseInputJson,
  quantize,
  quantizeInput,
} from '../engine';

interface JsonFlag {
  json?: boolean;
}

export function readFile(path: string, what: string): Buffer {
  if (!existsSync(path)) throw new EngineError('INVALID_ARGUMENT', `${what} ${path} does not exist`);
  return readFileSync(path);
}

export function print(value: unknown, json: boolean | undefined): void {
  const text = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), json ? 2 : 2);
  process.stdout.write(`${text}\n`);
}

/** Run an action; any error becomes one line on stderr and exit code 1. */
export function guarded<A extends unknown[]>(action: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await action(...args);
    } catch (error) {
      const code = error instanceof AppError ? ` ${error.code}` : '';
      const line = `error${code}: ${error instanceof Error ? error.message : String(error)}`;
      process.stderr.write(`${line}\n`);
      process.exitCode = 1;
    }
  };
}

/**
 * Calibration: --calibration file, else the fixture-format input.json next to the model, else the
 * engine default (|x| <= DEFAULT_CALIBRATION_MAX_ABS).
 */
function calibrationFor(modelPath: string, calibrationPath: string | undefined): { inputs?: number[][]; source: string } {
  const path = calibrationPath ?? join(dirname(modelPath), 'input.json');
  if (calibrationPath === undefined && !existsSync(path)) return { source: 'default (|x| <= 1)' };
  return { inputs: parseInputJson(readFile(path, 'calibration file').toString('utf8')), source: path };
}

export function loadModel(modelPath: string, calibrationPath: string | undefined): { imported?: ImportedModel; model: QuantizedModel; calibration: string } {
  if (modelPath.endsWith('.json')) {
    return { model: JSON.parse(readFile(modelPath, 'quantized model').toString('utf8')) as QuantizedModel, calibration: 'stored in the quantized model' };
  }
  const imported = importOnnx(readFile(modelPath, 'model'));
  const calibration = calibrationFor(modelPath, calibrationPath);
  return { imported, model: quantize(imported, { calibration: calibration.inputs }), calibration: calibration.source };
}

async function inspectAction(modelPath: string, opts: JsonFlag): Promise<void> {
  const imported = importOnnx(readFile(modelPath, 'model'));
  print({ model: modelPath, ...imported.info, batchDimension: imported.batchDimension }, opts.json);
}

async function quantizeAction(modelPath: string, opts: JsonFlag & { calibration?: string; out?: string }): Promise<void> {
  const { imported, model, calibration } = loadModel(modelPath, opts.calibration);
  if (!imported) throw new EngineError('INVALID_ARGUMENT', 'quantize needs an .onnx model');
  const calibrationInputs = calibrationFor(modelPath, opts.calibration).inputs;
  const inputLength = imported.info.inputShape.reduce((a, b) => a * b, 1);
  const accuracy = await accuracyReport(imported, model, calibrationInputs ?? defaultAccuracyInputs(inputLength));
  if (opts.out) writeFileSync(opts.out, `${JSON.stringify(model)}\n`);
  const accuracySummary: Partial<typeof accuracy> = { ...accuracy };
  delete accuracySummary.samples;
  print(
    {
      model: modelPath,
      calibration,
      fractionBits: model.fractionBits,
      inputBound: model.inputBound,
      inputBoundReal: model.inputBoundReal,
      steps: model.steps.map((s) => s.op),
      maxAccumulator: model.bounds.maxAccumulator,
      exactness: exactnessStatement(model).text,
      commitment: commitModel(model),
      accuracy: accuracySummary,
      written: opts.out ?? null,
    },
    opts.json,
  );
}

async function runAction(modelPath: string, opts: JsonFlag & { input: string; backend: string; calibration?: string }): Promise<void> {
  if (opts.backend !== 'evaluator' && opts.backend !== 'onnxruntime') {
    throw new EngineError('INVALID_ARGUMENT', `--backend must be evaluator or onnxruntime, got ${opts.backend}`);
  }
  const { model } = loadModel(modelPath, opts.calibration);
  const inputs = parseInputJson(readFile(opts.input, 'input file').toString('utf8'));
  const fixedInputs = inputs.map((x) => quantizeInput(model, x));
  let outputs: { output: number[]; outputFixed: bigint[] }[];
  let provider = 'typescript';
  if (opts.backend === 'onnxruntime') {
    const backend = await OnnxRuntimeBackend.create(model);
    provider = backend.provider;
    const batch = await backend.run(inputs);
    await backend.release();
    outputs = batch.output.map((output, n) => ({ output, outputFixed: batch.outputFixed[n] }));
  } else {
    outputs = inputs.map((x) => evaluate(model, x, { trace: false }));
  }
  const modelCommitment = commitModel(model).commitment;
  const results = outputs.map((r, n) => ({
    output: r.output,
    outputFixed: r.outputFixed.map(String),
    commitment: { model: modelCommitment, input: commitTensor(fixedInputs[n]), output: commitTensor(r.outputFixed) },
  }));
  print({ backend: opts.backend, provider, fractionBits: model.fractionBits, ...results[0], results: results.length > 1 ? results : undefined }, opts.json);
}

export function registerEngineCommands(program: Command): void {
  program
    .command('inspect')
    .description('import an ONNX model and show its normalized structure (ops, parameters, shapes)')
    .argument('<model.onnx>', 'ONNX model file')
    .option('--json', 'print JSON')
    .action(guarded(inspectAction));
  program
    .command('quantize')
    .description('quantize an ONNX model to the fixed-point semantics and report accuracy and commitment')
    .argument('<model.onnx>', 'ONNX model file')
    .option('--calibration <input.json>', 'calibration inputs (default: input.json next to the model, else |x| <= 1)')
    .option('--out <file.json>', 'write the quantized model JSON to this file')
    .option('--json', 'print JSON')
    .action(guarded(quantizeAction));
  program
    .command('run')
    .description('run a model on an input with the deterministic engine')
    .argument('<model>', 'ONNX model file, or a quantized model JSON written by `quantize --out`')
    .requiredOption('--input <input.json>', 'input: {"input": [...]} or {"input_data": [[...]]}')
    .option('--backend <backend>', 'evaluator | onnxruntime', 'evaluator')
    .option('--calibration <input.json>', 'calibration inputs for quantization')
    .option('--json', 'print JSON')
    .action(guarded(runAction));
}
