import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

export interface WorkerProcess {
  child: ChildProcess;
  output: string[];
  exited: Promise<number | null>;
}

export interface WorkerProcessOptions {
  key: string;
  name: string;
  apiUrl: string;
  /** Chain RPC for `--stake`. */
  rpcUrl: string;
  /** Pass --stake (default true). */
  stake?: boolean;
  /** Extra `verity worker` flags. */
  args?: string[];
}

/**
 * `verity <args>` in its own process with only `env` (plus PATH and HOME), output collected;
 * `group`: the leader of a process group of its own (with its children: an embedded anvil), as a
 * shell runs a command, so a signal can go to the whole group.
 */
function spawnVerity(args: readonly string[], env: NodeJS.ProcessEnv, group = false): WorkerProcess {
  const child = spawn(
    process.execPath,
    [join(ROOT, 'node_modules', 'ts-node', 'dist', 'bin.js'), '--transpile-only', join(ROOT, 'src', 'cli', 'main.ts'), ...args],
    {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: group,
    },
  );
  const output: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output, exited };
}

/** `verity worker` as an operator runs it: its own process, environment and flags. */
export function startWorkerProcess(options: WorkerProcessOptions): WorkerProcess {
  return spawnVerity(
    [
      'worker',
      '--api-url',
      options.apiUrl,
      ...(options.stake === false ? [] : ['--stake']),
      '--provider',
      'cpu',
      ...(options.args ?? []),
    ],
    { WORKER_PRIVATE_KEY: options.key, WORKER_NAME: options.name, RPC_URL: options.rpcUrl },
  );
}

export interface ChallengerProcessOptions {
  key: string;
  apiUrl: string;
  rpcUrl: string;
  /** Extra `verity challenger` flags. */
  args?: string[];
}

/** `verity challenger` as a watcher runs it: its own process, key and node. */
export function startChallengerProcess(options: ChallengerProcessOptions): WorkerProcess {
  return spawnVerity(['challenger', ...(options.args ?? [])], {
    CHALLENGER_PRIVATE_KEY: options.key,
    VERITY_API_URL: options.apiUrl,
    RPC_URL: options.rpcUrl,
  });
}

/** SIGTERM (graceful: the in-flight batch or move finishes), SIGKILL after 20 s. */
export async function stopWorkerProcess(worker: WorkerProcess): Promise<number | null> {
  if (worker.child.exitCode !== null || worker.child.signalCode !== null) return worker.child.exitCode;
  worker.child.kill('SIGTERM');
  const timer = setTimeout(() => worker.child.kill('SIGKILL'), 20_000);
  const code = await worker.exited;
  clearTimeout(timer);
  return code;
}

/**
 * `verity serve --with-worker` as `npm start` runs it (embedded anvil, an in-process worker), in a
 * process group of its own; `env` is its whole environment (plus PATH and HOME).
 */
export function startServeProcess(env: NodeJS.ProcessEnv): WorkerProcess {
  return spawnVerity(['serve', '--with-worker'], env, true);
}

/** Sends `signal` to a process's whole group (Ctrl-C in a terminal, or kill -9 of the group) and waits for the leader to exit. */
export async function signalGroup(process_: WorkerProcess, signal: NodeJS.Signals): Promise<void> {
  if (process_.child.exitCode !== null || process_.child.signalCode !== null) return;
  process.kill(-process_.child.pid!, signal);
  await process_.exited;
}
