/**
 * The typed surface of snarkjs 0.7.6 that Verity uses. snarkjs ships no types; its CommonJS
 * build (`build/main.cjs`) loads with `require`. Everything else in src/zk goes through this file,
 * so no untyped value leaks out of it.
 *
 * snarkjs (through ffjavascript) keeps one multi-threaded bn128 curve in `globalThis.curve_bn128`
 * whose worker threads keep Node alive until the curve is terminated: `withCurve()` counts the
 * callers that use it and terminates it when the last one is done.
 */
import { dirname, join } from 'node:path';

/** A path, or an in-memory file (fastfile) that snarkjs reads and writes like a path. */
export type SnarkFile = string | { type: 'mem' | 'bigMem'; data?: Uint8Array };

/** The logger snarkjs calls (every method optional in spirit, all present here). */
export interface SnarkLogger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** A Groth16 proof as snarkjs writes it: decimal strings, projective coordinates (z = 1). */
export interface Groth16Proof {
  pi_a: string[];
  pi_b: string[][];
  pi_c: string[];
  protocol: string;
  curve: string;
}

/** Public signals in circuit order (outputs first, then public inputs), decimal strings. */
export type PublicSignals = string[];

/** The Groth16 verification key as `zkey export verificationkey` writes it. */
export interface VerificationKey {
  protocol: 'groth16';
  curve: string;
  nPublic: number;
  vk_alpha_1: string[];
  vk_beta_2: string[][];
  vk_gamma_2: string[][];
  vk_delta_2: string[][];
  vk_alphabeta_12?: string[][][];
  IC: string[][];
}

/** Circuit input: signal name to a value or a (nested) array of values. */
export type CircuitInputValue = bigint | number | string | CircuitInputValue[];
export type CircuitInput = Record<string, CircuitInputValue>;

/** A contribution to a transcript (phase 1 or 2): snarkjs's `contribute` of powersOfTau and zKey. */
type Contribute<Result> = (
  oldPath: string,
  newPath: string,
  name: string,
  entropy: string,
  logger?: SnarkLogger,
) => Promise<Result>;

/** A random beacon applied to a transcript: snarkjs's `beacon` of powersOfTau and zKey. */
type Beacon<Result> = (
  oldPath: string,
  newPath: string,
  name: string,
  beaconHashHex: string,
  iterationsExp: number,
  logger?: SnarkLogger,
) => Promise<Result>;

interface SnarkJsModule {
  powersOfTau: {
    newAccumulator(curve: unknown, power: number, fileName: string, logger?: SnarkLogger): Promise<unknown>;
    contribute: Contribute<unknown>;
    beacon: Beacon<unknown>;
    preparePhase2(oldPath: string, newPath: string, logger?: SnarkLogger): Promise<unknown>;
    truncate(ptauPath: string, template: string, logger?: SnarkLogger): Promise<boolean>;
    verify(ptauPath: string, logger?: SnarkLogger): Promise<boolean>;
  };
  zKey: {
    newZKey(r1csPath: string, ptauPath: string, zkeyPath: SnarkFile, logger?: SnarkLogger): Promise<unknown>;
    contribute: Contribute<Uint8Array>;
    beacon: Beacon<Uint8Array | false>;
    verifyFromR1cs(
      r1csPath: string,
      ptauPath: string,
      zkeyPath: string,
      logger?: SnarkLogger,
    ): Promise<boolean>;
    exportVerificationKey(zkeyPath: string, logger?: SnarkLogger): Promise<VerificationKey>;
    exportSolidityVerifier(
      zkeyPath: string,
      templates: { groth16: string },
      logger?: SnarkLogger,
    ): Promise<string>;
  };
  groth16: {
    prove(
      zkeyPath: SnarkFile,
      witness: SnarkFile,
      logger?: SnarkLogger,
      options?: { singleThread?: boolean },
    ): Promise<{ proof: Groth16Proof; publicSignals: PublicSignals }>;
    verify(
      vk: VerificationKey,
      publicSignals: PublicSignals,
      proof: Groth16Proof,
      logger?: SnarkLogger,
    ): Promise<boolean>;
    exportSolidityCallData(proof: Groth16Proof, publicSignals: PublicSignals): Promise<string>;
  };
  wtns: {
    calculate(input: CircuitInput, wasmPath: string, witness: SnarkFile): Promise<void>;
  };
  curves: {
    getCurveFromName(name: string): Promise<unknown>;
  };
}

/**
 * ffjavascript starts its curve threads with the `web-worker` package, which decides when it is
 * loaded whether it runs inside one of its own threads by `isMainThread`. Loaded in any other
 * worker thread (our prover threads) it takes that thread for its own and throws ("Cannot
 * destructure property 'mod' of 'threads.workerData'"). Load it once as a main thread would.
 */
function loadWebWorkerOutsideMainThread(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const threads = require('node:worker_threads') as { isMainThread: boolean };
  if (threads.isMainThread) return;
  const webWorker = require.resolve('web-worker', { paths: [dirname(require.resolve('snarkjs'))] });
  Object.defineProperty(threads, 'isMainThread', { value: true, configurable: true, writable: true });
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(webWorker);
  } finally {
    Object.defineProperty(threads, 'isMainThread', { value: false, configurable: true, writable: true });
  }
}

loadWebWorkerOutsideMainThread();
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const snarkjs = require('snarkjs') as SnarkJsModule;

/** Path of snarkjs's Groth16 Solidity verifier template (EJS). */
export const GROTH16_VERIFIER_TEMPLATE_PATH = join(
  dirname(require.resolve('snarkjs')),
  '..',
  'templates',
  'verifier_groth16.sol.ejs',
);

interface CurveHolder {
  curve_bn128?: { terminate(): Promise<void> } | null;
}

let curveUsers = 0;

/**
 * Runs `fn`, which may make snarkjs build the shared bn128 curve, and terminates the curve's
 * worker threads when no other `withCurve` caller still uses it.
 */
export async function withCurve<T>(fn: () => Promise<T>): Promise<T> {
  curveUsers += 1;
  try {
    return await fn();
  } finally {
    curveUsers -= 1;
    if (curveUsers === 0) await terminateCurve();
  }
}

/** Terminates the shared bn128 curve if one is built (safe to call when none is). */
export async function terminateCurve(): Promise<void> {
  const holder = globalThis as CurveHolder;
  const curve = holder.curve_bn128;
  if (curve) {
    holder.curve_bn128 = null;
    await curve.terminate();
  }
}

/**
 * A snarkjs logger that forwards info and warnings to `onLine`, forwards debug lines at most
 * every `debugEveryMs`, and keeps every line so a failure can say what snarkjs said.
 */
export function collectingLogger(
  onLine?: (line: string) => void,
  debugEveryMs = 2000,
): SnarkLogger & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  let lastDebug = 0;
  return {
    lines,
    errors,
    debug(message: string) {
      if (Date.now() - lastDebug >= debugEveryMs) {
        lastDebug = Date.now();
        onLine?.(message);
      }
    },
    info(message: string) {
      lines.push(message);
      onLine?.(message);
    },
    warn(message: string) {
      lines.push(message);
      onLine?.(message);
    },
    error(message: string) {
      lines.push(message);
      errors.push(message);
      onLine?.(message);
    },
  };
}
