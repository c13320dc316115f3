import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Logger } from 'pino';
import { formatEther } from 'viem';
import type { ChainClients } from '../chain/chain-clients';
import { deploymentFile, readRecordedDeployment, type Deployment } from '../chain/deployments';
import { ConfigError } from '../config/config.errors';
import { ChainError } from '../chain/chain.errors';
import type { AppConfig } from '../config/load-config';
import { assertDatabaseReachable } from '../database/database-check';
import { connectChain } from '../runtime/connect-chain';
import type { Runtime } from '../runtime/runtime';
import { DefenderModule } from './defender.module';
import { PinoNestLogger } from './pino-nest-logger';

/** How long `verity defender` waits for the API to record its deployment (compose starts both at once). */
export const DEPLOYMENT_WAIT_MS = 120_000;
const DEPLOYMENT_POLL_MS = 1_000;

export interface DefenderHandle {
  /** The account that sends the defender's moves. */
  address: `0x${string}`;
  deployment: Deployment;
  app: INestApplicationContext;
  /** Stops the loops (the move in flight finishes) and closes the database pool. */
  stop(): Promise<void>;
}

export interface StartDefenderOptions {
  deploymentWaitMs?: number;
}

/**
 * `verity defender`: the dispute watcher and defender in a process of their own, on the service's
 * database and chain (never embedded: `verity serve` passes its own), sending moves with the
 * defender's key. Never deploys or migrates: it waits for the API's deployment record and checks
 * it against the chain.
 */
export async function startDefender(
  config: AppConfig & { defender: { privateKey: `0x${string}` } },
  log: Logger,
  options: StartDefenderOptions = {},
): Promise<DefenderHandle> {
  const databaseUrl = config.database.url;
  const rpcUrl = config.chain.rpcUrl;
  if (databaseUrl === undefined || rpcUrl === undefined) {
    throw new ConfigError('DEFENDER_CONFIG', '`verity defender` needs DATABASE_URL and RPC_URL');
  }
  await assertDatabaseReachable(databaseUrl);
  const chain = await connectChain({ rpcUrl, privateKey: config.defender.privateKey, chain: config.chain.chain });
  await assertFunded(chain);
  const deployment = await waitForDeployment(chain, config.chain.deploymentsDir, log, options.deploymentWaitMs ?? DEPLOYMENT_WAIT_MS);
  const runtime: Runtime = {
    config,
    databaseUrl,
    chain,
    deployment,
    embedded: { database: false, chain: false },
    stop: async () => undefined,
  };
  const app = await NestFactory.createApplicationContext(DefenderModule.forRoot(runtime), {
    logger: new PinoNestLogger(log),
  });
  await app.init();
  return { address: chain.account.address, deployment, app, stop: () => app.close() };
}

/** A defender without ETH cannot pay for a single move: refuse to start rather than lose on time. */
async function assertFunded(chain: ChainClients): Promise<void> {
  const balance = await chain.publicClient.getBalance({ address: chain.account.address });
  if (balance === 0n) {
    throw new ConfigError(
      'DEFENDER_UNFUNDED',
      `the defender account ${chain.account.address} (DEFENDER_PRIVATE_KEY) holds no ETH: it could not pay for a single dispute move; fund it`,
      { address: chain.account.address, balance: formatEther(balance) },
    );
  }
}

async function waitForDeployment(
  chain: ChainClients,
  deploymentsDir: string,
  log: Logger,
  waitMs: number,
): Promise<Deployment> {
  const deadline = Date.now() + waitMs;
  let told = false;
  for (;;) {
    const deployment = await readRecordedDeployment(chain, deploymentsDir);
    if (deployment) return deployment;
    const file = deploymentFile(deploymentsDir, chain.chain.id);
    if (Date.now() >= deadline) {
      throw new ChainError(
        'DEPLOYMENT_MISSING',
        `no deployment recorded in ${file} after ${Math.round(waitMs / 1000)} s: start the API (it deploys the contracts) with the same DEPLOYMENTS_DIR`,
        { file },
      );
    }
    if (!told) log.info(`waiting for the API to record the contracts' deployment in ${file}`);
    told = true;
    await new Promise((resolve) => setTimeout(resolve, DEPLOYMENT_POLL_MS));
  }
}
