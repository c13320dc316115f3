import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { AppError } from '../common/app-error';
import { findFreePort } from '../common/free-port';

/** anvil's first default account (mnemonic "test test ... junk"): a development key, never for value. */
export const ANVIL_DEFAULT_PRIVATE_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80' as const;
/** anvil's account #1: the in-process development worker of `verity serve --with-worker`. */
export const ANVIL_WORKER_PRIVATE_KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d' as const;
export const ANVIL_CHAIN_ID = 31337;
const READY_TIMEOUT_MS = 15_000;
const READY_POLL_MS = 50;

export interface AnvilHandle {
  rpcUrl: string;
  port: number;
  /** Stops the node; safe to call twice. */
  stop(): Promise<void>;
}

/** Path of the anvil binary shipped in @foundry-rs/anvil-linux-amd64 (Linux x64 only). */
export function anvilBinaryPath(): string {
  try {
    return join(dirname(require.resolve('@foundry-rs/anvil-linux-amd64/package.json')), 'bin', 'anvil');
  } catch (cause) {
    throw new AppError(
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
  /** Mine a block every this many seconds instead of one per transaction. */
  blockTimeSeconds?: number;
  /**
   * anvil `--state <path>`: the chain is loaded from this file when it exists and dumped to it
   * when the node stops (SIGTERM), so a node restarted on the same port and state goes on where
   * it stopped (blocks, receipts, nonces).
   */
  statePath?: string;
}

/** Spawns anvil on a loopback port (a free one unless given) and waits until it answers JSON-RPC. */
export async function startAnvil(options: AnvilOptions = {}): Promise<AnvilHandle> {
  const port = options.port || (await findFreePort());
  const args = ['--host', '127.0.0.1', '--port', String(port), '--chain-id', String(ANVIL_CHAIN_ID), '--silent'];
  if (options.blockTimeSeconds) args.push('--block-time', String(options.blockTimeSeconds));
  if (options.statePath) args.push('--state', options.statePath);
  const child = spawn(anvilBinaryPath(), args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const rpcUrl = `http://127.0.0.1:${port}`;
  await waitUntilReady(rpcUrl, child, () => stderr);
  return { rpcUrl, port, stop: () => stopChild(child) };
}

async function waitUntilReady(rpcUrl: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      const reason = /address already in use/i.test(stderr()) ? 'port already in use' : stderr().trim();
      throw new AppError('ANVIL_FAILED', `anvil exited before it was ready: ${reason || `exit ${child.exitCode}`}`);
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
  throw new AppError('ANVIL_FAILED', `anvil did not answer on ${rpcUrl} within ${READY_TIMEOUT_MS} ms`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
