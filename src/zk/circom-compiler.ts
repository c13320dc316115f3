/**
 * Compiles circom 2 source with the `circom2` npm package (circom compiled to WASM) in a child
 * process, so a long compile never blocks the caller's event loop. Always `--O2` (the default
 * leaves linear constraints in the R1CS: 2,416 instead of 881 on a dense layer). Output is cached
 * by content hash: the same source, the same library templates, the same compiler version and
 * flags give the same directory, so a second compile is a directory lookup.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, parse, relative, resolve } from 'node:path';
import { ZkError } from './zk.errors';

/** circuits/lib: the templates every generated circuit includes. */
export const CIRCUITS_LIB_DIR = join(__dirname, '..', '..', 'circuits', 'lib');
const CIRCOMLIB_DIR = dirname(require.resolve('circomlib/package.json'));
const CIRCOM2_CLI = require.resolve('circom2/cli.js');
const CIRCOM2_VERSION = (JSON.parse(readFileSync(join(dirname(CIRCOM2_CLI), 'package.json'), 'utf8')) as { version: string }).version;
const COMPILE_FLAGS = ['--O2', '--r1cs', '--wasm', '--sym'];
const FILESYSTEM_ROOT = parse(process.cwd()).root;

export interface CompileRequest {
  /** Circuit name: file stem of the outputs and of the `main` component's file. */
  name: string;
  /** Full circom source, `pragma circom 2.x` and `component main` included. */
  source: string;
  /** Root of the cache; compiled circuits go to `<cacheDir>/circuits/<name>-<hash16>/`. */
  cacheDir: string;
  onProgress?: (line: string) => void;
}

export interface CircuitInfo {
  nonLinearConstraints: number;
  linearConstraints: number;
  publicInputs: number;
  privateInputs: number;
  publicOutputs: number;
  wires: number;
}

export interface CompiledCircuit {
  name: string;
  /** sha256 over source, library templates, compiler version and flags. */
  contentHash: string;
  dir: string;
  r1csPath: string;
  wasmPath: string;
  symPath: string;
  info: CircuitInfo;
  cached: boolean;
}

/** Hash of every file a circuit may include: circuits/lib and circomlib's circuits. */
let libraryHash: string | undefined;
function hashLibraries(): string {
  if (libraryHash) return libraryHash;
  const hash = createHash('sha256');
  for (const root of [CIRCUITS_LIB_DIR, join(CIRCOMLIB_DIR, 'circuits')]) {
    for (const file of listFiles(root).filter((f) => f.endsWith('.circom'))) {
      hash.update(relative(root, file)).update('\0').update(readFileSync(file)).update('\0');
    }
  }
  libraryHash = hash.digest('hex');
  return libraryHash;
}

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .flatMap((entry) => {
      const path = join(dir, entry);
      return statSync(path).isDirectory() ? listFiles(path) : [path];
    });
}

export function circuitContentHash(source: string): string {
  return createHash('sha256')
    .update(JSON.stringify({ source, libraries: hashLibraries(), circom2: CIRCOM2_VERSION, flags: COMPILE_FLAGS }))
    .digest('hex');
}

function paths(dir: string, name: string) {
  return {
    r1csPath: join(dir, `${name}.r1cs`),
    wasmPath: join(dir, `${name}_js`, `${name}.wasm`),
    symPath: join(dir, `${name}.sym`),
    infoPath: join(dir, 'circuit-info.json'),
  };
}

/** Compiles (or finds in the cache) one circuit. Throws CIRCUIT_COMPILE_FAILED with circom's message. */
export async function compileCircuit(request: CompileRequest): Promise<CompiledCircuit> {
  if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(request.name)) {
    throw new ZkError('CIRCUIT_COMPILE_FAILED', `circuit name "${request.name}" must be an identifier`);
  }
  const contentHash = circuitContentHash(request.source);
  const dir = join(resolve(request.cacheDir), 'circuits', `${request.name}-${contentHash.slice(0, 16)}`);
  const out = paths(dir, request.name);
  if (existsSync(out.infoPath)) {
    const info = JSON.parse(readFileSync(out.infoPath, 'utf8')) as CircuitInfo;
    return { name: request.name, contentHash, dir, ...out, info, cached: true };
  }
  // Compile into a scratch directory and rename it into place, so a crash never leaves a
  // half-written cache entry that a later run would trust.
  const scratch = `${dir}.tmp-${process.pid}-${Date.now()}`;
  mkdirSync(scratch, { recursive: true });
  try {
    const sourcePath = join(scratch, `${request.name}.circom`);
    writeFileSync(sourcePath, request.source);
    const stdout = await runCircom(scratch, request.name, request.onProgress);
    const info = parseInfo(stdout);
    writeFileSync(paths(scratch, request.name).infoPath, JSON.stringify(info, null, 2));
    rmSync(dir, { recursive: true, force: true });
    renameSync(scratch, dir);
    return { name: request.name, contentHash, dir, ...out, info, cached: false };
  } catch (error) {
    rmSync(scratch, { recursive: true, force: true });
    throw error;
  }
}

function runCircom(workDir: string, name: string, onProgress?: (line: string) => void): Promise<string> {
  // circom2 runs under WASI, whose file access is limited to directories preopened relative to
  // the working directory (and it does not follow `..` out of them): run from the filesystem
  // root and name every path relative to it.
  const fromRoot = (path: string) => relative(FILESYSTEM_ROOT, path);
  const args = [
    CIRCOM2_CLI,
    fromRoot(join(workDir, `${name}.circom`)),
    ...COMPILE_FLAGS,
    '-o',
    fromRoot(workDir),
    '-l',
    fromRoot(CIRCUITS_LIB_DIR),
    '-l',
    fromRoot(join(CIRCOMLIB_DIR, 'circuits')),
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: FILESYSTEM_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      output += text;
      // eslint-disable-next-line no-control-regex
      const plain = text.replace(/\u001b\[[0-9;]*m/g, '');
      for (const line of plain.split('\n')) if (line.trim() !== '') onProgress?.(line.trim());
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (error) => reject(new ZkError('CIRCUIT_COMPILE_FAILED', `cannot start circom2: ${error.message}`, undefined, error)));
    child.on('close', (code) => {
      if (code === 0 && existsSync(join(workDir, `${name}.r1cs`))) resolve(output);
      else reject(new ZkError('CIRCUIT_COMPILE_FAILED', `circom2 failed (exit ${code}): ${lastLines(output, 20)}`));
    });
  });
}

function lastLines(text: string, count: number): string {
  return text.trim().split('\n').slice(-count).join('\n');
}

function parseInfo(stdout: string): CircuitInfo {
  const read = (label: string): number => {
    // circom colours its output; strip ANSI escapes before matching.
    // eslint-disable-next-line no-control-regex
    const clean = stdout.replace(/\u001b\[[0-9;]*m/g, '');
    const match = new RegExp(`(?:^|\\n)${label}:\\s*(\\d+)`).exec(clean);
    return match ? Number(match[1]) : 0;
  };
  return {
    nonLinearConstraints: read('non-linear constraints'),
    linearConstraints: read('linear constraints'),
    publicInputs: read('public inputs'),
    privateInputs: read('private inputs'),
    publicOutputs: read('public outputs'),
    wires: read('wires'),
  };
}
