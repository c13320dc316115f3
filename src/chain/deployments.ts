import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getAddress, parseEther, type Address, type Hash } from 'viem';
import {
  ModelRegistryAbi,
  ModelRegistryBytecode,
  SettlementAbi,
  SettlementBytecode,
  WorkerRegistryAbi,
  WorkerRegistryBytecode,
} from './generated/contracts';
import type { ChainClients } from './chain-clients';

/**
 * Protocol parameters of development deployments. They live on-chain once deployed (read them
 * from the contracts, not from here or from env). WITHDRAWAL_DELAY must be >= 2 challenge windows
 * (Settlement's constructor enforces it).
 */
export const DEV_PROTOCOL_PARAMETERS = {
  minimumStakeWei: parseEther('1'),
  withdrawalDelaySeconds: 1_800n,
  challengeWindowSeconds: 600n,
  minimumFeeWei: parseEther('0.001'),
} as const;

export type ProtocolParameters = { [K in keyof typeof DEV_PROTOCOL_PARAMETERS]: bigint };

/** Addresses of Verity's system contracts on one chain (keys are the contract names). */
export interface Deployment {
  chainId: number;
  deployedAt: string;
  contracts: { ModelRegistry: Address; WorkerRegistry: Address; Settlement: Address };
}

const CONTRACT_NAMES = ['ModelRegistry', 'WorkerRegistry', 'Settlement'] as const;

export function deploymentFile(deploymentsDir: string, chainId: number): string {
  return join(deploymentsDir, `${chainId}.json`);
}

/**
 * Returns the recorded deployment for the chain when all its contracts still have code there,
 * otherwise deploys them and records the addresses in `<deploymentsDir>/<chainId>.json`.
 */
export async function ensureDeployed(
  clients: ChainClients,
  deploymentsDir: string,
  parameters: ProtocolParameters = DEV_PROTOCOL_PARAMETERS,
): Promise<Deployment> {
  const file = deploymentFile(deploymentsDir, clients.chain.id);
  if (existsSync(file)) {
    const recorded = JSON.parse(readFileSync(file, 'utf8')) as Deployment;
    if (await hasCode(clients, recorded)) return recorded;
  }
  const deployment: Deployment = {
    chainId: clients.chain.id,
    deployedAt: new Date().toISOString(),
    contracts: await deploySystem(clients, parameters),
  };
  mkdirSync(deploymentsDir, { recursive: true });
  writeFileSync(file, `${JSON.stringify(deployment, null, 2)}\n`);
  return deployment;
}

/**
 * Deploys ModelRegistry, WorkerRegistry and Settlement and wires their roles: the Settlement is
 * the WorkerRegistry's slasher; the deploying account (the service account) is the Settlement's
 * committer, the only account that commits result batches (fixed at deployment; each leaf still
 * needs its worker's EIP-712 signature at reveal), and holds the dispute role (development only:
 * production sets it to the dispute game). The slasher and dispute roles can be set only once.
 */
export async function deploySystem(
  clients: ChainClients,
  parameters: ProtocolParameters,
): Promise<Deployment['contracts']> {
  const { walletClient } = clients;
  const ModelRegistry = await confirmDeploy(
    clients,
    await walletClient.deployContract({ abi: ModelRegistryAbi, bytecode: ModelRegistryBytecode }),
  );
  const WorkerRegistry = await confirmDeploy(
    clients,
    await walletClient.deployContract({
      abi: WorkerRegistryAbi,
      bytecode: WorkerRegistryBytecode,
      args: [parameters.minimumStakeWei, parameters.withdrawalDelaySeconds],
    }),
  );
  const Settlement = await confirmDeploy(
    clients,
    await walletClient.deployContract({
      abi: SettlementAbi,
      bytecode: SettlementBytecode,
      args: [
        ModelRegistry,
        WorkerRegistry,
        parameters.challengeWindowSeconds,
        parameters.minimumFeeWei,
        clients.account.address,
      ],
    }),
  );
  await confirm(
    clients,
    await walletClient.writeContract({
      address: WorkerRegistry,
      abi: WorkerRegistryAbi,
      functionName: 'setSlasher',
      args: [Settlement],
    }),
  );
  await confirm(
    clients,
    await walletClient.writeContract({
      address: Settlement,
      abi: SettlementAbi,
      functionName: 'setDisputer',
      args: [clients.account.address],
    }),
  );
  return { ModelRegistry, WorkerRegistry, Settlement };
}

async function hasCode(clients: ChainClients, recorded: Deployment): Promise<boolean> {
  const addresses = CONTRACT_NAMES.map((name) => recorded.contracts?.[name]);
  if (addresses.some((address) => !address)) return false;
  const codes = await Promise.all(addresses.map((address) => clients.publicClient.getCode({ address })));
  return codes.every((code) => code !== undefined && code !== '0x');
}

async function confirm(clients: ChainClients, hash: Hash): Promise<void> {
  const receipt = await clients.publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== 'success') throw new Error(`transaction ${hash} reverted`);
}

async function confirmDeploy(clients: ChainClients, hash: Hash): Promise<Address> {
  const receipt = await clients.publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== 'success' || !receipt.contractAddress)
    throw new Error(`deployment transaction ${hash} created no contract`);
  return getAddress(receipt.contractAddress);
}
