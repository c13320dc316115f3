import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getAddress, parseEther, type Address, type Hash } from 'viem';
import {
  DisputeGameAbi,
  DisputeGameBytecode,
  ModelRegistryAbi,
  ModelRegistryBytecode,
  OneStepExecutorAbi,
  OneStepExecutorBytecode,
  SettlementAbi,
  SettlementBytecode,
  WorkerRegistryAbi,
  WorkerRegistryBytecode,
} from './generated/contracts';
import type { ChainClients } from './chain-clients';

/**
 * Protocol parameters of development deployments. They live on-chain once deployed (read them
 * from the contracts, not from here or from env). The withdrawal delay must be >= 2 challenge
 * windows and the dispute slash at most the minimum stake (Settlement's constructor enforces both).
 */
export const DEV_PROTOCOL_PARAMETERS = {
  minimumStakeWei: parseEther('1'),
  withdrawalDelaySeconds: 1_800n,
  challengeWindowSeconds: 600n,
  minimumFeeWei: parseEther('0.001'),
  /** Taken from a worker's stake per lost dispute, credited to the challenger (Settlement). */
  disputeSlashAmountWei: parseEther('0.5'),
  /** The exact bond a challenger posts to open a dispute (DisputeGame). */
  challengerBondWei: parseEther('0.1'),
  /** Each side's total clock per dispute (DisputeGame). */
  maxClockSeconds: 300n,
} as const;

type ParameterName = keyof typeof DEV_PROTOCOL_PARAMETERS;
/** The dispute parameters; a deployment that leaves them out gets DEV_PROTOCOL_PARAMETERS' values. */
type DisputeParameterName = 'disputeSlashAmountWei' | 'challengerBondWei' | 'maxClockSeconds';

export type ProtocolParameters = { [K in Exclude<ParameterName, DisputeParameterName>]: bigint } & {
  [K in DisputeParameterName]?: bigint;
};

/** Addresses of Verity's system contracts on one chain (keys are the contract names). */
export interface Deployment {
  chainId: number;
  deployedAt: string;
  contracts: {
    ModelRegistry: Address;
    WorkerRegistry: Address;
    Settlement: Address;
    OneStepExecutor: Address;
    DisputeGame: Address;
  };
}

const CONTRACT_NAMES = [
  'ModelRegistry',
  'WorkerRegistry',
  'Settlement',
  'OneStepExecutor',
  'DisputeGame',
] as const satisfies readonly (keyof Deployment['contracts'])[];

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
 * Deploys ModelRegistry, WorkerRegistry, Settlement, OneStepExecutor and DisputeGame and wires
 * their roles: the Settlement is the WorkerRegistry's slasher and the DisputeGame's host, the
 * DisputeGame (with the executor, the challenger bond and the clock) is the Settlement's dispute
 * game; the deploying account (the service account) is the ModelRegistry's registrar (the only
 * account that registers model commitments) and the Settlement's committer, the only
 * account that commits result batches (fixed at deployment; each leaf still needs its worker's
 * EIP-712 signature at reveal and to be disputed). The slasher and the dispute game are set once.
 */
export async function deploySystem(
  clients: ChainClients,
  protocolParameters: ProtocolParameters,
): Promise<Deployment['contracts']> {
  const parameters = { ...DEV_PROTOCOL_PARAMETERS, ...definedOnly(protocolParameters) };
  const { walletClient } = clients;
  const ModelRegistry = await confirmDeploy(
    clients,
    await walletClient.deployContract({
      abi: ModelRegistryAbi,
      bytecode: ModelRegistryBytecode,
      args: [clients.account.address],
    }),
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
        parameters.disputeSlashAmountWei,
      ],
    }),
  );
  const OneStepExecutor = await confirmDeploy(
    clients,
    await walletClient.deployContract({ abi: OneStepExecutorAbi, bytecode: OneStepExecutorBytecode }),
  );
  const DisputeGame = await confirmDeploy(
    clients,
    await walletClient.deployContract({
      abi: DisputeGameAbi,
      bytecode: DisputeGameBytecode,
      args: [Settlement, OneStepExecutor, parameters.challengerBondWei, parameters.maxClockSeconds],
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
      functionName: 'setDisputeGame',
      args: [DisputeGame],
    }),
  );
  return { ModelRegistry, WorkerRegistry, Settlement, OneStepExecutor, DisputeGame };
}

/** The parameters given, without keys whose value is undefined (so they do not hide the defaults). */
function definedOnly(parameters: ProtocolParameters): Partial<Record<ParameterName, bigint>> {
  return Object.fromEntries(Object.entries(parameters).filter(([, value]) => value !== undefined));
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
