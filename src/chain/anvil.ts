import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ChainError } from './chain.errors';
import { findFreePort } from '../common/free-port';

/** anvil's first default account (mnemonic "test test ... junk"): a development key, never for value. */
export const ANVIL_DEFAULT_PRIVATE_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80' as const;
/** anvil's account #1: the in-process development worker of `verity serve --with-worker`. */
export const ANVIL_WORKER_PRIVATE_KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d' as const;
/**
 * anvil's account #9 (0xa0Ee7A142d267C1f36714E4a8F75612F20a79720): the dispute defender's key on
 * the embedded anvil (`verity serve` passes it to its `verity defender` child). Nothing else in the
 * service uses it, so its nonces are the defender's alone; a development key, never for value.
 */
export const ANVIL_DEFENDER_PRIVATE_KEY = '0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6' as const;
export const ANVIL_CHAIN_ID = 31337;
const READY_TIMEOUT_MS = 15_000;
const READY_POLL_MS = 50;

export interface AnvilHandle {
  rpcUrl: string;
  port: number;
  /** Set when the state file was cut off by a crash and the node started from an older copy or afresh. */
  stateWarning?: string;
  /** Stops the node; safe to call twice. */
  stop(): Promise<void>;
}

/** Path of the anvil binary shipped in @foundry-rs/anvil-linux-amd64 (Linux x64 only). */
export function anvilBinaryPath(): string {
  try {
    return join(dirname(require.resolve('@foundry-rs/anvil-linux-amd64/package.json')), 'bin', 'anvil');
  } catch (cause) {
    throw new ChainError(
      'ANVIL_UNAVAILABLE',
      'anvil binary not found: @foundry-rs/anvil-linux-amd64 installs on Linux x64 only; set RPC_URL to use another node',
      {},
      { cause },
    );
  }
}

export interface AnvilOptions {
  /** Loopback port to listen on; 0 or unset: a free port. */
  port?: number;
  /**
   * Mine a block every this many seconds as well as one per transaction (`--block-time` with
   * `--mixed-mining`), so chain time moves on its own. Unset or 0: one block per transaction only
   * (chain time stands still between transactions; tests that warp time choose this).
   */
  blockTimeSeconds?: number;
  /**
   * anvil `--state <path>`: the chain is loaded from this file when it exists and dumped to it
   * when the node stops (SIGTERM), so a node restarted on the same port and state goes on where
   * it stopped (blocks, receipts, nonces).
   */
  statePath?: string;
  /** With `statePath`: also dump every this many seconds (`--state-interval`), so a kill -9 loses seconds, not the chain. */
  stateIntervalSeconds?: number;
}

/** Spawns anvil on a loopback port (a free one unless given) and waits until it answers JSON-RPC. */
export async function startAnvil(options: AnvilOptions = {}): Promise<AnvilHandle> {
  const port = options.port || (await findFreePort());
  const args = ['--host', '127.0.0.1', '--port', String(port), '--chain-id', String(ANVIL_CHAIN_ID), '--silent'];
  if (options.blockTimeSeconds) args.push('--block-time', String(options.blockTimeSeconds), '--mixed-mining');
  let stateWarning: string | undefined;
  if (options.statePath) {
    stateWarning = keepLastGoodState(options.statePath);
    args.push('--state', options.statePath);
    if (options.stateIntervalSeconds) args.push('--state-interval', String(options.stateIntervalSeconds));
  }
  const child = spawn(anvilBinaryPath(), args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const rpcUrl = `http://127.0.0.1:${port}`;
  await waitUntilReady(rpcUrl, child, () => stderr);
  if (options.statePath) await keepClockMonotonic(rpcUrl);
  return { rpcUrl, port, stateWarning, stop: () => stopChild(child) };
}

/**
 * anvil writes its state file in place (truncate, then write), so a kill -9 during a dump leaves
 * it cut off, and anvil refuses to load it. A state file that parses is copied to
 * `<file>.last-good` before each start; one that does not is moved to `<file>.broken` and replaced
 * by that copy, or removed (the chain starts afresh; the service then sees another genesis and
 * commits its results again). Returns what was done, for the log, when the file was cut off.
 */
function keepLastGoodState(statePath: string): string | undefined {
  if (!existsSync(statePath)) return undefined;
  const lastGood = `${statePath}.last-good`;
  if (parsesAsJson(statePath)) {
    copyFileSync(statePath, lastGood);
    return undefined;
  }
  renameSync(statePath, `${statePath}.broken`);
  if (existsSync(lastGood) && parsesAsJson(lastGood)) {
    copyFileSync(lastGood, statePath);
    return `anvil state ${statePath} was cut off by a crash (kept as ${statePath}.broken): restarted from the copy taken at the previous start`;
  }
  return `anvil state ${statePath} was cut off by a crash (kept as ${statePath}.broken) and no earlier copy exists: the chain starts afresh`;
}

function parsesAsJson(path: string): boolean {
  try {
    JSON.parse(readFileSync(path, 'utf8'));
    return true;
  } catch {
    return false;
  }
}

/**
 * A loaded state keeps its blocks but not anvil's time offset: after a chain whose time was moved
 * ahead (evm_increaseTime) is reloaded, the next block would be older than the last one, and every
 * clock that subtracts a block time from an earlier one would revert. Moves the node's clock to
 * the last block's time when that is ahead of the wall clock.
 */
async function keepClockMonotonic(rpcUrl: string): Promise<void> {
  const latest = (await rpc(rpcUrl, 'eth_getBlockByNumber', ['latest', false])) as { timestamp: string };
  const last = Number(BigInt(latest.timestamp));
  if (last >= Math.floor(Date.now() / 1000)) await rpc(rpcUrl, 'anvil_setTime', [last + 1]);
}

async function rpc(rpcUrl: string, method: string, params: unknown[]): Promise<unknown> {
  const response = await fetch(rpcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  const body = (await response.json()) as { result?: unknown; error?: { message: string } };
  if (body.error) throw new ChainError('ANVIL_FAILED', `anvil refused ${method}: ${body.error.message}`);
  return body.result;
}

async function waitUntilReady(rpcUrl: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      const reason = /address already in use/i.test(stderr()) ? 'port already in use' : stderr().trim();
      throw new ChainError('ANVIL_FAILED', `anvil exited before it was ready: ${reason || `exit ${child.exitCode}`}`);
    }
    try {
      const response = await fetch(rpcUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, READY_POLL_MS));
  }
  await stopChild(child);
  throw new ChainError('ANVIL_FAILED', `anvil did not answer on ${rpcUrl} within ${READY_TIMEOUT_MS} ms`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
