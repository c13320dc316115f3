/** `verity worker`: run a worker process against the API (src/worker.ts). Flags override the environment. */
import { type Command, InvalidArgumentError, Option } from 'commander';
import pino from 'pino';
import { loadWorkerConfig } from '../config/load-config';
import { DEFAULT_LEASE_SECONDS, DEFAULT_MAX_BATCH, startWorker } from '../worker';
import { WORKER_FAULTS, type WorkerFault } from '../worker/fault-injection';
import { stopOnSignals } from './stop-signals';

interface WorkerFlags {
  apiUrl?: string;
  name?: string;
  provider?: 'auto' | 'cpu' | 'cuda';
  maxBatch: number;
  leaseSeconds: number;
  stake?: boolean;
  computeDelayMs: number;
  prefetch: boolean;
  fault: WorkerFault;
}

function integer(min: number): (value: string) => number {
  return (value) => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min)
      throw new InvalidArgumentError(`expected an integer >= ${min}`);
    return parsed;
  };
}

async function workerAction(flags: WorkerFlags): Promise<void> {
  const config = loadWorkerConfig();
  const log = pino({ level: config.logLevel });
  const handle = await startWorker({
    apiUrl: flags.apiUrl ?? config.apiUrl,
    privateKey: config.privateKey,
    name: flags.name ?? config.name,
    provider: flags.provider ?? config.provider,
    maxBatch: flags.maxBatch,
    leaseSeconds: flags.leaseSeconds,
    stake: flags.stake,
    rpcUrl: config.rpcUrl,
    computeDelayMs: flags.computeDelayMs,
    prefetch: flags.prefetch,
    fault: flags.fault,
    log,
  });
  stopOnSignals(log, 'batch in flight', () => {
    handle
      .stop()
      .then(() => {
        log.info(handle.stats(), 'worker stopped');
        process.exit(0);
      })
      .catch((error: unknown) => {
        log.error({ err: error }, 'worker stop failed');
        process.exit(1);
      });
  });
  await handle.done;
}

export function registerWorkerCommands(program: Command): void {
  program
    .command('worker')
    .description(
      'pull inference jobs from the API, compute them (onnxruntime, traced) and submit signed results; needs WORKER_PRIVATE_KEY',
    )
    .option(
      '--api-url <url>',
      'GraphQL endpoint of the API (default: VERITY_API_URL, else http://127.0.0.1:4000/graphql)',
    )
    .option(
      '--name <name>',
      'worker name shown by the API (default: WORKER_NAME, else worker-<address prefix>)',
    )
    .addOption(
      new Option(
        '--provider <provider>',
        'onnxruntime provider (default: WORKER_PROVIDER, else auto)',
      ).choices(['auto', 'cpu', 'cuda']),
    )
    .option('--max-batch <n>', 'most jobs claimed and computed at once', integer(1), DEFAULT_MAX_BATCH)
    .option(
      '--lease-seconds <n>',
      'lease asked for each claimed job (heartbeats every third of it)',
      integer(1),
      DEFAULT_LEASE_SECONDS,
    )
    .option('--stake', "stake the protocol's minimum in WorkerRegistry first when not active (needs RPC_URL)")
    .option(
      '--compute-delay-ms <n>',
      'TESTING AID for the killed-worker fault test: sleep this long after claiming, before computing',
      integer(0),
      0,
    )
    .option('--no-prefetch', 'do not claim the next batch while computing the current one')
    .addOption(
      new Option('--fault <fault>', 'drills and tests only: sign a wrong result')
        .choices(WORKER_FAULTS)
        .default('none'),
    )
    .action(workerAction);
}
