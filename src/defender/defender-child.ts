import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';

/** First pause before a defender that died is started again (doubling, capped). */
export const DEFENDER_RESTART_INITIAL_MS = 1_000;
export const DEFENDER_RESTART_MAX_MS = 30_000;
/** A child that ran this long before it died starts again after the first pause, not a longer one. */
const DEFENDER_HEALTHY_RUN_MS = 60_000;
/** On shutdown: SIGTERM, then SIGKILL if the child has not exited within this grace period. */
export const DEFENDER_STOP_GRACE_MS = 15_000;

/**
 * Variables the child does not get: the committer's key and other processes' keys (the defender
 * signs with DEFENDER_PRIVATE_KEY only), and settings only the API reads.
 */
const WITHHELD_VARIABLES = ['PRIVATE_KEY', 'WORKER_PRIVATE_KEY', 'CHALLENGER_PRIVATE_KEY', 'DEFENDER_MODE'];

export interface DefenderChildOptions {
  /** What the child needs on top of the parent's environment (database, chain, deployments, key). */
  env: NodeJS.ProcessEnv;
  log: Logger;
  restartInitialMs?: number;
  restartMaxMs?: number;
  stopGraceMs?: number;
  /** The program and its arguments; default: `verity defender` of this installation (defenderCommand). */
  command?: readonly string[];
}

/**
 * `verity defender` as a child of `verity serve`: started with the parent's database and chain,
 * started again with backoff whenever it dies (one log line each time), stopped on shutdown
 * (SIGTERM, SIGKILL after a grace period). It shares the parent's stdout and stderr instead of
 * pipes the parent would have to drain: a parent whose event loop is held (the very attack the
 * separate process is for) would stop reading a pipe, and the child would block writing its log
 * into it. Its log lines carry a `[defender]` prefix of their own. It exits by itself when the
 * parent dies (the IPC channel closes), so a killed parent leaves no orphan sending moves.
 */
export class DefenderChild {
  private child: ChildProcess | undefined;
  private startedAt = 0;
  private restarts = 0;
  private pauseMs: number;
  private timer: NodeJS.Timeout | undefined;
  private stopping = false;
  private readonly restartInitialMs: number;
  private readonly restartMaxMs: number;
  private readonly stopGraceMs: number;

  constructor(private readonly options: DefenderChildOptions) {
    this.restartInitialMs = options.restartInitialMs ?? DEFENDER_RESTART_INITIAL_MS;
    this.restartMaxMs = options.restartMaxMs ?? DEFENDER_RESTART_MAX_MS;
    this.stopGraceMs = options.stopGraceMs ?? DEFENDER_STOP_GRACE_MS;
    this.pauseMs = this.restartInitialMs;
  }

  /** The running child's pid, if one runs. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    if (this.stopping || this.child) return;
    const [command, ...args] = this.options.command ?? defenderCommand();
    const env: NodeJS.ProcessEnv = { ...process.env, ...this.options.env };
    for (const name of WITHHELD_VARIABLES) delete env[name];
    const child = spawn(command, args, { env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child = child;
    this.startedAt = Date.now();
    this.options.log.info(`defender process started (pid ${child.pid})`);
    child.once('error', (error) => this.options.log.error({ err: error }, 'could not start the defender process'));
    child.once('exit', (code, signal) => this.exited(child, code, signal));
  }

  /** Stops the child and any pending restart: SIGTERM, then SIGKILL after the grace period. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const kill = setTimeout(() => {
      this.options.log.warn(`defender process ${child.pid} did not stop within ${this.stopGraceMs / 1000} s: killed`);
      child.kill('SIGKILL');
    }, this.stopGraceMs);
    await exited;
    clearTimeout(kill);
  }

  private exited(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child !== child) return;
    this.child = undefined;
    if (this.stopping) return;
    const ranMs = Date.now() - this.startedAt;
    if (ranMs >= DEFENDER_HEALTHY_RUN_MS) this.pauseMs = this.restartInitialMs;
    const pause = this.pauseMs;
    this.pauseMs = Math.min(this.pauseMs * 2, this.restartMaxMs);
    this.restarts += 1;
    const how = signal ? `signal ${signal}` : `exit code ${code}`;
    this.options.log.error(
      `defender process ${child.pid} died (${how}) after ${Math.round(ranMs / 1000)} s; restarting it in ${pause / 1000} s (restart ${this.restarts})`,
    );
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.start();
    }, pause);
  }
}

/**
 * How to run `verity defender` from this installation: its own entry (src/cli/defender-main.ts),
 * built under node, or, when running from the TypeScript sources (`npm start`, the tests), through
 * ts-node.
 */
export function defenderCommand(): string[] {
  const compiled = join(__dirname, '..', 'cli', 'defender-main.js');
  if (existsSync(compiled) && __filename.endsWith('.js')) return [process.execPath, compiled];
  return [
    process.execPath,
    '-r',
    require.resolve('ts-node/register/transpile-only'),
    join(__dirname, '..', 'cli', 'defender-main.ts'),
  ];
}
