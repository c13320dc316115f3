/**
 * The worker process: an independent operator that pulls jobs from the API over GraphQL/HTTP,
 * computes them with the deterministic engine (onnxruntime, traced), and submits signed results.
 * Framework-free (no Nest); `verity worker` (src/cli/worker.commands.ts) runs it.
 */
import pino, { type Logger } from 'pino';
import { type Address, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { verityDomain } from './chain/typed-data';
import { type ExecutionProvider, OnnxRuntimeBackend } from './engine';
import { untilAnswered } from './worker/backoff';
import type { WorkerFault } from './worker/fault-injection';
import { JobRunner } from './worker/job-runner';
import { type ProtocolInfo, WorkerApiClient } from './worker/worker-api-client';
import { workerCallSigner } from './worker/worker-auth';
import { WorkerLoop, type WorkerStats } from './worker/worker-loop';
import { ensureStaked } from './worker/worker-staking';
import { WorkerError } from './worker/worker.errors';

export const DEFAULT_MAX_BATCH = 64;
export const DEFAULT_LEASE_SECONDS = 30;

export interface WorkerOptions {
  /** GraphQL endpoint of the API. */
  apiUrl: string;
  /** The worker key (0x + 64 hex): signs every API call and every result. */
  privateKey: Hex;
  /** Default: worker-<first 8 hex digits of the address>. */
  name?: string;
  provider?: ExecutionProvider | 'auto';
  maxBatch?: number;
  leaseSeconds?: number;
  /** Stake the protocol's minimum in WorkerRegistry first when not active (needs rpcUrl). */
  stake?: boolean;
  rpcUrl?: string;
  /** Testing aid (killed-worker fault test): sleep this long after claiming, before computing. */
  computeDelayMs?: number;
  /** Claim the next batch while computing the current one (default true). */
  prefetch?: boolean;
  /** Drills and tests only: `wrong-output` signs a wrong result for every job (default none). */
  fault?: WorkerFault;
  log?: Logger;
  /** Aborting it gives up waiting for an unreachable API at start. */
  signal?: AbortSignal;
  fetch?: typeof fetch;
}

export interface WorkerHandle {
  address: Address;
  name: string;
  provider: ExecutionProvider;
  protocol: ProtocolInfo;
  stats(): WorkerStats;
  /** Resolves when the loop has ended (after stop()). */
  readonly done: Promise<void>;
  /** Stops claiming, finishes and submits the batch in flight, releases onnxruntime, then resolves. */
  stop(): Promise<void>;
}

function positiveInteger(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 1)
    throw new WorkerError('INVALID_ARGUMENT', `${what} must be a positive integer, got ${value}`);
  return value;
}

export async function startWorker(options: WorkerOptions): Promise<WorkerHandle> {
  const log = options.log ?? pino({ level: 'info' });
  const maxBatch = positiveInteger(options.maxBatch ?? DEFAULT_MAX_BATCH, 'the maximum batch');
  const leaseSeconds = positiveInteger(options.leaseSeconds ?? DEFAULT_LEASE_SECONDS, 'the lease');
  const computeDelayMs = Math.max(0, options.computeDelayMs ?? 0);
  const account = privateKeyToAccount(options.privateKey);
  const name = options.name ?? `worker-${account.address.slice(2, 10).toLowerCase()}`;
  const client = new WorkerApiClient(options.apiUrl, options.fetch);

  const protocol = await untilAnswered('protocol', () => client.protocol(), log, options.signal);
  const domain = verityDomain(protocol.chainId, protocol.settlement);
  client.useSigner(workerCallSigner(account, domain));
  log.info(
    { worker: account.address, chainId: protocol.chainId, settlement: protocol.settlement },
    'protocol read',
  );

  if (options.stake) {
    if (!options.rpcUrl)
      throw new WorkerError(
        'STAKE_FAILED',
        '--stake needs RPC_URL (the JSON-RPC endpoint of the chain the API settles on)',
      );
    await ensureStaked({ rpcUrl: options.rpcUrl, account, protocol, log });
  }

  const provider = await OnnxRuntimeBackend.probeProvider(options.provider ?? 'auto');
  log.info({ provider, requested: options.provider ?? 'auto' }, `onnxruntime provider: ${provider}`);

  /** One registerWorker call (the loop calls it again after WORKER_NOT_REGISTERED, and backs off itself). */
  const register = async (): Promise<void> => {
    const worker = await client.registerWorker({ name, backend: provider });
    log.info({ worker: worker.address, name: worker.name, backend: worker.backend }, 'worker registered');
  };
  // WORKER_NOT_STAKED and other refusals end the start with the API's message.
  await untilAnswered('registerWorker', register, log, options.signal);

  const fault = options.fault ?? 'none';
  if (fault !== 'none')
    log.warn({ fault }, `FAULT INJECTION ${fault}: this worker signs wrong results (drills and tests only)`);
  const runner = new JobRunner({ account, domain, provider, models: client, log, fault });
  const loop = new WorkerLoop(
    { client, runner, log, register },
    { maxBatch, leaseSeconds, computeDelayMs, prefetch: options.prefetch ?? true, backend: provider },
  );
  const done = loop.start().finally(() => runner.release());
  log.info({ maxBatch, leaseSeconds, computeDelayMs, prefetch: options.prefetch ?? true }, 'worker started');

  let stopping: Promise<void> | undefined;
  return {
    address: account.address,
    name,
    provider,
    protocol,
    stats: () => ({ ...loop.stats }),
    done,
    stop: () => {
      stopping ??= loop.stop().then(() => done);
      return stopping;
    },
  };
}
