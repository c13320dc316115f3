/**
 * Model -> provable circuit, end to end: generate the circom source, refuse a model over this
 * node's constraint budget, compile (cached), pick the powers of tau (the operator's ceremony file,
 * or a cached development one with a loud warning), and run the Groth16 phase 2 (contributions and
 * a beacon) into a verified key. Shared by the service (models/zk), `verity prove` and the bench.
 */
import { createHash } from 'node:crypto';
import type { QuantizedModel } from '../engine';
import { type CompiledCircuit, compileCircuit } from './circom-compiler';
import { type CircuitLayout, circuitLayout } from './circuit-layout';
import { estimateConstraints, generateCircuit } from './circuit-generator';
import { type CircuitKey, type ContributionInput, setupCircuitKey } from './phase2';
import { type ProgressFn, type WarnLogger, ensureDevPtau, requiredPtauPower, verifyOperatorPtau } from './ptau';
import { Worker } from 'node:worker_threads';
import { threadEntry } from './thread-entry';
import type { PipelineThreadData, PipelineThreadMessage } from './zk-pipeline-thread';
import { isZkErrorCode, ZkError } from './zk.errors';

export interface ZkPipelineOptions {
  cacheDir: string;
  /** A phase-1 file from a public ceremony; without it a development ptau is used (and warned about). */
  ptauPath?: string;
  /** Largest ptau power this node accepts (2^power constraints): the constraint budget. */
  maxPower: number;
  /** Phase-2 contributions; the service adds its own. Each contributor's randomness must be destroyed. */
  contributions?: ContributionInput[];
  onProgress?: ProgressFn;
  log?: WarnLogger;
}

export interface PreparedZkCircuit {
  circuit: CompiledCircuit;
  layout: CircuitLayout;
  constraints: number;
  ptau: { path: string; power: number; development: boolean };
  key: CircuitKey;
}

/** Refuses early (before an expensive compile) when the estimate is far over the budget. */
function checkBudget(constraints: number, publicSignals: number, maxPower: number, exact: boolean): number {
  const power = requiredPtauPower(constraints, publicSignals);
  if (power > maxPower) {
    throw new ZkError(
      'ZK_MODEL_TOO_LARGE',
      `this model needs ${exact ? '' : 'about '}${constraints.toLocaleString('en-US')} constraints (a ptau of power ${power}); this node proves circuits up to 2^${maxPower} constraints. Use optimistic mode for this model, or run a prover with a larger ptau (ZK_MAX_PTAU_POWER, VERITY_PTAU_PATH)`,
      { constraints, requiredPower: power, maxPower },
    );
  }
  return power;
}

/**
 * Refuses, without compiling, a model zk mode cannot prove (an op without a circuit) or one clearly
 * over this node's budget (the estimate is within a few per cent; the exact count is checked after
 * compiling). Returns the estimate.
 */
export function checkZkBudget(model: QuantizedModel, batchSize: number, maxPower: number): number {
  const estimate = estimateConstraints(model, batchSize);
  checkBudget(Math.floor(estimate * 0.9), circuitLayout(model, batchSize).publicSignalCount, maxPower, false);
  return estimate;
}

export async function prepareZkCircuit(model: QuantizedModel, batchSize: number, options: ZkPipelineOptions): Promise<PreparedZkCircuit> {
  const progress = options.onProgress ?? (() => undefined);
  const estimate = checkZkBudget(model, batchSize, options.maxPower);
  const generated = generateCircuit(model, batchSize);
  progress('compile', `compiling ${generated.name} (about ${estimate.toLocaleString('en-US')} constraints)`);
  const started = Date.now();
  const circuit = await compileCircuit({
    name: generated.name,
    source: generated.source,
    cacheDir: options.cacheDir,
    onProgress: (line) => progress('compile', line),
  });
  const constraints = circuit.info.nonLinearConstraints + circuit.info.linearConstraints;
  progress('compile', `${constraints} constraints${circuit.cached ? ' (cached)' : ` in ${((Date.now() - started) / 1000).toFixed(1)} s`}`);
  const power = checkBudget(constraints, generated.layout.publicSignalCount, options.maxPower, true);
  const ptau = await resolvePtau(power, options);
  const key = await setupCircuitKey({
    r1csPath: circuit.r1csPath,
    ptauPath: ptau.path,
    cacheDir: options.cacheDir,
    contributions: options.contributions ?? [{ name: 'verity service' }],
    // A development beacon derived from the circuit: public and fixed, so anyone can re-run the
    // transcript check. A production deployment uses a future block hash announced in advance.
    beacon: { hashHex: createHash('sha256').update(`verity beacon ${circuit.contentHash}`).digest('hex'), iterationsExp: 10 },
    onProgress: options.onProgress,
  });
  return { circuit, layout: generated.layout, constraints, ptau, key };
}

async function resolvePtau(power: number, options: ZkPipelineOptions): Promise<PreparedZkCircuit['ptau']> {
  if (options.ptauPath) {
    const info = await verifyOperatorPtau({ path: options.ptauPath, requiredPower: power, cacheDir: options.cacheDir, onProgress: options.onProgress });
    return { path: info.path, power: info.power, development: false };
  }
  const path = await ensureDevPtau({ power, cacheDir: options.cacheDir, onProgress: options.onProgress, log: options.log });
  return { path, power, development: true };
}

/**
 * prepareZkCircuit in a worker thread: minutes of compiling and setup (snarkjs does much of it
 * synchronously) without blocking the caller's event loop. Progress and warnings arrive as
 * messages; a failure keeps its ZkError code.
 */
export function prepareZkCircuitInThread(model: QuantizedModel, batchSize: number, options: ZkPipelineOptions): Promise<PreparedZkCircuit> {
  const entry = threadEntry('zk-pipeline-thread');
  const { onProgress, log, ...plain } = options;
  const data: PipelineThreadData = { model, batchSize, options: plain };
  return new Promise((resolve, reject) => {
    const worker = new Worker(entry.path, { execArgv: entry.execArgv, env: entry.env, workerData: data });
    let settled = false;
    worker.on('message', (message: PipelineThreadMessage) => {
      if (message.type === 'progress') onProgress?.(message.stage, message.detail);
      else if (message.type === 'warn') log?.warn(message.message);
      else if (message.type === 'done') {
        settled = true;
        resolve(message.prepared);
      } else {
        settled = true;
        const { code } = message;
        reject(
          code && isZkErrorCode(code)
            ? new ZkError(code, message.message, message.details)
            : new ZkError('SETUP_FAILED', message.message, { ...message.details, ...(code ? { threadCode: code } : {}) }),
        );
      }
    });
    worker.on('error', (error) => {
      settled = true;
      reject(new ZkError('SETUP_FAILED', `zk preparation thread crashed: ${error.message}`, undefined, error));
    });
    worker.on('exit', (code) => {
      if (!settled) reject(new ZkError('SETUP_FAILED', `zk preparation thread exited (code ${code}) before it finished`));
    });
  });
}
